using Headroom.Analysis.Kernels;
using Xunit;

namespace Headroom.Tests.Analysis.Kernels;

/// <summary>
/// Specification of <see cref="KernelClassifier"/>. Most names are copied verbatim from the Kineto traces in
/// shared/data/traces/kineto (CUDA, ROCm and MTIA); the rest are synthetic names in known vendor patterns.
/// </summary>
public sealed class KernelClassifierTests
{
    /// <summary>Copy-engine transfers, DMA and NCCL kernels are recognised before any kernel pattern.</summary>
    [Theory]
    [InlineData("Memcpy HtoD (Pageable -> Device)", KernelCategory.Memory)]
    [InlineData("Memcpy DtoH (Device -> Pageable)", KernelCategory.Memory)]
    [InlineData("Memset (Device)", KernelCategory.Memory)]
    [InlineData("dma_request", KernelCategory.Memory)]
    [InlineData("_combined_routing_memset", KernelCategory.Memory)]
    [InlineData("ncclKernel_AllReduce_RING_LL_Sum_float(ncclWorkElem)", KernelCategory.Communication)]
    [InlineData("ncclKernel_SendRecv_RING_SIMPLE_Sum_int8_t(ncclDevComm*, unsigned long, ncclWork*)", KernelCategory.Communication)]
    public void Classifies_transfers_and_collectives_from_trace_names(string name, KernelCategory expected) =>
        Assert.Equal(expected, KernelClassifier.Classify(name));

    /// <summary>cuBLAS, cuBLASLt, CUTLASS, MAGMA, Tensile and Triton matmul kernels are GEMMs.</summary>
    [Theory]
    [InlineData("volta_sgemm_64x64_nt", KernelCategory.Gemm)]
    [InlineData("ampere_sgemm_128x64_nn", KernelCategory.Gemm)]
    [InlineData("volta_gcgemm_32x32_nt", KernelCategory.Gemm)]
    [InlineData("sm90_xmma_gemm_bf16bf16_bf16f32_f32_tn_n_tilesize128x128x64_warpgroupsize1x1x1_execute_segment_k_off_kernel__5x_cublas", KernelCategory.Gemm)]
    [InlineData("void cutlass::Kernel2<cutlass_75_tensorop_bf16_s1688gemm_bf16_128x128_nn_align1>(cutlass_75_tensorop_bf16_s1688gemm_bf16_128x128_nn_align1::Params)", KernelCategory.Gemm)]
    [InlineData("void splitKreduce_kernel<float, float, float, float, true, false, false>(cublasSplitKParams<float>, float const*, float const*, float*, float const*, float const*, float const*, float const*, float*, void*, long, float*, int*)", KernelCategory.Gemm)]
    [InlineData("void epilogue::impl::globalKernel<float, float, float, true, true>(int, int, long, float*, cublasLtEpilogue_t, int, float*, long, void*, long, long, long, float*, long, int*)", KernelCategory.Gemm)]
    [InlineData("std::enable_if<!(false), void>::type internal::gemvx::kernel<int, int, float, float, float, float, false, true, true, false, 7, cublasGemvParams<cublasGemvTensorStridedBatched<float const>, cublasGemvTensorStridedBatched<float const>, cublasGemvTensorStridedBatched<float>, float> >(cublasGemvParams<cublasGemvTensorStridedBatched<float const>, cublasGemvTensorStridedBatched<float const>, cublasGemvTensorStridedBatched<float>, float>)", KernelCategory.Gemm)]
    [InlineData("void gemmk1_kernel<float, 256, 5, false, false, false, false, cublasGemvTensorStridedBatched<float const>, cublasGemvTensorStridedBatched<float const>, cublasGemvTensorStridedBatched<float>, float, true, true>(cublasGemmk1Params<float, cublasGemvTensorStridedBatched<float const>, cublasGemvTensorStridedBatched<float const>, cublasGemvTensorStridedBatched<float>, float, biasType<cublasGemvTensorStridedBatched<float>::value_type, float>::type>)", KernelCategory.Gemm)]
    [InlineData("Cijk_Alik_Bljk_SB_Bias_AS_SAV_UserArgs_MT64x16x32_MI16x16x1_SN_LDSB0_AFC1_AFEM1_AFEM1_ASEM1_CLR1_CADS0_EPS0_GRVWA2_GRVWB2_GSUAMB_ISA90a_IU1_K1_LBSPPA128_LBSPPB128_LBSPPM0_LPA8_LPB8_LPM0_LRVW4_LWPMn1_MIAV0_MIWT1_1_MO40_NTn1_NTA0_NTB0_NTC0_NTD0_NTM0_NEPBS2_NLCA1_NLCB1_ONLL1_PGR2_PLR1_PKA1_SIA3_SS1_SPO1_SRVW0_SSO0_SVW1_TLDS1_USFGROn1_VSn1_VWA1_VWB1_WSGRA1_WSGRB1_WS64_WG64_4_1", KernelCategory.Gemm)]
    [InlineData("_matmul_ogs_NNT_bf16xbf16xmxfp4_16x128x256x1", KernelCategory.Gemm)]
    public void Classifies_gemm_kernels_and_their_cublas_helpers(string name, KernelCategory expected) =>
        Assert.Equal(expected, KernelClassifier.Classify(name));

