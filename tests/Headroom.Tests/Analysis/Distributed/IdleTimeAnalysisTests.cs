using Headroom.Analysis;
using Headroom.Analysis.Distributed;
using Headroom.Ingest;
using Headroom.Model;
using Headroom.Tests.Support;
using Xunit;

namespace Headroom.Tests.Analysis.Distributed;

/// <summary>Specification of the idle-time breakdown on small synthetic traces (times in µs as Kineto writes them; results in ns).</summary>
public sealed class IdleTimeAnalysisTests
{
    internal static RankActivities Activities(KinetoTraceBuilder trace, bool htaCompatible = false)
    {
        var load = TraceLoader.Load([trace.WriteTemp()]);
        Assert.NotNull(load.Run);
        return RankActivities.Select(load.Run.Ranks.Single(), htaCompatible, jobHasSeveralSteps: false, new DiagnosticBag());
    }

    public static TheoryData<string, double?, double, IdleCategory, double> Gaps => new()
    {
        // scenario, launch call start of the second kernel (null: no recorded launch), its start, expected category, expected gap (µs).
        // The first kernel runs 100..110 on stream 7, launched at 90.
        { "a launch that starts after the previous kernel ended is host wait, however short the gap", 112, 115, IdleCategory.HostWait, 5 },
        { "a late launch is host wait even when the gap is long", 150, 160, IdleCategory.HostWait, 50 },
        { "a kernel launched while the previous one ran, after a short gap, is kernel wait", 95, 120, IdleCategory.KernelWait, 10 },
        { "a gap just under 30 µs is kernel wait", 95, 139.999, IdleCategory.KernelWait, 29.999 },
        { "a gap of exactly 30 µs is other", 95, 140, IdleCategory.Other, 30 },
        { "a long gap after an early launch is other", 95, 400, IdleCategory.Other, 290 },
        { "a launch starting exactly when the previous kernel ended is not host wait", 110, 115, IdleCategory.KernelWait, 5 },
        { "without a recorded launch only the gap's length decides", null, 200, IdleCategory.Other, 90 },
    };

    [Theory]
    [MemberData(nameof(Gaps))]
    public void Classifies_each_gap_by_when_its_launch_started_then_by_its_length(string scenario, double? launch, double start,
        IdleCategory expected, double gapUs)
    {
        // Given two kernels on one stream
        var trace = new KinetoTraceBuilder().Launch(1, 90).Kernel("gemm_kernel", 100, 10, correlation: 1);
        if (launch is double l)
        {
            trace.Launch(2, l).Kernel("elementwise_kernel", start, 5, correlation: 2);
        }
        else
        {
            trace.Kernel("elementwise_kernel", start, 5);
        }

        // When the idle time is broken down
        var stream = Assert.Single(IdleTimeAnalysis.Compute(Activities(trace)).Streams);

        // Then the one gap lands in the expected category, and the other categories are empty
        var gapNs = (long)Math.Round(gapUs * 1000);
        Assert.Equal(gapNs, stream.IdleNs);
        Assert.Equal([IdleCategory.HostWait, IdleCategory.KernelWait, IdleCategory.Other], stream.Categories.Select(c => c.Category));
        foreach (var c in stream.Categories)
        {
            Assert.True(c.Intervals.Count == (c.Category == expected ? 1 : 0), $"{scenario}: {c.Category} has {c.Intervals.Count} gaps");
            Assert.Equal(c.Category == expected ? gapNs : 0, c.IdleNs);
            Assert.Equal(c.Category == expected ? 1.0 : 0.0, c.Ratio);
        }
    }

    [Fact]
    public void A_stream_with_one_activity_has_no_idle_time()
    {
        var trace = new KinetoTraceBuilder().Launch(1, 0).Kernel("gemm_kernel", 10, 10, correlation: 1);

        var stream = Assert.Single(IdleTimeAnalysis.Compute(Activities(trace)).Streams);

        Assert.Equal(0, stream.IdleNs);
        Assert.All(stream.Categories, c => Assert.Equal((0, 0L, 0.0), (c.Intervals.Count, c.IdleNs, c.Ratio)));
        Assert.All(stream.Categories, c => Assert.True(double.IsNaN(c.Intervals.MeanNs)));
    }

    [Fact]
    public void Overlapping_activities_on_a_stream_open_no_gap_and_the_next_gap_counts_from_the_latest_end()
    {
        // Given a long kernel, a short one recorded inside it on the same stream, and a third 5 µs after the long one ends
        var trace = new KinetoTraceBuilder()
            .Launch(1, 0).Kernel("long_kernel", 0, 100, correlation: 1)
            .Launch(2, 1).Kernel("nested_kernel", 10, 10, correlation: 2)
            .Launch(3, 2).Kernel("next_kernel", 105, 5, correlation: 3);

        var stream = Assert.Single(IdleTimeAnalysis.Compute(Activities(trace)).Streams);

        // Then the only idle interval is the 5 µs after the long kernel: no negative gap, no 85 µs gap from the nested one
        Assert.Equal(5_000, stream.IdleNs);
        var kernelWait = stream.Get(IdleCategory.KernelWait)!;
        Assert.Equal(1, kernelWait.Intervals.Count);
        Assert.Equal(5_000, kernelWait.IdleNs);
    }

