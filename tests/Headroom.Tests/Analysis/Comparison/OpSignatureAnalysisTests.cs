using Headroom.Analysis;
using Headroom.Analysis.Comparison;
using Headroom.Ingest;
using Headroom.Model;
using Headroom.Tests.Support;
using Xunit;

namespace Headroom.Tests.Analysis.Comparison;

public sealed class OpSignatureAnalysisTests
{
    [Fact]
    public void Op_signatures_are_keyed_by_name_and_shapes_with_per_step_samples()
    {
        // Given two steps: step 1 runs aten::mm [2,3]x[3,4] (10 µs) and aten::mm [8,3]x[3,4] (20 µs); step 2 the first one
        // again (12 µs) and a kernel outside any op (5 µs)
        var b = new KinetoTraceBuilder().Step(1, 0, 1000).Step(2, 1000, 1000)
            .Op("aten::mm", 10, 10, inputDims: "[[2,3],[3,4]]").Launch(1, 12).Kernel("gemm_a", 100, 10, 1)
            .Op("aten::mm", 30, 10, inputDims: "[[8,3],[3,4]]").Launch(2, 32).Kernel("gemm_b", 200, 20, 2)
            .Op("aten::mm", 1010, 10, inputDims: "[[2,3],[3,4]]").Launch(3, 1012).Kernel("gemm_a", 1100, 12, 3)
            .Launch(4, 1020).Kernel("stray", 1200, 5, 4);
        var load = TraceLoader.Load([b.WriteTemp("signatures.json")]);
        Assert.NotNull(load.Run);

        // When analysed with comparable tables
        var rank = TraceAnalysis.AnalyzeRank(load.Run.Ranks[0], new AnalysisOptions(Comparable: true), false, new DiagnosticBag());

        // Then each signature has its own row with per-step samples, and the stray kernel is "(no op)"
        var c = Assert.IsType<ComparableRank>(rank.Comparable);
        Assert.Equal([1L, 2L], c.StepNumbers);
        var small = Assert.Single(c.Ops, o => o.InputDims == "[[2,3],[3,4]]");
        Assert.Equal(("aten::mm", 2L, 2L, 22_000L), (small.Name, small.Calls, small.Kernels, small.TotalNs));
        Assert.Equal([10_000L, 12_000L], small.PerStepNs);
        var large = Assert.Single(c.Ops, o => o.InputDims == "[[8,3],[3,4]]");
        Assert.Equal([20_000L, 0L], large.PerStepNs);
        var stray = Assert.Single(c.Ops, o => o.Name == "(no op)");
        Assert.Equal([0L, 5_000L], stray.PerStepNs);
        Assert.Equal([("gemm_a", 22_000L), ("gemm_b", 20_000L), ("stray", 5_000L)], c.Kernels.Select(k => (k.Name, k.TotalNs)));
        Assert.Null(TraceAnalysis.AnalyzeRank(load.Run.Ranks[0], new AnalysisOptions(), false, new DiagnosticBag()).Comparable);
    }

    [Fact]
    public void XLA_ops_are_signed_by_their_name_shape_and_category_with_one_call_per_execution()
    {
        // Given the 8-GPU 3-D convolution XSpace: on GPU 0, MIOpen runs cudnn-conv.1 (bf16[1,5120,34,31,53]) as Im3d2Col then
        // a GEMM, five times (nine kernels: the first Im3d2Col names no op)
        var load = TraceLoader.Load([SharedData.Require("traces/xplane/tracelens-mi300x-jax-conv3d-8gpu.xplane.pb")]);

        // When rank 0 is analysed with comparable tables
        var rank = TraceAnalysis.AnalyzeRank(load.Run!.Ranks[0], new AnalysisOptions(Comparable: true), false, new DiagnosticBag());

        // Then the convolution is one signature as the roofline names it: five calls of nine kernels, with the roofline's time
        var c = Assert.IsType<ComparableRank>(rank.Comparable);
        var conv = Assert.Single(c.Ops, o => o.Name == "cudnn-conv.1");
        Assert.Equal(("convolution custom-call", 5L, 9L), (conv.InputTypes, conv.Calls, conv.Kernels));
        Assert.StartsWith("bf16[1,5120,34,31,53]", conv.InputDims, StringComparison.Ordinal);
        var roofline = Assert.Single(rank.Roofline.Ops, o => o.Name == "cudnn-conv.1");
        Assert.Equal(roofline.TimeNs, conv.TotalNs);
    }
}
