using Headroom.Analysis.Distributed;
using Headroom.Tests.Support;
using Xunit;

namespace Headroom.Tests.Analysis.Distributed;

/// <summary>Specification of the launch statistics on small synthetic traces (times in µs as Kineto writes them; results in ns).</summary>
public sealed class LaunchAnalysisTests
{
    private static LaunchResult Launches(KinetoTraceBuilder trace, bool htaCompatible = false) =>
        LaunchAnalysis.Compute(IdleTimeAnalysisTests.Activities(trace, htaCompatible));

    public static TheoryData<string, LaunchCallKind?> CallNames => new()
    {
        { "cudaLaunchKernel", LaunchCallKind.Kernel },
        { "cudaLaunchKernelExC", LaunchCallKind.Kernel },
        { "cudaLaunchCooperativeKernel", LaunchCallKind.Kernel },
        { "cuLaunchKernel", LaunchCallKind.Kernel },
        { "cuLaunchKernelEx", LaunchCallKind.Kernel },
        { "hipLaunchKernel", LaunchCallKind.Kernel },
        { "hipExtLaunchKernel", LaunchCallKind.Kernel },
        { "hipModuleLaunchKernel", LaunchCallKind.Kernel },
        { "hipExtModuleLaunchKernel", LaunchCallKind.Kernel },
        { "runFunction - job_prep_and_submit_for_execution", LaunchCallKind.Kernel },
        { "cudaMemcpyAsync", LaunchCallKind.Memcpy },
        { "cudaMemcpy2DAsync", LaunchCallKind.Memcpy },
        { "cuMemcpyHtoDAsync_v2", LaunchCallKind.Memcpy },
        { "hipMemcpyAsync", LaunchCallKind.Memcpy },
        { "cudaMemsetAsync", LaunchCallKind.Memset },
        { "hipMemsetAsync", LaunchCallKind.Memset },
        { "hipMemsetD32Async", LaunchCallKind.Memset },
        { "cudaGraphLaunch", LaunchCallKind.Graph },
        { "hipGraphLaunch", LaunchCallKind.Graph },
        // Synchronous calls wait for the device work they launch; calls that launch nothing.
        { "cudaMemcpy", null },
        { "hipMemcpyWithStream", null },
        { "hipMemset", null },
        { "cudaStreamSynchronize", null },
        { "cudaOccupancyMaxActiveBlocksPerMultiprocessor", null },
        { "cudaEventRecord", null },
    };

    [Theory]
    [MemberData(nameof(CallNames))]
    public void Recognises_asynchronous_CUDA_HIP_and_MTIA_launch_calls_by_name(string name, LaunchCallKind? expected) =>
        Assert.Equal(expected, LaunchCalls.Classify(name));

    [Theory]
    [InlineData("cudaLaunchKernel", true)]
    [InlineData("cudaLaunchKernelExC", true)]
    [InlineData("cudaMemcpyAsync", true)]
    [InlineData("cudaMemsetAsync", true)]
    [InlineData("runFunction - job_prep_and_submit_for_execution", true)]
    [InlineData("cuLaunchKernel", false)]
    [InlineData("hipLaunchKernel", false)]
    [InlineData("cudaGraphLaunch", false)]
    public void Under_HTA_conventions_recognises_only_HTAs_five_calls(string name, bool recognised) =>
        Assert.Equal(recognised, LaunchCalls.ClassifyHta(name) is not null);

    [Fact]
    public void Reports_call_duration_device_duration_and_the_delay_from_call_end_to_activity_start()
    {
        // Given a 5 µs launch at 0 whose 20 µs kernel starts at 12
        var trace = new KinetoTraceBuilder().Launch(1, 0, dur: 5).Kernel("gemm_kernel", 12, 20, correlation: 1);

        var row = Assert.Single(Launches(trace).Rows);

        Assert.Equal((1L, LaunchCallKind.Kernel, 5_000L, 20_000L, 7_000L), (row.Correlation, row.Kind, row.CpuDurationNs, row.GpuDurationNs, row.LaunchDelayNs));
        Assert.True(row.FirstOfLaunch);
        Assert.False(row.LaunchBound);
    }

    [Fact]
    public void Launch_delay_is_never_negative_when_the_activity_starts_before_the_call_returns()
    {
        // Given a kernel that starts 2 µs before its 5 µs launch call returns
        var trace = new KinetoTraceBuilder().Launch(1, 20, dur: 5).Kernel("gemm_kernel", 23, 10, correlation: 1);

        var row = Assert.Single(Launches(trace).Rows);

        Assert.Equal(0, row.LaunchDelayNs);
    }

    [Fact]
    public void A_kernel_shorter_than_its_own_launch_call_is_launch_bound()
    {
        // Given a 1 µs kernel launched by a 5 µs call and a 20 µs kernel launched by a 5 µs call
        var trace = new KinetoTraceBuilder()
            .Launch(1, 0, dur: 5).Kernel("tiny_elementwise_kernel", 10, 1, correlation: 1)
            .Launch(2, 20, dur: 5).Kernel("gemm_kernel", 30, 20, correlation: 2);

        var result = Launches(trace);

        // Then only the first is launch-bound, and the summary counts it with its device time
        Assert.Equal([true, false], result.Rows.Select(r => r.LaunchBound));
        var s = result.Summary;
        Assert.Equal((2, 2, 1, 0.5, 1_000L), (s.Count, s.LaunchCalls, s.LaunchBoundCount, s.LaunchBoundShare, s.LaunchBoundGpuNs));
        Assert.Equal(5_000.0, s.CpuDuration.MeanNs);
        Assert.Equal(20_000.0, s.GpuDuration.MaxNs);
    }

