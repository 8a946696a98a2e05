using Headroom.Analysis;
using Headroom.Analysis.Breakdown;
using Headroom.Analysis.Kernels;
using Headroom.Ingest;
using Headroom.Tests.Support;
using Xunit;

namespace Headroom.Tests.Analysis.Breakdown;

/// <summary>Specification of the per-kernel, per-category and per-op tables.</summary>
public sealed class KernelAndOpBreakdownTests
{
    [Theory]
    [InlineData(new long[] { 10 }, 0.50, 10)]
    [InlineData(new long[] { 1, 2, 3, 4 }, 0.50, 2)]
    [InlineData(new long[] { 1, 2, 3, 4 }, 0.95, 4)]
    [InlineData(new long[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 }, 0.95, 19)]
    [InlineData(new long[] { }, 0.5, 0)]
    public void Percentiles_are_nearest_rank(long[] sorted, double p, long expected) =>
        Assert.Equal(expected, KernelBreakdownAnalysis.Percentile(sorted, p));

    [Fact]
    public void Aggregates_kernels_by_name_and_category()
    {
        var trace = new KinetoTraceBuilder()
            .LaunchedKernel("aten::mm", "volta_sgemm_64x64_nt", 1, 0, 100, 10)
            .LaunchedKernel("aten::mm", "volta_sgemm_64x64_nt", 2, 20, 120, 30)
            .LaunchedKernel("aten::add_", "void at::native::vectorized_elementwise_kernel<4, at::native::AddFunctor<float> >(int)", 3, 40, 160, 5);
        var run = TraceLoader.Load([trace.WriteTemp()]).Run!;
        var rank = TraceAnalysis.Analyze(run, new AnalysisOptions()).Ranks[0];

        var gemm = rank.Kernels.ByName[0];
        Assert.Equal("volta_sgemm_64x64_nt", gemm.Name);
        Assert.Equal(KernelCategory.Gemm, gemm.Category);
        Assert.Equal((2L, 40_000L, 20_000L, 10_000L, 30_000L), (gemm.Count, gemm.TotalNs, gemm.MeanNs, gemm.MinNs, gemm.MaxNs));
        Assert.Equal(40.0 / 45.0, gemm.ShareOfBusy, 6);
        Assert.Equal([KernelCategory.Gemm, KernelCategory.Elementwise], rank.Kernels.ByCategory.Select(c => c.Category));
        Assert.Equal(2, rank.Kernels.DistinctNames);
    }

    [Fact]
    public void Sums_names_beyond_the_top_into_one_other_row()
    {
        var trace = new KinetoTraceBuilder();
        for (var i = 0; i < 5; i++)
        {
            trace.LaunchedKernel("aten::op", $"kernel_{i}", i + 1, i * 20, 200 + (i * 20), 10 - i);
        }

        var run = TraceLoader.Load([trace.WriteTemp()]).Run!;
        var rank = TraceAnalysis.Analyze(run, new AnalysisOptions(TopKernels: 2)).Ranks[0];
        Assert.Equal(3, rank.Kernels.ByName.Count);
        var other = rank.Kernels.ByName[^1];
        Assert.Equal("other (3 names)", other.Name);
        Assert.Equal(3, other.Count);
        Assert.Equal((8 + 7 + 6) * 1000, other.TotalNs);
    }

    [Fact]
    public void Charges_device_time_to_the_innermost_op_and_inclusively_to_its_parents()
    {
        // aten::linear encloses aten::addmm, which launches a GEMM; aten::linear itself launches a copy.
        var trace = new KinetoTraceBuilder()
            .Op("aten::linear", 0, 100)
            .Op("aten::addmm", 10, 50)
            .Launch(1, 20)
            .Kernel("sm90_xmma_gemm_bf16bf16_bf16f32", 200, 40, 1)
            .Launch(2, 70)
            .Kernel("vectorized_elementwise_kernel", 250, 10, 2)
            .Launch(3, 150) // outside any op
            .Kernel("vectorized_elementwise_kernel", 300, 5, 3);
        var run = TraceLoader.Load([trace.WriteTemp()]).Run!;
        var ops = TraceAnalysis.Analyze(run, new AnalysisOptions()).Ranks[0].Ops;

        var addmm = Assert.Single(ops, o => o.Name == "aten::addmm");
        Assert.Equal((1L, 1L, 40_000L, 40_000L), (addmm.Calls, addmm.KernelCount, addmm.GpuSelfNs, addmm.GpuInclusiveNs));
        var linear = Assert.Single(ops, o => o.Name == "aten::linear");
        Assert.Equal((1L, 10_000L, 50_000L), (linear.KernelCount, linear.GpuSelfNs, linear.GpuInclusiveNs));
        var none = Assert.Single(ops, o => o.Name == "(no op)");
        Assert.Equal(5_000, none.GpuSelfNs);
        Assert.Equal("aten::addmm", ops[0].Name);
    }
}
