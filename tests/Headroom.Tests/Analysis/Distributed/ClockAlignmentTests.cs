using Headroom.Analysis.Distributed;
using Headroom.Tests.Support;
using Xunit;
using static Headroom.Tests.Support.CollectiveSummaries;

namespace Headroom.Tests.Analysis.Distributed;

/// <summary>Specification of clock alignment from collective end times.</summary>
public sealed class ClockAlignmentTests
{
    [Fact]
    public void Recovers_each_rank_offset_from_a_synthetic_job()
    {
        var job = new MultiRankJobBuilder { ClockOffsetNs = StragglerAnalysisTests.Offsets, CollectiveDelayNs = { [2] = 700_000 } };

        var clock = CollectiveAnalysis.Analyze(job.Summaries()).Clock;

        Assert.Equal(0, clock.ReferenceRank);
        Assert.All(clock.Ranks, c =>
        {
            Assert.True(c.Aligned);
            Assert.Equal(30, c.Samples);
            Assert.InRange(c.OffsetNs - job.ExpectedOffsetNs(c.Rank), -1_000, 1_000);
            Assert.InRange(c.MadNs, 0, 1_000);
        });
        Assert.InRange(clock.MaxSkewNs, 4_566_891, 4_568_891);
    }

    [Fact]
    public void The_reference_is_the_lowest_rank_present()
    {
        var job = new MultiRankJobBuilder { ClockOffsetNs = StragglerAnalysisTests.Offsets, WrittenRanks = [2, 3, 6] };

        var clock = CollectiveAnalysis.Analyze(job.Summaries()).Clock;

        Assert.Equal(2, clock.ReferenceRank);
        Assert.Equal([2, 3, 6], clock.Ranks.Select(c => c.Rank));
        Assert.All(clock.Ranks, c => Assert.InRange(c.OffsetNs - job.ExpectedOffsetNs(c.Rank), -1_000, 1_000));
    }

    [Fact]
    public void The_median_ignores_a_collective_whose_ends_do_not_line_up()
    {
        // Rank 1's clock is 1 µs ahead, rank 2's 5 µs behind; one of rank 1's kernels ends 1 ms late for a local reason.
        var ranks = new[]
        {
            Rank(0, 3, [.. Enumerable.Range(0, 5).Select(i => Kernel("all_reduce", i * 10_000_000L, (i * 10_000_000L) + 500_000))]),
            Rank(1, 3, [.. Enumerable.Range(0, 5).Select(i => Kernel("all_reduce", (i * 10_000_000L) + 1_000, (i * 10_000_000L) + 501_000 + (i == 3 ? 1_000_000 : 0)))]),
            Rank(2, 3, [.. Enumerable.Range(0, 5).Select(i => Kernel("all_reduce", (i * 10_000_000L) - 5_000, (i * 10_000_000L) + 495_000))]),
        };

        var clock = ClockAlignment.Estimate(CollectiveMatching.Match(ranks));

        Assert.Equal([0L, 1_000, -5_000], clock.Ranks.Select(c => c.OffsetNs));
        var rank1 = clock.Ranks[1];
        Assert.Equal((0L, 1_000_000L, 5), (rank1.MadNs, rank1.RangeNs, rank1.Samples));
        Assert.Empty(clock.Diagnostics);
    }

    [Fact]
    public void Without_a_shared_collective_offsets_are_zero_with_a_note()
    {
        // Rank 1 runs only a broadcast, rank 0 only an all-reduce: nothing to align on.
        var ranks = new[] { Rank(0, 2, Kernel("all_reduce", 0, 100)), Rank(1, 2, Kernel("broadcast", 5_000, 6_000)) };

        var result = CollectiveAnalysis.Analyze(ranks);

        Assert.All(result.Clock.Ranks, c => Assert.Equal(0, c.OffsetNs));
        Assert.False(result.Clock.Ranks[1].Aligned);
        var note = Assert.Single(result.Diagnostics, d => d.Code == "clock-not-aligned");
        Assert.Contains("every clock offset is taken as 0", note.Message);
    }

    [Fact]
    public void Devices_read_from_one_file_share_its_clock_without_a_note()
    {
        // Given the same two ranks, but both read from one XSpace (two GPUs of one process), and a third from another file
        var ranks = new[]
        {
            Rank(0, 3, Kernel("all_reduce", 0, 100)) with { SourcePath = "host0.xplane.pb" },
            Rank(1, 3, Kernel("broadcast", 5_000, 6_000)) with { SourcePath = "host0.xplane.pb" },
            Rank(2, 3, Kernel("all_gather", 5_000, 6_000)) with { SourcePath = "host1.xplane.pb" },
        };

        var result = CollectiveAnalysis.Analyze(ranks);

        // Then rank 1 is on rank 0's clock; only rank 2, from the other file, is not aligned
        Assert.Equal([true, true, false], result.Clock.Ranks.Select(c => c.Aligned));
        var note = Assert.Single(result.Diagnostics, d => d.Code == "clock-not-aligned");
        Assert.Contains("every clock offset is taken as 0", note.Message);
    }

    [Fact]
    public void Ends_that_disagree_by_more_than_50_us_are_flagged()
    {
        // Order matching pairs kernels that are not the same collective: the end differences are 2, 1.5 and 3 ms.
        var ranks = new[]
        {
            Rank(0, 2, Kernel("all_reduce", 0, 1_000_000), Kernel("all_reduce", 2_000_000, 3_000_000), Kernel("all_reduce", 4_000_000, 5_000_000)),
            Rank(1, 2, Kernel("all_reduce", 1_000_000, 3_000_000), Kernel("all_reduce", 4_000_000, 4_500_000), Kernel("all_reduce", 6_000_000, 8_000_000)),
        };

        var clock = ClockAlignment.Estimate(CollectiveMatching.Match(ranks));

        Assert.Equal(2_000_000, clock.Ranks[1].OffsetNs);
        Assert.Equal(500_000, clock.Ranks[1].MadNs);
        Assert.Contains(clock.Diagnostics, d => d.Code == "clock-alignment-noisy");
    }
}