    /// <summary>Implicit-GEMM convolutions contain "gemm" but are convolutions.</summary>
    [Theory]
    [InlineData("void implicit_convolve_sgemm<float, float, 128, 6, 7, 3, 3, 5, 1, false, true, true>(int, int, int, float const*, int, float*, float const*, kernel_conv_params, unsigned long long, int, float, float, int, float const*, float const*, bool, int, int)", KernelCategory.Convolution)]
    [InlineData("volta_scudnn_128x64_relu_interior_nn_v1", KernelCategory.Convolution)]
    [InlineData("void cudnn::winograd_nonfused::winogradForwardData4x4<float, float>(cudnn::winograd_nonfused::WinogradDataParams<float, float>)", KernelCategory.Convolution)]
    [InlineData("void cudnn::detail::dgrad_engine<float, 128, 6, 7, 3, 3, 5, false>(int, int, int, float const*, int, float const*, int, float*, kernel_grad_params, unsigned long long, int, unsigned long long, int, float, int, int, int)", KernelCategory.Convolution)]
    [InlineData("void cudnn::cnn::wgrad_alg0_engine<float, 128, 6, 7, 3, 3, 5, false, 512>(int, int, int, float const*, int, float*, float const*, kernel_grad_params, unsigned long long, int, float, int, int, int, int)", KernelCategory.Convolution)]
    [InlineData("sm80_xmma_fprop_implicit_gemm_indexed_tf32f32_tf32f32_f32_nhwckrsc_nchw_tilesize128x128x16_stage4_warpsize2x2x1_g1_tensor16x8x8_alignc4_execute_kernel_cudnn_infer", KernelCategory.Convolution)]
    [InlineData("void cutlass_cudnn_infer::Kernel<cutlass_tensorop_s1688dgrad_optimized_tf32_64x128_32x3_nhwc_align4>(cutlass_tensorop_s1688dgrad_optimized_tf32_64x128_32x3_nhwc_align4::Params)", KernelCategory.Convolution)]
    [InlineData("igemm_fwd_gtcx3_nhwc_bf16_bx0_ex1_bt256x128x32_wt32x32x8_ws2x1_wr2x2_ta1x8x4x1_1x4x1x64_tb1x8x2x1_1x4x1x64", KernelCategory.Convolution)]
    [InlineData("igemm_wrw_gtcx2_nhwc_bf16_bx0_ex1_bt128x64x32_wt32x32x8_ws1x1_wr1x2_ta1x4x1x4_1x8x1x32_tb1x4x1x2_1x8x1x32_gkgs", KernelCategory.Convolution)]
    [InlineData("_ZN2ck16tensor_operation6device12_GLOBAL__N_139kernel_grouped_conv_fwd_xdl_cshuffle_v3INS_34GridwiseGemmMultiD_xdl_cshuffle_v3INS_13tensor_layout4gemm8RowMajorENS6_11ColumnMajorENS_5TupleIJEEES7_ttftSA_tNS0_12element_wise11PassThroughESC_SC_LNS1_18GemmSpecializationE7ELi256ELi128ELi128ELi64ELi8ELi8ELi32ELi32ELi2ELi2ENS_8SequenceIJLi8ELi32ELi1EEEENSE_IJLi1ELi0ELi2EEEESG_Li2ELi8ELi8ELb0ELi0ESF_SG_SG_Li2ELi8ELi8ELb0ELi0ELi1ELi1ENSE_IJLi1ELi32ELi1ELi8EEEENSE_IJLi8EEEELNS_26BlockGemmPipelineSchedulerE0ELNS_24BlockGemmPipelineVersionE2EttttLb0ELb0EEENS1_30ComputePtrOffsetOfStridedBatchILi1ELi1ELi0EvEENS_16TensorDescriptorINS9_IJNS_5EmbedINS9_IJiiiiEEESQ_Lb0EEENS_11PassThroughIiEENS_3PadIiiiLb0EEESV_ST_ST_NSP_INS9_IJiiEEESW_Lb0EEESX_ST_NS_23Merge_v2_magic_divisionINS9_IJiiiEEEEES10_NS_8RightPadIiiLb0EEES12_NS_7UnMergeISW_Lb0EEEST_EEENS9_IJNSE_IJLi0EEEENSE_IJLi1EEEENSE_IJLi2EEEENSE_IJLi3EEEENSE_IJLi4EEEENSE_IJLi5EEEENSE_IJLi6EEEENSE_IJLi7EEEESI_NSE_IJLi9ELi11ELi13EEEENSE_IJLi10ELi12ELi14EEEENSE_IJLi15EEEENSE_IJLi16EEEENSE_IJLi18EEEENSE_IJLi17EEEEEEENS9_IJNSE_IJLi1ELi2ELi3ELi4EEEES1B_S1C_S1D_SI_NSE_IJLi9EEEENSE_IJLi10ELi11EEEENSE_IJLi12ELi13EEEENSE_IJLi14EEEES1G_S1H_S1J_S1I_NSE_IJLi19ELi20EEEENSE_IJLi21EEEEEEENSE_IJLi19ELi21ELi20EEEElEENSO_INS9_IJS14_S12_S12_S14_ST_EEENS9_IJS16_S17_S18_S1A_S19_EEENS9_IJNSE_IJLi1ELi2EEEES19_S1A_NSE_IJLi5ELi6EEEES1D_EEENSE_IJLi5ELi7ELi6EEEElEESA_NSO_INS9_IJSX_S12_S12_EEENS9_IJS16_S17_S18_EEENS9_IJS1X_S19_S1A_EEENSE_IJLi3ELi4EEEElEELb1ELNS_25InMemoryDataOperationEnumE0ELi1ELNS_10TailNumberE10EEEvNT_8ArgumentET1_T2_T3_T4_T0_S2F_", KernelCategory.Convolution)]
    [InlineData("void fft2d_r2c_16x16<float>(float2*, float const*, int, int, int, int, int, int, int, int)", KernelCategory.Convolution)]
    [InlineData("cask_cudnn::computeOffsetsKernel(cask_cudnn::ComputeOffsetsParams)", KernelCategory.Convolution)]
    public void Classifies_implicit_gemm_winograd_and_fft_convolutions_as_convolution(string name, KernelCategory expected) =>
        Assert.Equal(expected, KernelClassifier.Classify(name));