    [Fact]
    public void Summarises_the_gaps_of_a_category_with_sample_std_and_linear_quantiles()
    {
        // Given four host-wait gaps of 10, 20, 30 and 100 µs
        var trace = new KinetoTraceBuilder().Launch(1, 0).Kernel("k", 10, 10, correlation: 1);
        double end = 20;
        long corr = 2;
        foreach (var gap in new[] { 10, 20, 30, 100 })
        {
            trace.Launch(corr, end + 1).Kernel("k", end + gap, 10, correlation: corr);
            end += gap + 10;
            corr++;
        }

        var hostWait = Assert.Single(IdleTimeAnalysis.Compute(Activities(trace)).Streams).Get(IdleCategory.HostWait)!;

        // Then the statistics are pandas describe()'s: mean 40, std (ddof 1) 40.82, quartiles interpolated linearly
        var s = hostWait.Intervals;
        Assert.Equal(4, s.Count);
        Assert.Equal(160_000, s.TotalNs);
        Assert.Equal(40_000, s.MeanNs);
        Assert.Equal(40_824.83, s.StdNs, 0.01);
        Assert.Equal((10_000.0, 17_500.0, 25_000.0, 47_500.0, 100_000.0), (s.MinNs, s.P25Ns, s.P50Ns, s.P75Ns, s.MaxNs));
        Assert.Equal(1.0, hostWait.Ratio);
    }

    [Fact]
    public void Keeps_one_row_per_device_and_stream_ordered_by_device_then_stream()
    {
        // Given stream 7 on two devices and stream 20 on device 0
        var trace = new KinetoTraceBuilder()
            .Kernel("a", 0, 10, stream: 20).Kernel("b", 50, 10, stream: 20)
            .Raw("""{"ph": "X", "cat": "kernel", "name": "c", "pid": 1, "tid": 7, "ts": 0, "dur": 10, "args": {"device": 1, "stream": 7}}""")
            .Raw("""{"ph": "X", "cat": "kernel", "name": "d", "pid": 1, "tid": 7, "ts": 12, "dur": 10, "args": {"device": 1, "stream": 7}}""")
            .Kernel("e", 5, 10, stream: 7).Kernel("f", 100, 10, stream: 7);

        var streams = IdleTimeAnalysis.Compute(Activities(trace)).Streams;

        // Then the two streams numbered 7 are kept apart, each with its own gap
        Assert.Equal([(0, 7, 85_000L), (0, 20, 40_000L), (1, 7, 2_000L)], streams.Select(s => (s.Device, s.Stream, s.IdleNs)));
    }

    [Fact]
    public void Ignores_syncs_and_annotations_on_the_device_timeline()
    {
        // Given two kernels with a Stream Wait Event between them on the same stream
        var trace = new KinetoTraceBuilder()
            .Kernel("k1", 0, 10).Kernel("k2", 50, 10)
            .Raw("""{"ph": "X", "cat": "cuda_sync", "name": "Stream Wait Event", "pid": 0, "tid": 7, "ts": 20, "dur": 5, "args": {"device": 0, "stream": 7}}""");

        var stream = Assert.Single(IdleTimeAnalysis.Compute(Activities(trace)).Streams);

        // Then the gap runs from the first kernel's end to the second's start
        Assert.Equal(2, stream.ActivityCount);
        Assert.Equal(40_000, stream.IdleNs);
    }

    [Fact]
    public void Under_HTA_conventions_keeps_negative_gaps_and_files_each_first_activity_as_an_uncounted_other_row()
    {
        // Given the overlapping stream of the default test above
        var trace = new KinetoTraceBuilder()
            .Launch(1, 0).Kernel("long_kernel", 0, 100, correlation: 1)
            .Launch(2, 1).Kernel("nested_kernel", 10, 10, correlation: 2)
            .Launch(3, 2).Kernel("next_kernel", 105, 5, correlation: 3);

        // When HTA's conventions are used
        var result = IdleTimeAnalysis.Compute(Activities(trace, htaCompatible: true));
        Assert.True(result.HtaConventions);
        var stream = Assert.Single(result.Streams);

        // Then the gap is measured from the previous activity only: -90 µs (kernel wait) and 85 µs (other), total -5 µs
        Assert.Equal(-5_000, stream.IdleNs);
        Assert.Equal([IdleCategory.KernelWait, IdleCategory.Other], stream.Categories.Select(c => c.Category));
        Assert.Equal((-90_000L, 1), (stream.Get(IdleCategory.KernelWait)!.IdleNs, stream.Get(IdleCategory.KernelWait)!.Intervals.Count));
        Assert.Equal((85_000L, 1), (stream.Get(IdleCategory.Other)!.IdleNs, stream.Get(IdleCategory.Other)!.Intervals.Count));
        Assert.Null(stream.Get(IdleCategory.HostWait));
    }

    [Fact]
    public void Under_HTA_conventions_a_single_activity_still_gives_an_other_row_with_no_ratio()
    {
        var trace = new KinetoTraceBuilder().Launch(1, 0).Kernel("gemm_kernel", 10, 10, correlation: 1);

        var stream = Assert.Single(IdleTimeAnalysis.Compute(Activities(trace, htaCompatible: true)).Streams);

        var other = Assert.Single(stream.Categories);
        Assert.Equal(IdleCategory.Other, other.Category);
        Assert.Equal(0, other.Intervals.Count);
        Assert.True(double.IsNaN(other.Ratio));
    }
}
