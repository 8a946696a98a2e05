using Headroom.Analysis;
using Headroom.Analysis.Comparison;
using Headroom.Hardware;
using Headroom.Pipeline;
using Headroom.Tests.Support;
using Xunit;

namespace Headroom.Tests.Analysis.Comparison;

/// <summary>Synthetic runs with known changes, shared by the diff and gate tests.</summary>
internal static class DiffTraces
{
    /// <summary>The ops of every step: (op, kernel, µs).</summary>
    private static readonly (string Op, string Kernel, double Us)[] StepOps =
    [
        ("aten::mm", "sm90_xmma_gemm_f32f32", 200), ("aten::relu", "relu_kernel", 50), ("aten::add", "add_kernel", 80), ("aten::softmax", "softmax_kernel", 100),
    ];

    /// <summary>
    /// A device-bound trace of <paramref name="steps"/> steps running the four ops back to back; each kernel's time varies by up to
    /// ±<paramref name="noise"/> (a fraction, from <paramref name="seed"/>), and aten::mm is <paramref name="mmSlowdown"/> slower.
    /// </summary>
    public static string Write(int steps, double noise, int seed, double mmSlowdown = 0)
    {
        var random = new Random(seed);
        var b = new KinetoTraceBuilder();
        long correlation = 1;
        var device = 50.0;
        for (var k = 0; k < steps; k++)
        {
            // the host runs ahead (200 µs steps), so the device runs the kernels back to back: step time is device-bound
            var t0 = k * 200.0;
            b.Step(k + 1, t0, 200);
            var host = t0 + 5;
            foreach (var (op, kernel, us) in StepOps)
            {
                var d = us * (1 + (noise * ((2 * random.NextDouble()) - 1))) * (op == "aten::mm" ? 1 + mmSlowdown : 1);
                d = Math.Round(d, 3);
                b.Op(op, host, 10, inputDims: "[[64,64],[64,64]]").Launch(correlation, host + 1).Kernel(kernel, device, d, correlation);
                correlation++;
                host += 20;
                device += d + 2;
            }
        }

        return b.WriteTemp($"synthetic-{seed}-{mmSlowdown}.json");
    }

    /// <summary>The comparable form of the traces at <paramref name="paths"/>.</summary>
    public static ComparableRun Load(params string[] paths)
    {
        var outcome = AnalysisPipeline.AnalyzeFiles(paths, new AnalysisOptions(Catalog: HardwareCatalog.BuiltIn, Comparable: true));
        Assert.NotNull(outcome.Result);
        return ComparableRun.From(outcome.Result, string.Join(" ", paths.Select(Path.GetFileName)), "test");
    }
}

public sealed class RunDiffAnalysisTests
{
    private static readonly Lazy<ComparableRun> BertH100 = new(() => DiffTraces.Load(SharedData.Require("traces/kineto/tracelens-h100-bert-small-infer.json.gz")));
    private static readonly Lazy<ComparableRun> BertMi300x = new(() => DiffTraces.Load(SharedData.Require("traces/kineto/tracelens-mi300x-bert-small-infer.json.gz")));
    private static readonly Lazy<ComparableRun> Control = new(() => DiffTraces.Load(SharedData.Require("traces/kineto/hta-diff-pair/control-a100-rank3of8.json.gz")));
    private static readonly Lazy<ComparableRun> Test = new(() => DiffTraces.Load(SharedData.Require("traces/kineto/hta-diff-pair/test-v100-rank1of2.json.gz")));

    private static void AssertAddsUp(RunDiffResult diff)
    {
        var d = diff.Decomposition;
        Assert.Equal(diff.StepTime.Delta, d.OpsNs + d.IdleNs + d.OverlapAndRestNs, 3);
    }

