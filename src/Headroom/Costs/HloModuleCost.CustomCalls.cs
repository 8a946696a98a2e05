namespace Headroom.Costs;

/// <summary>
/// Library custom calls beyond GEMMs and forward convolutions (docs/cost-model.md, "HLO instructions"): cuDNN/MIOpen
/// backward convolutions. Every dimension is read from the operand shapes and cross-checked; a reading that is not
/// certain gives no cost rather than a guess.
/// </summary>
public sealed partial class HloModuleCost
{
    // XLA's targets (xla/service/gpu/cublas_cudnn.cc); ROCm's XLA keeps the same names for its MIOpen calls
    private const string CudnnConvBackwardInput = "__cudnn$convBackwardInput";
    private const string CudnnConvBackwardFilter = "__cudnn$convBackwardFilter";

    /// <summary>
    /// A backward convolution's FLOPs: those of the forward convolution it differentiates, 2 · forward-output elements ·
    /// kernel elements per output feature. The dimension numbers describe that forward convolution (input x, kernel w,
    /// output y; XLA's gpu_conv_runner): convBackwardInput reads (dy, w) and writes dx, convBackwardFilter reads (x, dy)
    /// and writes dw. Null when a shape does not fit the dimension numbers.
    /// </summary>
    private static double? BackwardConvolutionFlops(bool filter, HloConvolutionDimensions? dn, HloShape result, List<HloShape> operands)
    {
        if (dn is null || operands.Count < 2)
        {
            return null;
        }

        var (x, w, y) = filter ? (operands[0], result, operands[1]) : (result, operands[1], operands[0]);
        if (x.Tuple.Count > 0 || w.Tuple.Count > 0 || y.Tuple.Count > 0
            || !FitsConvolution(x.Dims, dn.InputBatch, dn.InputFeature, dn.InputSpatial)
            || !FitsConvolution(w.Dims, dn.KernelOutputFeature, dn.KernelInputFeature, dn.KernelSpatial)
            || !FitsConvolution(y.Dims, dn.OutputBatch, dn.OutputFeature, dn.OutputSpatial)
            || y.Dims[(int)dn.OutputFeature] != w.Dims[(int)dn.KernelOutputFeature]
            || x.Dims[(int)dn.InputBatch] != y.Dims[(int)dn.OutputBatch])
        {
            return null;
        }

        return 2 * y.Elements * (w.Elements / w.Dims[(int)dn.KernelOutputFeature]);
    }

    /// <summary>The dimensions are a convolution operand's: 2 + spatial of them, all positive, each named once by the dimension numbers.</summary>
    private static bool FitsConvolution(IReadOnlyList<long> dims, long a, long b, IReadOnlyList<long> spatial)
    {
        var rank = dims.Count;
        if (rank != 2 + spatial.Count || dims.Any(d => d <= 0))
        {
            return false;
        }

        var seen = new HashSet<long>();
        return spatial.Append(a).Append(b).All(d => d >= 0 && d < rank && seen.Add(d));
    }
}
