using Headroom.Analysis;
using Headroom.Ingest;
using Headroom.Tests.Support;
using Xunit;

namespace Headroom.Tests.Analysis.Breakdown;

/// <summary>Specification of the GPU time breakdown on small synthetic traces (times in µs as Kineto writes them; results in ns).</summary>
public sealed class GpuTimeBreakdownTests
{
    private static RankAnalysis Analyze(KinetoTraceBuilder trace, AnalysisOptions? options = null)
    {
        var load = TraceLoader.Load([trace.WriteTemp()]);
        Assert.NotNull(load.Run);
        return TraceAnalysis.Analyze(load.Run, options ?? new AnalysisOptions()).Ranks.Single();
    }

    public static TheoryData<string, (string Name, double Ts, double Dur, int Stream, string Cat)[], long[]> Cases => new()
    {
        // name, kernels, expected {window, computation, exposed comm, memcpy, memset, idle} in µs
        {
            "one kernel then idle then one kernel",
            [("gemm_kernel", 0, 10, 7, "kernel"), ("gemm_kernel", 20, 10, 7, "kernel")],
            [30, 20, 0, 0, 0, 10]
        },
        {
            "communication hidden under computation on another stream is not exposed",
            [("gemm_kernel", 0, 10, 7, "kernel"), ("ncclKernel_AllReduce_RING_LL_Sum_float", 2, 6, 20, "kernel")],
            [10, 10, 0, 0, 0, 0]
        },
        {
            "communication sticking out of computation is exposed for the part that sticks out",
            [("gemm_kernel", 0, 10, 7, "kernel"), ("ncclKernel_AllReduce_RING_LL_Sum_float", 5, 15, 20, "kernel")],
            [20, 10, 10, 0, 0, 0]
        },
        {
            "a copy under communication counts as communication, alone as memcpy",
            [("ncclDevKernel_AllGather_RING_LL", 0, 10, 20, "kernel"), ("Memcpy HtoD (Pinned -> Device)", 5, 10, 21, "gpu_memcpy")],
            [15, 0, 10, 5, 0, 0]
        },
        {
            "memset only when nothing else runs",
            [("Memset (Device)", 0, 4, 7, "gpu_memset"), ("Memcpy DtoD (Device -> Device)", 2, 4, 8, "gpu_memcpy"), ("elementwise_kernel", 10, 2, 7, "kernel")],
            [12, 2, 0, 4, 2, 4]
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Partitions_the_window_by_priority(string scenario, (string Name, double Ts, double Dur, int Stream, string Cat)[] kernels, long[] expectedUs)
    {
        // Given kernels on the device timeline
        var trace = new KinetoTraceBuilder();
        var corr = 1;
        foreach (var k in kernels)
        {
            trace.LaunchedKernel("aten::op", k.Name, corr, -100 + corr * 10, k.Ts, k.Dur, k.Stream, k.Cat);
            corr++;
        }

        // When the breakdown is computed
        var b = Analyze(trace).Overall;

        // Then each exclusive class gets its time and together they fill the window
        Assert.True(expectedUs.Length == 6, scenario);
        long[] actual = [b.WindowNs, b.ComputationNs, b.CommunicationNs, b.MemcpyNs, b.MemsetNs, b.IdleNs];
        Assert.Equal(expectedUs.Select(us => us * 1000), actual);
        Assert.Equal(b.WindowNs, b.ComputationNs + b.CommunicationNs + b.MemcpyNs + b.MemsetNs + b.OtherNs + b.IdleNs);
    }

    [Fact]
    public void Reports_how_much_communication_computation_hid()
    {
        var trace = new KinetoTraceBuilder()
            .LaunchedKernel("aten::mm", "ampere_sgemm_128x64_nn", 1, 0, 100, 40)
            .LaunchedKernel("nccl:all_reduce", "ncclKernel_AllReduce_RING_LL_Sum_float", 2, 20, 120, 40, stream: 20);
        var b = Analyze(trace).Overall;
        Assert.Equal(40_000, b.CommunicationTotalNs);
        Assert.Equal(20_000, b.CommunicationOverlappedNs);
        Assert.Equal(50.0, b.CommunicationOverlapPercent);
        Assert.Equal(20_000, b.CommunicationNs);
    }

    [Fact]
    public void Keeps_sub_microsecond_kernels_exactly()
    {
        var trace = new KinetoTraceBuilder()
            .LaunchedKernel("aten::add", "vectorized_elementwise_kernel", 1, 0, 100.125, 0.75)
            .LaunchedKernel("aten::add", "vectorized_elementwise_kernel", 2, 10, 101.5, 0.333);
        var b = Analyze(trace).Overall;
        Assert.Equal(1_708, b.WindowNs);
        Assert.Equal(1_083, b.ComputationNs);
        Assert.Equal(625, b.IdleNs);
    }

    [Fact]
    public void Under_hta_conventions_rounds_float_timestamps_as_hta_does()
    {
        // HTA: end = floor(ts + dur), ts = ceil(ts): 100.125+0.75 -> [101, 100] (negative), 101.5+0.333 -> [102, 101]
        var trace = new KinetoTraceBuilder()
            .LaunchedKernel("aten::add", "vectorized_elementwise_kernel", 1, 0, 100.125, 0.75)
            .LaunchedKernel("aten::add", "vectorized_elementwise_kernel", 2, 10, 101.5, 2.5);
        var r = Analyze(trace, new AnalysisOptions(HtaCompatible: true));
        var t = Assert.IsType<HtaTemporalBreakdown>(r.HtaTemporal);
        // groups: [101,100] then [102,104): kernel time = 104 - 101 = 3; run = (100-101) + (104-102) = 1
        Assert.Equal(3_000, t.KernelTimeNs);
        Assert.Equal(2_000, t.IdleNs);
    }

    [Fact]
    public void Classifies_device_time_of_a_trace_without_steps_as_one_window_and_says_so()
    {
        var trace = new KinetoTraceBuilder().LaunchedKernel("aten::mm", "volta_sgemm_64x64_nt", 1, 0, 10, 5);
        var path = trace.WriteTemp();
        var run = TraceLoader.Load([path]).Run!;
        var result = TraceAnalysis.Analyze(run, new AnalysisOptions());
        Assert.Empty(result.Ranks[0].Steps);
        Assert.Equal(5_000, result.Ranks[0].Overall.WindowNs);
        Assert.Contains(result.Diagnostics, d => d.Code == "no-step-annotations" && d.File == path);
    }
}