    [Fact]
    public void HIP_launches_are_recognised_by_default_and_not_under_HTA_conventions()
    {
        // Given an AMD trace: HIP calls written under the cuda_runtime category
        var trace = new KinetoTraceBuilder()
            .Launch(1, 0, name: "hipLaunchKernel").Kernel("elementwise_kernel", 10, 5, correlation: 1)
            .Launch(2, 20, name: "hipExtModuleLaunchKernel").Kernel("Cijk_Ailk_Bljk_SB_MT64x64x16", 30, 5, correlation: 2)
            .Launch(3, 40, name: "hipMemsetAsync").Kernel("Memset (Device)", 50, 1, correlation: 3, category: "gpu_memset")
            .Launch(4, 60, name: "hipMemcpyAsync").Kernel("Memcpy HtoD (Host -> Device)", 70, 3, correlation: 4, category: "gpu_memcpy");

        // When launches are analysed under each convention
        var headroom = Launches(trace);
        var hta = Launches(trace, htaCompatible: true);

        // Then Headroom has a row per activity, of the right kind; HTA, like HTA itself, has none and says they were not recognised
        Assert.Equal([LaunchCallKind.Kernel, LaunchCallKind.Kernel, LaunchCallKind.Memset, LaunchCallKind.Memcpy], headroom.Rows.Select(r => r.Kind));
        Assert.Equal(0, headroom.Summary.UnrecognisedLaunchActivities);
        Assert.Empty(hta.Rows);
        Assert.Equal(4, hta.Summary.UnrecognisedLaunchActivities);
    }

    [Fact]
    public void A_synchronous_copy_is_not_a_launch()
    {
        // Given a hipMemcpyWithStream call that lasts as long as its copy
        var trace = new KinetoTraceBuilder()
            .Launch(1, 0, dur: 30, name: "hipMemcpyWithStream").Kernel("Memcpy DtoH (Device -> Host)", 5, 20, correlation: 1, category: "gpu_memcpy");

        var result = Launches(trace);

        Assert.Empty(result.Rows);
        Assert.Equal(1, result.Summary.UnrecognisedLaunchActivities);
    }

    [Fact]
    public void A_graph_replay_is_one_launch_call_whose_delay_is_measured_to_its_first_kernel()
    {
        // Given a 10 µs cudaGraphLaunch whose three 5 µs kernels start at 20, 26 and 32
        var trace = new KinetoTraceBuilder()
            .Launch(1, 0, dur: 10, name: "cudaGraphLaunch")
            .Kernel("k1", 20, 5, correlation: 1).Kernel("k2", 26, 5, correlation: 1).Kernel("k3", 32, 5, correlation: 1);

        var result = Launches(trace);

        // Then each kernel is a row, but only the first carries the launch's delay into the summary
        Assert.Equal([10_000L, 16_000L, 22_000L], result.Rows.Select(r => r.LaunchDelayNs));
        Assert.Equal([true, false, false], result.Rows.Select(r => r.FirstOfLaunch));
        Assert.All(result.Rows, r => Assert.Equal(LaunchCallKind.Graph, r.Kind));
        var s = result.Summary;
        Assert.Equal((3, 1, 1, 10_000.0), (s.Count, s.LaunchCalls, s.LaunchDelay.Count, s.LaunchDelay.MaxNs));

        // And the replay is not launch-bound: its 15 µs of device work outlast the 10 µs call
        Assert.Equal(0, s.LaunchBoundCount);
    }

    [Fact]
    public void Lists_the_ten_longest_delays_and_counts_delays_beyond_Tukeys_far_fence()
    {
        // Given twenty launches whose kernels wait 1 µs and one whose kernel waits 100 µs
        var trace = new KinetoTraceBuilder();
        for (var i = 0; i < 20; i++)
        {
            trace.Launch(i + 1, i * 10, dur: 2).Kernel("k", (i * 10) + 3, 1, correlation: i + 1);
        }

        trace.Launch(100, 300, dur: 2).Kernel("slow_start_kernel", 402, 1, correlation: 100);

        var outliers = Launches(trace).Outliers;

        // Then the longest delay heads the top ten, and with an IQR of 0 the fence is Q3 + 3 × 1 µs = 4 µs
        Assert.Equal(10, outliers.TopDelays.Count);
        Assert.Equal(("slow_start_kernel", "cudaLaunchKernel", 100_000L), (outliers.TopDelays[0].Name, outliers.TopDelays[0].Call, outliers.TopDelays[0].Row.LaunchDelayNs));
        Assert.Equal(4_000.0, outliers.FenceNs);
        Assert.Equal((1, 100_000L), (outliers.Count, outliers.DelayNs));
    }

    [Fact]
    public void AMD_traces_get_launch_rows_by_default_where_HTA_gives_none()
    {
        // Given a real MI300X training trace (HIP launches; HTA's reference launch table is empty)
        var hta = LaunchAnalysis.Compute(HtaReference.Activities("tracelens-mi300x-ddp-resnet18-train", htaCompatible: true));
        var headroom = LaunchAnalysis.Compute(HtaReference.Activities("tracelens-mi300x-ddp-resnet18-train", htaCompatible: false));

        Assert.Empty(hta.Rows);
        Assert.True(headroom.Rows.Count > 2000, $"{headroom.Rows.Count} rows");
        Assert.Contains(headroom.Rows, r => r.Kind == LaunchCallKind.Memset);

        // And the synchronous hipMemcpyWithStream copies are the only activities left out
        Assert.Equal(5, headroom.Summary.UnrecognisedLaunchActivities);
    }
}
