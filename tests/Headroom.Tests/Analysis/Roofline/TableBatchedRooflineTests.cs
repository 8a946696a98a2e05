using System.Globalization;
using Headroom.Analysis;
using Headroom.Analysis.Roofline;
using Headroom.Ingest;
using Headroom.Model;
using Headroom.Tests.Costs;
using Headroom.Tests.Support;
using Xunit;

namespace Headroom.Tests.Analysis.Roofline;

/// <summary>
/// The roofline links an fbgemm table-batched embedding lookup with its backward node in the same trace: the node's grad
/// [B, total_D] gives the lookup its total_D, the lookup gives the node N and T; an ambiguous key gives neither.
/// </summary>
public sealed class TableBatchedRooflineTests
{
    private const string Lookup = "fbgemm::split_embedding_codegen_lookup_adagrad_function";
    private const string Backward = "torch::autograd::CppNode<SplitLookupFunction_adagrad_Op>";

    private static string TypedOp(string name, double ts, double dur, string dims, string types) =>
        $"{{\"ph\": \"X\", \"cat\": \"cpu_op\", \"name\": \"{name}\", \"pid\": 100, \"tid\": 1, \"ts\": {ts.ToString(CultureInfo.InvariantCulture)}, " +
        $"\"dur\": {dur.ToString(CultureInfo.InvariantCulture)}, \"args\": {{\"Input Dims\": {dims}, \"Input type\": {types}}}}}";

    /// <summary>
    /// The Adagrad lookup of <see cref="TableBatchedCostTests"/> (T = 2, B = 3, N = 10) launching a 20 µs forward kernel,
    /// then its backward node (grad [3, 8]) launching a 30 µs backward kernel; <paramref name="secondWidth"/> adds a
    /// second backward node of the same optimizer and batch with another grad width, launching a 10 µs kernel.
    /// </summary>
    private static RooflineResult Analyse(long? secondWidth = null)
    {
        var b = new KinetoTraceBuilder()
            .Raw(TypedOp(Lookup, 100, 50, TableBatchedCostTests.AdagradDims, TableBatchedCostTests.AdagradTypes))
            .Launch(1, 110, 5)
            .Kernel("void split_embedding_codegen_forward_unweighted_kernel<float, float, float, false, long, 1ul, 8ul>", 200, 20, 1)
            .Raw(TypedOp(Backward, 1000, 50, "[[3,8]]", "[\"float\"]"))
            .Launch(2, 1010, 5)
            .Kernel("void split_embedding_backward_codegen_adagrad_unweighted_kernel_warp_per_row_1<float, float, float, 1ul, 8>", 1100, 30, 2);
        if (secondWidth is { } width)
        {
            b.Raw(TypedOp(Backward, 2000, 50, $"[[3,{width}]]", "[\"float\"]"))
                .Launch(3, 2010, 5)
                .Kernel("void split_embedding_backward_codegen_adagrad_unweighted_kernel_warp_per_row_1<float, float, float, 1ul, 8>", 2100, 10, 3);
        }

        var load = TraceLoader.Load([b.WriteTemp()]);
        Assert.NotNull(load.Run);
        var activities = RankActivities.Select(load.Run.Ranks[0], htaCompatible: false, jobHasSeveralSteps: false, new DiagnosticBag());
        return RooflineAnalysis.Compute(activities, RooflineFormulaTests.Device);
    }

    [Fact]
    public void The_lookup_takes_total_D_from_its_backward_node_and_the_node_takes_N_and_T_from_the_lookup()
    {
        var result = Analyse();
        // lookup: 40 FLOPs, 296 + 96 = 392 bytes; backward: 320 FLOPs, 552 + 320 = 872 bytes (hand-worked in TableBatchedCostTests)
        var lookup = Assert.Single(result.Ops, o => o.Name == Lookup);
        Assert.Equal(40, lookup.Flops);
        Assert.Equal(392, lookup.Bytes);
        Assert.Equal(20_000, lookup.TimeNs);
        Assert.Contains("total_D=8 (from the backward's grad [B, total_D])", lookup.Formula, StringComparison.Ordinal);
        var backward = Assert.Single(result.Ops, o => o.Name == Backward);
        Assert.Equal(320, backward.Flops);
        Assert.Equal(872, backward.Bytes);
        Assert.Equal(30_000, backward.TimeNs);
        Assert.Equal(1.0, result.Coverage);
    }

    [Fact]
    public void Two_grad_widths_the_lookup_both_admits_leave_the_key_without_estimates()
    {
        var result = Analyse(secondWidth: 12);
        Assert.Empty(result.Ops);
        Assert.Equal(0.0, result.Coverage);
        // all 60 µs were launched by ops that recorded shapes: none of it is covered
        Assert.Equal(60_000, result.ComputationTimeNs);
        Assert.Equal(0.0, result.CoverageWhereShapesRecorded);
    }
}