    /// <summary>Fused attention wins over the "reduce" in its split-KV merge kernels.</summary>
    [Theory]
    [InlineData("attn_fwd", KernelCategory.Attention)]
    [InlineData("kernel_unified_attention_2d", KernelCategory.Attention)]
    [InlineData("reduce_segments", KernelCategory.Attention)]
    [InlineData("void paged_attention_ll4mi_reduce_kernel<__hip_bfloat16, __hip_bfloat16, 128, 128, 256, 3, false>(__hip_bfloat16*, float const*, float const*, __hip_bfloat16 const*, int const*, int const*, int, int, float const*)", KernelCategory.Attention)]
    [InlineData("void pytorch_flash::flash_fwd_kernel<pytorch_flash::Flash_fwd_kernel_traits<64, 128, 128, 4, false, false, cutlass::bfloat16_t, pytorch_flash::Flash_kernel_traits<64, 128, 128, 4, cutlass::bfloat16_t> >, false, false, false, false, false, true, false>(pytorch_flash::Flash_fwd_params)", KernelCategory.Attention)]
    public void Classifies_fused_attention_kernels(string name, KernelCategory expected) =>
        Assert.Equal(expected, KernelClassifier.Classify(name));

    /// <summary>Normalization includes statistics and gamma/beta gradient helpers and mangled ROCm names.</summary>
    [Theory]
    [InlineData("void cudnn::bn_fw_tr_1C11_kernel_NCHW<float, float, int, 128, true, 1, true>(cudnnTensorStruct, float const*, cudnnTensorStruct, float*, float const*, float const*, float, float, float*, float*, float*, float*, float, float)", KernelCategory.Normalization)]
    [InlineData("void cudnn::bn_bw_1C11_singleread<float, 512, true, 1, 2, 0>(cudnn::bn_bw_1C11_args<float>)", KernelCategory.Normalization)]
    [InlineData("void at::native::batch_norm_collect_statistics_kernel<at::native::Var, c10::BFloat16, c10::BFloat16, float, int>(at::GenericPackedTensorAccessor<c10::BFloat16 const, 3ul, at::RestrictPtrTraits, int>, float, float, at::GenericPackedTensorAccessor<float, 1ul, at::RestrictPtrTraits, int>, at::GenericPackedTensorAccessor<float, 1ul, at::RestrictPtrTraits, int>)", KernelCategory.Normalization)]
    [InlineData("void at::native::(anonymous namespace)::vectorized_layer_norm_kernel<c10::BFloat16, float>(int, float, c10::BFloat16 const*, c10::BFloat16 const*, c10::BFloat16 const*, float*, float*, c10::BFloat16*)", KernelCategory.Normalization)]
    [InlineData("void at::native::(anonymous namespace)::GammaBetaBackwardCUDAKernel<float, float>(long, long, float const*, float const*, float const*, float const*, float*, float*)", KernelCategory.Normalization)]
    [InlineData("void at::native::(anonymous namespace)::RowwiseMomentsCUDAKernel<float>(long, float, float const*, float*, float*)", KernelCategory.Normalization)]
    [InlineData("MIOpenBatchNormFwdTrainSpatial", KernelCategory.Normalization)]
    [InlineData("_ZN5aiter24add_rmsnorm_quant_kernelIDF16bDF16bLi64ELi8ELb0ELb0ELb1ELi1EEEvPT0_PT_PfS4_S4_S4_diiiiiiib", KernelCategory.Normalization)]
    [InlineData("_ZN7ck_tile6kentryILi1ENS_12Rmsnorm2dFwdINS_27Rmsnorm2dFwdPipelineOnePassINS_27Rmsnorm2dFwdPipelineProblemIDF16bDF16bfDF16bDF16bDF16bffNS_19Generic2dBlockShapeINS_8sequenceIJLi1ELi3072EEEENS5_IJLi1ELi128EEEENS5_IJLi1ELi8EEEEEENS_18Rmsnorm2dFwdTraitsILb1ELb0ELb0ELb0ELNS_21Rmsnorm2dFusedAddEnumE0ELNS_23Rmsnorm2dFusedQuantEnumE0ELNS_22Rmsnorm2dSensitiveEnumE0EEEEENS_33Rmsnorm2dFwdPipelineDefaultPolicyEEENS_17Default2DEpilogueINS_24Default2DEpilogueProblemIfDF16bLb0ELb1ELb0EEEvEEEEJNSM_5KargsEEEEvDpT1_", KernelCategory.Normalization)]
    [InlineData("triton_red_fused_add_mean_mul_pow_rsqrt_0", KernelCategory.Normalization)]
    public void Classifies_normalization_kernels_including_their_helpers(string name, KernelCategory expected) =>
        Assert.Equal(expected, KernelClassifier.Classify(name));

