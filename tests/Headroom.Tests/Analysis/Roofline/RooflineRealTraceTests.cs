using System.Globalization;
using Headroom.Analysis;
using Headroom.Analysis.Roofline;
using Headroom.Hardware;
using Headroom.Ingest;
using Headroom.Model;
using Headroom.Tests.Support;
using Xunit;

namespace Headroom.Tests.Analysis.Roofline;

/// <summary>
/// The roofline over the shared traces that recorded shapes, against the device detected from their metadata: cost
/// coverage is reported, every value is finite, and no op lies above its ceiling unless its kernels run Winograd or FFT
/// algorithms (model FLOPs above hardware FLOPs), which are flagged, not clipped.
/// </summary>
public sealed class RooflineRealTraceTests
{
    public static TheoryData<string> Traces() =>
    [
        "tracelens-h100-bert-small-infer.json.gz",
        "tracelens-h100-vit-infer.json.gz",
        "tracelens-mi300x-bert-small-infer.json.gz",
        "kineto-v100-resnet50-train-w0.json.gz",
        "param-v100-dlrm-8rank/rank-0.json.gz",
        "tracelens-mi300x-ddp-resnet18-train.json.gz",
        "hta-diff-pair/control-a100-rank3of8.json.gz",
        "hta-diff-pair/test-v100-rank1of2.json.gz",
    ];

    [Theory]
    [MemberData(nameof(Traces))]
    public void Ops_stay_under_their_ceiling_unless_a_Winograd_or_FFT_kernel_explains_it(string trace)
    {
        var path = SharedData.Require(Path.Combine("traces", "kineto", trace));
        var load = TraceLoader.Load([path]);
        Assert.NotNull(load.Run);
        var rank = load.Run.Ranks[0];
        var match = HardwareDetector.Detect(rank.Devices);
        Assert.NotNull(match.Spec);
        var activities = RankActivities.Select(rank, htaCompatible: false, jobHasSeveralSteps: false, new DiagnosticBag());
        var result = RooflineAnalysis.Compute(activities, match.Spec);

        var output = TestContext.Current.TestOutputHelper;
        output?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{trace} on {match.Spec.Id}: coverage {result.Coverage:P1} of computation ({result.CoveredComputationTimeNs / 1e6:0.###} of {result.ComputationTimeNs / 1e6:0.###} ms), {result.CoverageOfAll:P1} of all device time; {result.Ops.Count} op signatures"));
        foreach (var op in result.Ops.Take(3))
        {
            output?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  top: {op.Name} {op.InputDims} {op.DataType} {op.Peak}: {op.TimeNs / 1e6:0.###} ms, I={op.Intensity:0.#}, {op.AchievedFlopsPerSecond / 1e12:0.##} TFLOP/s, efficiency {op.Efficiency:P0}, {op.Bound}"));
        }

        foreach (var u in result.Uncovered.Take(5))
        {
            output?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  uncovered {u.Category}: {u.Kernels} kernels, {u.TimeNs / 1e6:0.###} ms"));
        }

        foreach (var op in result.Ops.Where(o => o.AboveRoofline).OrderByDescending(o => o.Efficiency).Take(25))
        {
            output?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  above x{op.Efficiency:0.###}: {op.Name} {op.InputDims} {op.DataType} {op.Peak} {op.TimeNs / 1e3:0.#} µs/{op.Kernels} kernels [{string.Join(" | ", op.KernelNames.Take(2).Select(n => n.Length > 60 ? n[..60] : n))}] {op.Note[..Math.Min(40, op.Note.Length)]} (formula: {op.Formula})"));
        }

        foreach (var note in result.Notes.Where(n => n.StartsWith("peak fallback", StringComparison.Ordinal)))
        {
            output?.WriteLine("  " + note);
        }

        foreach (var op in result.Ops)
        {
            foreach (var v in new[] { op.Flops, op.Bytes, op.AchievedFlopsPerSecond, op.AchievedBytesPerSecond, op.Intensity ?? 0,
                op.CeilingFlopsPerSecond ?? 0, op.Efficiency ?? 0, op.PeakFlopsPerSecond ?? 0 })
            {
                Assert.True(double.IsFinite(v) && v >= 0, $"{op.Name} {op.InputDims}: {v}");
            }

            Assert.NotNull(op.Efficiency);
        }

        Assert.True(double.IsFinite(result.Coverage) && result.Coverage is >= 0 and <= 1);
        var generic = result.Ops.Where(o => o.AboveRoofline && o.Note == RooflineAnalysis.AboveRooflineReason).ToList();
        var unexplained = generic
            .Select(o => string.Create(CultureInfo.InvariantCulture, $"{o.Name} {o.InputDims} {o.InputTypes} x{o.Efficiency:0.###} ({o.Peak}) [{string.Join(" | ", o.KernelNames.Take(2))}]"))
            .ToList();
        Assert.True(unexplained.Count == 0, "above the roofline without an explanation (Winograd/FFT, assumed stride, L2):\n" + string.Join("\n", unexplained));
    }
}
