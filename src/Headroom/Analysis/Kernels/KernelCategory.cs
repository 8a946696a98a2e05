namespace Headroom.Analysis.Kernels;

/// <summary>
/// Coarse category of a GPU kernel or device activity, derived from its name by
/// <see cref="KernelClassifier.Classify(string)"/>. Categories describe the kind of work a kernel
/// does, not the framework operator that launched it.
/// </summary>
public enum KernelCategory
{
    /// <summary>
    /// Dense matrix multiplication and its vendor helpers: cuBLAS/cuBLASLt (<c>sm80_xmma_gemm_*</c>,
    /// <c>ampere_sgemm_*</c>, <c>nvjet_*</c>, <c>gemv*</c>, <c>splitKreduce_kernel</c>), CUTLASS GEMM
    /// templates, hipBLASLt/rocBLAS/Tensile (<c>Cijk_*</c>), Composable Kernel GEMMs, fused MoE GEMMs and
    /// Triton matmul templates.
    /// </summary>
    Gemm,

    /// <summary>
    /// Fused attention: FlashAttention (<c>flash_fwd_*</c>), FMHA, xFormers/CUTLASS memory-efficient
    /// attention, cuDNN SDPA, paged attention, aiter MLA and Triton attention kernels.
    /// </summary>
    Attention,

    /// <summary>
    /// Convolution, including implicit-GEMM convolution kernels whose names also contain "gemm":
    /// cuDNN (<c>implicit_convolve_sgemm</c>, <c>*_scudnn_*</c>, winograd, FFT, fprop/dgrad/wgrad),
    /// MIOpen (<c>igemm_fwd/bwd/wrw_*</c>, <c>naive_conv_*</c>) and Composable Kernel grouped convolutions.
    /// </summary>
    Convolution,

    /// <summary>
    /// Normalization layers: batch norm (<c>bn_fw_*</c>, <c>bn_bw_*</c>, <c>MIOpenBatchNorm*</c>),
    /// layer norm, RMS norm, group norm and instance norm, including their statistics and
    /// gradient-of-gamma/beta helper kernels.
    /// </summary>
    Normalization,

    /// <summary>
    /// Pointwise and data-movement kernels that run on the compute units: PyTorch elementwise
    /// kernels, activations, dropout, casts, fills, copies, concatenation, indexing/gather/scatter,
    /// embedding lookups, layout transposes, quantization and fused optimizer updates
    /// (<c>multi_tensor_apply_kernel</c>).
    /// </summary>
    Elementwise,

    /// <summary>
    /// Kernels whose outputs depend on many inputs: reductions (sum, mean, max, norms), softmax,
    /// pooling, scans, sorts, top-k and losses.
    /// </summary>
    Reduction,

    /// <summary>
    /// Collective and point-to-point communication: NCCL, RCCL, HCCL and MSCCL kernels and custom
    /// all-reduce kernels.
    /// </summary>
    Communication,

    /// <summary>
    /// Memory transfers and fills done by copy engines or DMA: <c>Memcpy HtoD/DtoH/DtoD</c>,
    /// <c>Memset</c>, <c>hipMemcpy*</c> and DMA requests.
    /// </summary>
    Memory,

    /// <summary>
    /// A name that matches no known pattern.
    /// </summary>
    Other,
}