    /// <summary>Softmax, pooling, sorts and losses are reductions.</summary>
    [Theory]
    [InlineData("void at::native::(anonymous namespace)::cunn_SoftMaxForward<8, c10::BFloat16, float, c10::BFloat16, at::native::(anonymous namespace)::SoftMaxForwardEpilogue>(c10::BFloat16*, c10::BFloat16 const*, int)", KernelCategory.Reduction)]
    [InlineData("void (anonymous namespace)::softmax_warp_forward<float, float, float, 10, true>(float*, float const*, int, int, int)", KernelCategory.Reduction)]
    [InlineData("void at::native::reduce_kernel<512, 1, at::native::ReduceOp<float, at::native::MeanOps<float, float>, unsigned int, float, 4> >(at::native::ReduceOp<float, at::native::MeanOps<float, float>, unsigned int, float, 4>)", KernelCategory.Reduction)]
    [InlineData("void at::native::(anonymous namespace)::max_pool_backward_nchw<float, float>(float const*, long const*, int, long, long, long, int, int, int, int, int, int, int, int, int, int, float*)", KernelCategory.Reduction)]
    [InlineData("void cub::DeviceRadixSortOnesweepKernel<cub::DeviceRadixSortPolicy<long, int, int>::Policy800, false, long, int, int, int>(int*, int*, int*, int const*, long*, long const*, int*, int const*, int, int, int)", KernelCategory.Reduction)]
    [InlineData("void at::native::(anonymous namespace)::nll_loss_forward_reduce_cuda_kernel_2d<float, float, long>(float*, float*, float*, long*, float*, bool, long, long, long, long)", KernelCategory.Reduction)]
    [InlineData("_topk_forward", KernelCategory.Reduction)]
    public void Classifies_softmax_pooling_sort_and_loss_kernels_as_reduction(string name, KernelCategory expected) =>
        Assert.Equal(expected, KernelClassifier.Classify(name));