    [Fact]
    public void Bert_on_H100_and_MI300X_matches_ops_by_signature_and_skips_kernels()
    {
        // Given the same bert-small inference on an H100 (NVIDIA) and an MI300X (AMD): one step each
        SharedData.Require();

        // When compared
        var diff = RunDiffAnalysis.Compare(BertH100.Value, BertMi300x.Value);

        // Then every one of the 16 op signatures with device time matches across vendors, and kernels are not compared
        Assert.False(diff.SameHardware);
        Assert.False(diff.SameVendor);
        Assert.Equal(["NVIDIA"], diff.Baseline.Vendors);
        Assert.Equal(["AMD"], diff.Candidate.Vendors);
        Assert.Equal(["h100-sxm"], diff.Baseline.HardwareIds);
        Assert.Equal(["mi300x"], diff.Candidate.HardwareIds);
        Assert.Null(diff.Kernels);
        Assert.Equal(16, diff.MatchedOps);
        Assert.DoesNotContain(diff.Ops, o => o.Change is DiffChange.New or DiffChange.Removed);

        // with one step per run there is no interval: every change is reported with its sign and no significance
        Assert.Equal((1, 1), (diff.StepTime.BaselineSamples, diff.StepTime.CandidateSamples));
        Assert.Null(diff.StepTime.Significant);
        Assert.Equal(-0.105, diff.StepTime.Relative!.Value, 3);
        var flash = diff.Ops[0];
        Assert.Equal(("aten::_flash_attention_forward", DiffChange.Slower), (flash.Name, flash.Change));
        AssertAddsUp(diff);
    }

    [Fact]
    public void The_hta_diff_pair_is_a_significant_slowdown_with_kernels_compared_within_NVIDIA()
    {
        // Given HTA's trace-diff pair: the same recommender, rank 3 of 8 on A100 (control) and rank 1 of 2 on V100 (test), 6 steps each
        SharedData.Require();

        // When compared
        var diff = RunDiffAnalysis.Compare(Control.Value, Test.Value);

        // Then the hardware differs but the vendor does not, so kernels are compared by name as well
        Assert.False(diff.SameHardware);
        Assert.True(diff.SameVendor);
        Assert.NotNull(diff.Kernels);
        Assert.Equal((6, 6), (diff.StepTime.BaselineSamples, diff.StepTime.CandidateSamples));

        // the V100 run is 60% slower per step, and the interval says so
        Assert.True(diff.StepTime.Significant);
        Assert.Equal(0.603, diff.StepTime.Relative!.Value, 3);
        Assert.True(diff.StepTime.CiLow > 0);

        // ops: 101 signatures in both runs (of 301 rows each: 300 and "(other)"), the rest differ in shapes
        Assert.Equal(101, diff.MatchedOps);
        Assert.Equal(200, diff.Ops.Count(o => o.Change == DiffChange.New));
        Assert.Equal(200, diff.Ops.Count(o => o.Change == DiffChange.Removed));
        Assert.Contains(diff.Ops, o => o.Change == DiffChange.Slower && o.PerStepNs.Significant == true);

        // the op rows reconcile with the device time launched per step, and the rows add up to the step delta
        double OpsPerStep(ComparableRun run) => run.Ranks.Sum(r => r.Tables.Ops.Sum(o => (double)o.PerStepNs.Sum())) / run.Ranks.Sum(r => r.Tables.StepNumbers.Count);
        Assert.Equal(OpsPerStep(Test.Value) - OpsPerStep(Control.Value), diff.Decomposition.OpsNs, 0);
        AssertAddsUp(diff);
        Assert.True(diff.Mfu!.Significant);
        Assert.True(diff.Mfu.Delta < 0);
    }

    [Fact]
    public void A_run_against_itself_has_no_change()
    {
        // Given the control trace compared with itself
        SharedData.Require();
        var diff = RunDiffAnalysis.Compare(Control.Value, Control.Value);

        // Then nothing changed and nothing is significant
        Assert.Equal(0, diff.StepTime.Delta);
        Assert.False(diff.StepTime.Significant);
        Assert.True(diff.SameHardware);
        Assert.All(diff.Ops, o => Assert.Equal(DiffChange.Unchanged, o.Change));
        Assert.All(diff.Kernels!, k => Assert.Equal(DiffChange.Unchanged, k.Change));
        Assert.Equal(0, diff.Decomposition.OverlapAndRestNs);
        var gate = GateAnalysis.Evaluate(Control.Value, Control.Value, GateMetric.StepTime, 0.0);
        Assert.False(gate!.Fails);
    }

