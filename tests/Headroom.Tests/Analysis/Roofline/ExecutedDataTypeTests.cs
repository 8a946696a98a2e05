using Headroom.Analysis.Roofline;
using Xunit;
using CostUnit = Headroom.Costs.ComputeUnit;

namespace Headroom.Tests.Analysis.Roofline;

/// <summary>The peak an op is compared with follows the precision its kernels actually ran in.</summary>
public sealed class ExecutedDataTypeTests
{
    [Theory]
    [InlineData("fp32", CostUnit.Matrix, "void cutlass::Kernel<cutlass_80_tensorop_s1688gemm_64x64_32x6_tn_align4>(Params)", "tf32")]
    [InlineData("fp32", CostUnit.Matrix, "sm80_xmma_gemm_f32f32_tf32f32_f32_nn_n_tilesize128x128x16_stage4", "tf32")]
    [InlineData("fp32", CostUnit.Matrix, "volta_sgemm_128x64_nn", "fp32")]
    [InlineData("fp32", CostUnit.Matrix, "ampere_sgemm_128x64_nn", "fp32")]
    [InlineData("fp32", CostUnit.Vector, "tf32_looking_elementwise_kernel", "fp32")]
    [InlineData("bf16", CostUnit.Matrix, "sm80_xmma_gemm_bf16bf16_bf16f32_f32_tf32", "bf16")]
    public void Fp32_matrix_ops_on_tf32_tensor_core_kernels_are_compared_with_the_tf32_peak(string dtype, CostUnit unit, string kernel, string expected) =>
        Assert.Equal(expected, RooflineAnalysis.ExecutedDataType(dtype, unit, [kernel]));
}