    /// <summary>The launched kernel decides: an elementwise kernel stays elementwise whatever its functor mentions.</summary>
    [Theory]
    [InlineData("void at::native::vectorized_elementwise_kernel<4, at::native::CUDAFunctor_add<float>, at::detail::Array<char*, 3> >(int, at::native::CUDAFunctor_add<float>, at::detail::Array<char*, 3>)", KernelCategory.Elementwise)]
    [InlineData("void at::native::vectorized_elementwise_kernel<4, at::native::FillFunctor<float>, at::detail::Array<char*, 1> >(int, at::native::FillFunctor<float>, at::detail::Array<char*, 1>)", KernelCategory.Elementwise)]
    [InlineData("void at::native::_scatter_gather_elementwise_kernel<128, 4, at::native::_cuda_scatter_gather_internal_kernel<true, float>::operator()<at::native::ReduceAdd>(at::TensorIterator&, long, long, long, at::native::ReduceAdd const&)::{lambda(int)#1}>(int, at::native::_cuda_scatter_gather_internal_kernel<true, float>::operator()<at::native::ReduceAdd>(at::TensorIterator&, long, long, long, at::native::ReduceAdd const&)::{lambda(int)#1})", KernelCategory.Elementwise)]
    [InlineData("void at::native::indexFuncLargeIndex<float, int, unsigned int, 1, 1, -2, true, at::native::(anonymous namespace)::ReduceAdd>(at::cuda::detail::TensorInfo<float, unsigned int>, at::cuda::detail::TensorInfo<float, unsigned int>, at::cuda::detail::TensorInfo<int, unsigned int>, int, int, unsigned int, unsigned int, long, long, at::native::(anonymous namespace)::ReduceAdd const&, float)", KernelCategory.Elementwise)]
    [InlineData("void multi_tensor_apply_kernel<TensorListMetadata<4>, AdamFunctor<float>, float, float, float, float, float, float, adamMode_t, float, int, int>(int, int volatile*, TensorListMetadata<4>, AdamFunctor<float>, float, float, float, float, float, float, adamMode_t, float, int, int)", KernelCategory.Elementwise)]
    [InlineData("void at::native::(anonymous namespace)::CatArrayBatchedCopy<float, unsigned int, 2, 128, 1>(float*, at::native::(anonymous namespace)::CatArrInputTensorMetadata<float, unsigned int, 128, 1>, at::native::(anonymous namespace)::TensorSizeStride<unsigned int, 4u>, int, unsigned int)", KernelCategory.Elementwise)]
    [InlineData("batched_transpose_32x32_half", KernelCategory.Elementwise)]
    [InlineData("void cudnn::ops::nchwToNhwcKernel<float, float, float, false, true, (cudnnKernelDataType_t)2>(cudnn::ops::nchw2nhwc_params_t<float>, float const*, float*)", KernelCategory.Elementwise)]
    [InlineData("void vllm::reshape_and_cache_flash_kernel<__hip_bfloat16, __hip_bfloat16, (vllm::Fp8KVCacheDataType)0>(__hip_bfloat16 const*, __hip_bfloat16 const*, __hip_bfloat16*, __hip_bfloat16*, long const*, long, long, long, long, long, int, int, int, float const*, float const*, int)", KernelCategory.Elementwise)]
    [InlineData("_ZN7sgl_hip10activation18act_and_mul_kernelI14__hip_bfloat16TnPFT_RKS3_EXadL_Z4siluIS2_ES3_S5_EEEEvPS3_PS4_i", KernelCategory.Elementwise)]
    [InlineData("SubTensorOpWithScalar1d", KernelCategory.Elementwise)]
    [InlineData("triton_poi_fused__unsafe_view_mul_silu_2", KernelCategory.Elementwise)]
    [InlineData("void at::native::vectorized_elementwise_kernel<4, at::native::(anonymous namespace)::batch_norm_calc_invstd(at::Tensor const&, at::Tensor const&, double)::{lambda()#1}::operator()() const::{lambda()#2}::operator()() const::{lambda(float)#1}, std::array<char*, 2ul> >(int, at::native::(anonymous namespace)::batch_norm_calc_invstd(at::Tensor const&, at::Tensor const&, double)::{lambda()#1}::operator()() const::{lambda()#2}::operator()() const::{lambda(float)#1}, std::array<char*, 2ul>)", KernelCategory.Elementwise)]
    public void Classifies_elementwise_kernels_even_when_template_arguments_mention_reduce_or_norm(string name, KernelCategory expected) =>
        Assert.Equal(expected, KernelClassifier.Classify(name));

