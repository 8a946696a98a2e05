using Headroom.Analysis.Distributed;
using Headroom.Tests.Support;
using Xunit;
using static Headroom.Tests.Support.CollectiveSummaries;

namespace Headroom.Tests.Analysis.Distributed;

/// <summary>Specification of straggler detection, including the acceptance test.</summary>
public sealed class StragglerAnalysisTests
{
    /// <summary>Clock offsets of up to 4.6 ms, different for every rank and not whole microseconds.</summary>
    internal static readonly long[] Offsets = [0, 2_345_678, -1_234_567, 4_567_891, -3_456_789, 987_654, -4_321_098, 3_210_987];

    [Theory]
    [InlineData(CollectiveMetadata.RecordParamComms)]
    [InlineData(CollectiveMetadata.KernelNameOnly)]
    public void Names_the_rank_whose_collectives_are_delayed_and_recovers_the_delay(CollectiveMetadata metadata)
    {
        // Given 8 ranks × 10 steps × 3 collectives, every clock shifted, and rank 5 starting every collective 1.5 ms late
        const long delay = 1_500_000;
        var job = new MultiRankJobBuilder { ClockOffsetNs = Offsets, CollectiveDelayNs = { [5] = delay }, Metadata = metadata };

        // When the job is analysed
        var result = CollectiveAnalysis.Analyze(job.Summaries());

        // Then every collective is matched on every rank, the clocks are recovered, and rank 5 alone is named with its delay
        Assert.Empty(result.Diagnostics);
        Assert.Equal(30, result.Instances.Count);
        Assert.All(result.Instances, i => Assert.Equal(8, i.Ranks.Count));
        foreach (var clock in result.Clock.Ranks)
        {
            var expected = job.ExpectedOffsetNs(clock.Rank);
            Assert.InRange(clock.OffsetNs - expected, -Math.Max(1_000, Math.Abs(expected) / 100), Math.Max(1_000, Math.Abs(expected) / 100));
        }

        Assert.Equal([5], result.Stragglers.Stragglers);
        var straggler = result.Stragglers.Ranks[0];
        Assert.Equal(5, straggler.Rank);
        Assert.Equal(30, straggler.LastCount);
        Assert.Equal(1.0, straggler.LastShare);
        Assert.InRange(straggler.MeanLatenessNs, delay * 0.95, delay * 1.05);
        Assert.InRange(straggler.MeanDelayWhenLastNs, delay * 0.95, delay * 1.05);
        Assert.Contains("last in 30 of 30 collectives", straggler.Reason);
        Assert.All(result.Stragglers.Ranks.Skip(1), r => Assert.False(r.IsStraggler));
    }

    [Fact]
    public void Clock_skew_alone_does_not_make_a_straggler()
    {
        // Rank 3's clock runs 4.6 ms ahead: unaligned, its kernels would look 4.6 ms late every time.
        var result = CollectiveAnalysis.Analyze(new MultiRankJobBuilder { ClockOffsetNs = Offsets }.Summaries());

        Assert.Empty(result.Stragglers.Stragglers);
        Assert.All(result.Stragglers.Ranks, r => Assert.InRange(r.MeanLatenessNs, -100_000, 100_000));
        Assert.All(result.Stragglers.Ranks, r => Assert.True(r.CostShare < 0.05));
    }

    [Fact]
    public void Cost_is_the_wait_the_last_rank_alone_caused()
    {
        // Three instances on three ranks (same clock). Arrivals (µs): rank 2 last by 40, then by 10; rank 0 last by 5.
        var ranks = new[]
        {
            Rank(0, 3, Kernel("all_reduce", 0, 100_000), Kernel("all_reduce", 200_000, 300_000), Kernel("all_reduce", 405_000, 500_000)),
            Rank(1, 3, Kernel("all_reduce", 20_000, 100_000), Kernel("all_reduce", 230_000, 300_000), Kernel("all_reduce", 400_000, 500_000)),
            Rank(2, 3, Kernel("all_reduce", 60_000, 100_000), Kernel("all_reduce", 240_000, 300_000), Kernel("all_reduce", 380_000, 500_000)),
        };

        var result = CollectiveAnalysis.Analyze(ranks);

        var rank2 = result.Stragglers.Ranks.Single(r => r.Rank == 2);
        Assert.Equal((2, 40_000 + 10_000, 25_000), (rank2.LastCount, rank2.CostNs, rank2.MeanDelayWhenLastNs));
        // Lateness vs the median arrival: +40, +10, -20 µs → mean 10 µs.
        Assert.Equal(10_000, rank2.MeanLatenessNs);
        var rank0 = result.Stragglers.Ranks.Single(r => r.Rank == 0);
        Assert.Equal((1, 5_000), (rank0.LastCount, rank0.CostNs));
        Assert.Equal([2, 0, 1], result.Stragglers.Ranks.Select(r => r.Rank));
        // No steps: the cost is compared with the collectives' span (0 to 500 µs): rank 2's 50 µs is 10%, named for its
        // cost; rank 0's 5 µs is 1%, and last once in three is no majority.
        Assert.Equal(("collectives", 500_000L), (result.Stragglers.ReferenceTime, result.Stragglers.ReferenceTimeNs));
        Assert.Equal([2], result.Stragglers.Stragglers);
        Assert.Contains("10% of the compared time", rank2.Reason);
    }

    [Theory]
    [InlineData(3, 4, 20_000, true)] // last in 3 of 4, 20 µs each: majority
    [InlineData(2, 3, 20_000, false)] // majority but only twice
    [InlineData(3, 6, 20_000, false)] // half is not a majority
    [InlineData(3, 4, 5_000, false)] // majority of 5 µs: within timestamp noise
    public void A_clear_majority_of_last_arrivals_names_a_rank(int lastCount, int instances, long delayNs, bool named)
    {
        // Two ranks; rank 1 arrives delayNs after rank 0 in lastCount instances and delayNs before it in the others.
        // The compared time is made large so the cost rule does not fire.
        var k0 = new List<CollectiveKernel>();
        var k1 = new List<CollectiveKernel>();
        for (var i = 0; i < instances; i++)
        {
            long t = i * 1_000_000;
            k0.Add(Kernel("all_reduce", t + 100_000, t + 500_000));
            k1.Add(Kernel("all_reduce", t + 100_000 + (i < lastCount ? delayNs : -delayNs), t + 500_000));
        }

        var match = CollectiveMatching.Match([Rank(0, 2, [.. k0]), Rank(1, 2, [.. k1])]);
        var instancesTimed = CollectiveTiming.Measure(match, ClockAlignment.Estimate(match));
        var result = StragglerAnalysis.Compute(instancesTimed, referenceTimeNs: 1_000_000_000_000, "steps");

        Assert.Equal(named, result.Stragglers.Contains(1));
    }
}
