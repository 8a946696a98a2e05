using Headroom.Hardware;
using CostUnit = Headroom.Costs.ComputeUnit;

namespace Headroom.Analysis.Roofline;

/// <summary>Model and hardware FLOPs utilisation of one step.</summary>
/// <param name="Step">ProfilerStep number; null for the whole analysed window when the trace has no steps.</param>
/// <param name="TimeNs">Step time: the step's device window, ns.</param>
/// <param name="ModelFlops">Matrix-unit FLOPs of the model in the step (recomputation excluded).</param>
/// <param name="HardwareFlops">Matrix-unit FLOPs the hardware ran in the step (recomputation included).</param>
/// <param name="PeakSecondsModel">Σ model FLOPs / the peak of the dtype each ran at: the step's time at peak, s.</param>
/// <param name="PeakSecondsHardware">The same for hardware FLOPs, s.</param>
/// <param name="Mfu">PeakSecondsModel / step time; null without a device.</param>
/// <param name="Hfu">PeakSecondsHardware / step time; null without a device.</param>
public sealed record StepMfu(long? Step, long TimeNs, double ModelFlops, double HardwareFlops, double PeakSecondsModel, double PeakSecondsHardware,
    double? Mfu, double? Hfu)
{
    /// <summary>Model FLOPs per second of step time.</summary>
    public double ModelFlopsPerSecond => TimeNs > 0 ? ModelFlops / (TimeNs / 1e9) : 0;
}

/// <summary>MFU and HFU of one rank (docs/headroom.md).</summary>
/// <param name="Steps">Per step (or one row for the window when there are no steps).</param>
/// <param name="Mfu">Over all those steps: Σ peak seconds (model) / Σ step time; null without a device or time.</param>
/// <param name="Hfu">The same with hardware FLOPs.</param>
/// <param name="Peak">The peak(s) used, by the dtype they ran at, most FLOPs first: "bf16 matrix 989.4 TFLOP/s".</param>
/// <param name="MatrixCoverage">Share of GEMM, convolution and attention kernel time charged to an op with an estimate: MFU counts only that work (1 without such kernels).</param>
/// <param name="RecomputedFlops">Matrix FLOPs recognised as activation-checkpoint recomputation (in HFU, not MFU).</param>
public sealed record MfuResult(IReadOnlyList<StepMfu> Steps, double? Mfu, double? Hfu, IReadOnlyList<string> Peak, double MatrixCoverage, double RecomputedFlops);

/// <summary>
/// MFU with the MLPerf convention: the model's matrix FLOPs in a step divided by (peak × step time). With several
/// dtypes, each op's FLOPs are divided by the peak of the dtype it ran at (an fp32 matmul run by TF32 kernels at the
/// TF32 peak, as the roofline does), which is the usual ratio when there is one dtype. HFU counts the FLOPs the
/// hardware ran, recomputation of checkpointed activations included. Vector FLOPs (elementwise, norms) are in neither.
/// </summary>
public static class MfuAnalysis
{
    /// <summary>Computes MFU per step. <paramref name="steps"/>: (number, window start, window end) of the analysed steps; empty: one row for the window.</summary>
    public static MfuResult Compute(OpCharges charges, IReadOnlyList<(long? Number, long StartNs, long EndNs)> steps, DeviceSpec? device)
    {
        ArgumentNullException.ThrowIfNull(charges);
        ArgumentNullException.ThrowIfNull(steps);
        var strings = charges.Trace.Strings;
        var ordered = steps.Where(s => s.EndNs > s.StartNs).OrderBy(s => s.StartNs).ToList();
        var model = new double[ordered.Count];
        var hardware = new double[ordered.Count];
        var peakModel = new double[ordered.Count];
        var peakHardware = new double[ordered.Count];
        var flopsByPeak = new Dictionary<string, double>(StringComparer.Ordinal);
        double recomputed = 0;
        var starts = ordered.Select(s => s.StartNs).ToArray();
        foreach (var op in charges.Ops)
        {
            if (op.Cost.Unit != CostUnit.Matrix || op.Cost.Flops <= 0)
            {
                continue;
            }

            var i = Array.BinarySearch(starts, op.FirstStartNs);
            i = i >= 0 ? i : ~i - 1;
            if (i < 0 || op.FirstStartNs >= ordered[i].EndNs)
            {
                continue; // launched outside every analysed step
            }

            var flops = op.Cost.Flops;
            double seconds = 0;
            if (device is not null)
            {
                var names = op.KernelNames.Select(n => strings[n]).ToList();
                var dtype = RooflineAnalysis.ExecutedDataType(op.Cost.DataType, op.Cost.Unit, names);
                var (peak, label) = RooflineAnalysis.PeakFor(device, dtype, CostUnit.Matrix);
                if (peak is { PerSecond: > 0 } p)
                {
                    seconds = flops / p.PerSecond;
                    var key = $"{label} {p.PerSecond / 1e12:0.#} TFLOP/s";
                    flopsByPeak[key] = flopsByPeak.GetValueOrDefault(key) + flops;
                }
            }

            hardware[i] += flops;
            peakHardware[i] += seconds;
            if (op.Recomputed)
            {
                recomputed += flops;
            }
            else
            {
                model[i] += flops;
                peakModel[i] += seconds;
            }
        }

        var hasDevice = device is not null;
        var rows = new List<StepMfu>(ordered.Count);
        long totalTime = 0;
        double totalModel = 0, totalHardware = 0;
        for (var i = 0; i < ordered.Count; i++)
        {
            var time = ordered[i].EndNs - ordered[i].StartNs;
            totalTime += time;
            totalModel += peakModel[i];
            totalHardware += peakHardware[i];
            var seconds = time / 1e9;
            rows.Add(new StepMfu(ordered[i].Number, time, model[i], hardware[i], peakModel[i], peakHardware[i],
                hasDevice ? peakModel[i] / seconds : null, hasDevice ? peakHardware[i] / seconds : null));
        }

        var coverage = charges.MatrixKernelTimeNs == 0 ? 1 : (double)charges.CoveredMatrixKernelTimeNs / charges.MatrixKernelTimeNs;
        var peaks = flopsByPeak.OrderByDescending(kv => kv.Value).Select(kv => kv.Key).ToList();
        return new MfuResult(rows, hasDevice && totalTime > 0 ? totalModel / (totalTime / 1e9) : null,
            hasDevice && totalTime > 0 ? totalHardware / (totalTime / 1e9) : null, peaks, coverage, recomputed);
    }
}