    /// <summary>MTIA command-processor events and the sleep kernel carry no kernel type.</summary>
    [Theory]
    [InlineData("event_wait", KernelCategory.Other)]
    [InlineData("at::cuda::(anonymous namespace)::spin_kernel(long)", KernelCategory.Other)]
    public void Classifies_unrecognised_device_activity_as_other(string name, KernelCategory expected) =>
        Assert.Equal(expected, KernelClassifier.Classify(name));

    /// <summary>Synthetic names in the naming schemes of vendor libraries not present in the sample traces.</summary>
    [Theory]
    [InlineData("hipMemcpyDtoHAsync", KernelCategory.Memory)]
    [InlineData("Memcpy PtoP (Device -> Device)", KernelCategory.Memory)]
    [InlineData("__amd_rocclr_copyBuffer", KernelCategory.Memory)]
    [InlineData("__amd_rocclr_fillBufferAligned", KernelCategory.Memory)]
    [InlineData("ncclDevKernel_AllGather_RING_LL(ncclDevKernelArgsStorage<4096ul>)", KernelCategory.Communication)]
    [InlineData("nccl:all_reduce", KernelCategory.Communication)]
    [InlineData("void vllm::cross_device_reduce_1stage<__nv_bfloat16, 8>(vllm::RankData*, vllm::RankSignals, vllm::Signal*, __nv_bfloat16*, int, int)", KernelCategory.Communication)]
    [InlineData("nvjet_tst_128x256_64x4_1x2_h_bz_coopA_NTN", KernelCategory.Gemm)]
    [InlineData("ampere_bf16_s16816gemm_bf16_128x128_ldg8_f2f_stages_64x3_tn", KernelCategory.Gemm)]
    [InlineData("volta_h884gemm_64x64_ldg8_nn", KernelCategory.Gemm)]
    [InlineData("void cutlass::device_kernel<cutlass::gemm::kernel::GemmUniversal<cutlass::gemm::GemmShape<128, 128, 64> > >(cutlass::gemm::kernel::GemmUniversal<cutlass::gemm::GemmShape<128, 128, 64> >::Params)", KernelCategory.Gemm)]
    [InlineData("Cijk_Ailk_Bljk_HHS_BH_MT128x128x32_MI32x32x8x1_SN_1LDSB1_GRVW8_ISA90a_K1_LPA0_LPB8_MIWT2_2_WG32_8_1", KernelCategory.Gemm)]
    [InlineData("fused_moe_kernel", KernelCategory.Gemm)]
    [InlineData("naive_conv_fwd_nchw_float_double_float", KernelCategory.Convolution)]
    [InlineData("MIOpenConvUni", KernelCategory.Convolution)]
    [InlineData("void at::native::(anonymous namespace)::conv_depthwise2d_forward_kernel<3, float, int>(at::GenericPackedTensorAccessor<float const, 4ul, at::DefaultPtrTraits, int>, int, int, int, int, int, int, int, int, int, int, int)", KernelCategory.Convolution)]
    [InlineData("void flash::flash_fwd_splitkv_kernel<Flash_fwd_kernel_traits<128, 64, 128, 4, false, false, cutlass::bfloat16_t>, false, true, false, false, true, false, false>(flash::Flash_fwd_params)", KernelCategory.Attention)]
    [InlineData("fmha_cutlassF_f16_aligned_64x64_rf_sm80(PyTorchMemEffAttention::AttentionKernel<cutlass::half_t, cutlass::arch::Sm80, true, 64, 64, 64, true, true>::Params)", KernelCategory.Attention)]
    [InlineData("cudnn_generated_fort_native_sdpa_sm90_flash_fprop_wgmma_f16_knob_3_64x64x64_4x1x1_kernel0_0", KernelCategory.Attention)]
    [InlineData("void aiter::mla_decode_fwd_kernel<__hip_bfloat16>(aiter::MlaParams)", KernelCategory.Attention)]
    [InlineData("void vllm::rms_norm_kernel<c10::BFloat16>(c10::BFloat16*, c10::BFloat16 const*, c10::BFloat16 const*, float, int, int)", KernelCategory.Normalization)]
    [InlineData("void at::native::(anonymous namespace)::EmbeddingBag_updateOutputKernel_sum_mean<float, long>(long const*, float const*, float*, long*, long, long, long, long, long*, float const*, long)", KernelCategory.Elementwise)]
    [InlineData("void at::native::(anonymous namespace)::multi_tensor_apply_kernel<at::native::(anonymous namespace)::TensorListMetadata<4>, at::native::(anonymous namespace)::FusedSgdMathFunctor<float, 4>, float>(at::native::(anonymous namespace)::TensorListMetadata<4>, at::native::(anonymous namespace)::FusedSgdMathFunctor<float, 4>, float)", KernelCategory.Elementwise)]
    [InlineData("some_unrecognised_kernel_v2", KernelCategory.Other)]
    public void Classifies_kernel_names_by_vendor_pattern(string name, KernelCategory expected) =>
        Assert.Equal(expected, KernelClassifier.Classify(name));