    [Fact]
    public void An_injected_slowdown_of_one_op_is_significant_and_attributed_to_it()
    {
        // Given 8 steps with ±3% noise per kernel, and the same noise with aten::mm 30% (60 µs) slower
        var baseline = DiffTraces.Load(DiffTraces.Write(8, 0.03, 7));
        var candidate = DiffTraces.Load(DiffTraces.Write(8, 0.03, 7, mmSlowdown: 0.3));

        // When compared
        var diff = RunDiffAnalysis.Compare(baseline, candidate);

        // Then step time is significantly slower by about 60 µs, all of it in aten::mm, and the other ops are unchanged
        Assert.True(diff.StepTime.Significant, $"{diff.StepTime} steps {string.Join(",", baseline.Ranks[0].Tables.StepNs)} / {string.Join(",", candidate.Ranks[0].Tables.StepNs)}");
        Assert.InRange(diff.StepTime.Delta, 55_000, 65_000);
        var mm = diff.Ops[0];
        Assert.Equal(("aten::mm", "[[64,64],[64,64]]", DiffChange.Slower, true), (mm.Name, mm.InputDims, mm.Change, mm.PerStepNs.Significant));
        Assert.Equal(diff.StepTime.Delta, mm.PerStepNs.Delta, 0.01 * diff.StepTime.Delta);
        Assert.All(diff.Ops.Skip(1), o => Assert.Equal(DiffChange.Unchanged, o.Change));
        Assert.Equal(diff.Decomposition.SlowerNs, mm.PerStepNs.Delta);
        AssertAddsUp(diff);

        // and the gate fails above a 3% threshold but not at 20% (the regression is about 13%)
        var gate = GateAnalysis.Evaluate(baseline, candidate, GateMetric.StepTime, 0.03)!;
        Assert.True(gate.Fails);
        Assert.InRange(gate.Regression!.Value, 0.11, 0.15);
        Assert.False(GateAnalysis.Evaluate(baseline, candidate, GateMetric.StepTime, 0.20)!.Fails);
        Assert.True(GateAnalysis.Evaluate(baseline, candidate, new GateMetric(GateMetricKind.Op, "aten::mm"), 0.03)!.Fails);
        Assert.False(GateAnalysis.Evaluate(baseline, candidate, new GateMetric(GateMetricKind.Op, "aten::relu"), 0.03)!.Fails);
        Assert.Null(GateAnalysis.Evaluate(baseline, candidate, new GateMetric(GateMetricKind.Op, "aten::conv2d"), 0.03));
    }

    [Fact]
    public void Pure_noise_is_not_significant()
    {
        // Given two runs of the same work with independent ±5% noise per kernel
        var a = DiffTraces.Load(DiffTraces.Write(10, 0.05, 1));
        var b = DiffTraces.Load(DiffTraces.Write(10, 0.05, 2));

        // When compared
        var diff = RunDiffAnalysis.Compare(a, b);

        // Then the step time moved, but within its interval, and the gate passes even at 0%
        Assert.NotEqual(0, diff.StepTime.Delta);
        Assert.False(diff.StepTime.Significant);
        Assert.True(diff.StepTime.CiLow < 0 && diff.StepTime.CiHigh > 0);
        Assert.False(GateAnalysis.Evaluate(a, b, GateMetric.StepTime, 0)!.Fails);
        Assert.True(diff.SameVendor);
        Assert.NotNull(diff.Kernels);
    }

    [Theory]
    [InlineData("step_time", GateMetricKind.StepTime, null)]
    [InlineData("mfu", GateMetricKind.Mfu, null)]
    [InlineData("exposed_comm", GateMetricKind.ExposedCommunication, null)]
    [InlineData("op:aten::mm", GateMetricKind.Op, "aten::mm")]
    public void Gate_metrics_parse(string text, GateMetricKind kind, string? op)
    {
        var metric = GateMetric.Parse(text);
        Assert.Equal(new GateMetric(kind, op), metric);
        Assert.Equal(text, metric!.ToString());
    }

    [Fact]
    public void A_drop_in_MFU_is_the_regression()
    {
        var lower = new DeltaEstimate(0.40, 0.30, 5, 5, 0.01, 0.01, -0.12, -0.08);
        var gate = GateAnalysis.Verdict(new GateMetric(GateMetricKind.Mfu), lower, 0.03);
        Assert.True(gate.Fails);
        Assert.Equal(0.25, gate.Regression!.Value, 9);
        Assert.False(GateAnalysis.Verdict(new GateMetric(GateMetricKind.Mfu), lower with { Baseline = 0.30, Candidate = 0.40, CiLow = 0.08, CiHigh = 0.12 }, 0.03).Fails);
    }
}