    /// <summary>TorchInductor prefixes decide, except that a fused normalization is a normalization.</summary>
    [Theory]
    [InlineData("triton_poi_fused_gelu_0", KernelCategory.Elementwise)]
    [InlineData("triton_red_fused_sum_1", KernelCategory.Reduction)]
    [InlineData("triton_per_fused__softmax_2", KernelCategory.Reduction)]
    [InlineData("triton_per_fused_native_layer_norm_3", KernelCategory.Normalization)]
    [InlineData("triton_tem_fused_addmm_relu_4", KernelCategory.Gemm)]
    [InlineData("triton_tem_fused_convolution_5", KernelCategory.Convolution)]
    [InlineData("triton_tem_fused_flex_attention_6", KernelCategory.Attention)]
    [InlineData("triton_for_fused_7", KernelCategory.Elementwise)]
    public void Classifies_torch_inductor_kernels_by_generated_prefix(string name, KernelCategory expected) =>
        Assert.Equal(expected, KernelClassifier.Classify(name));

    /// <summary>Matching ignores case and surrounding whitespace.</summary>
    [Theory]
    [InlineData("MEMCPY HTOD (PAGEABLE -> DEVICE)", KernelCategory.Memory)]
    [InlineData("  volta_sgemm_64x64_nt  ", KernelCategory.Gemm)]
    [InlineData("CIJK_ALIK_BLJK_SB_MT64X16X32", KernelCategory.Gemm)]
    public void Ignores_case_and_surrounding_whitespace(string name, KernelCategory expected) =>
        Assert.Equal(expected, KernelClassifier.Classify(name));

    /// <summary>An empty or blank name has no category.</summary>
    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Classifies_empty_names_as_other(string name) =>
        Assert.Equal(KernelCategory.Other, KernelClassifier.Classify(name));

    /// <summary>Malformed mangled or demangled names fall through to the whole-name rules instead of failing.</summary>
    [Theory]
    [InlineData("_Z", KernelCategory.Other)]
    [InlineData("_ZN99999999999999999999gemm", KernelCategory.Gemm)]
    [InlineData("_ZN5ai", KernelCategory.Other)]
    [InlineData("<<<((( >>> )))", KernelCategory.Other)]
    [InlineData("void (anonymous namespace)::", KernelCategory.Other)]
    [InlineData("void foo<bar(", KernelCategory.Other)]
    public void Tolerates_malformed_names(string name, KernelCategory expected) =>
        Assert.Equal(expected, KernelClassifier.Classify(name));

    /// <summary>A null name is a caller error.</summary>
    [Fact]
    public void Rejects_a_null_name() =>
        Assert.Throws<ArgumentNullException>(() => KernelClassifier.Classify(null!));
}
