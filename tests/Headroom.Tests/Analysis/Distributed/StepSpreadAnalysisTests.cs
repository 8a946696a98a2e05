using Headroom.Analysis.Distributed;
using Headroom.Tests.Support;
using Xunit;
using static Headroom.Tests.Support.CollectiveSummaries;

namespace Headroom.Tests.Analysis.Distributed;

/// <summary>Specification of step time per rank and its spread across ranks.</summary>
public sealed class StepSpreadAnalysisTests
{
    [Fact]
    public void Compares_the_steps_present_on_several_ranks()
    {
        // Step 1 on ranks 0-2 (100, 120, 90 µs), step 2 on ranks 0-1 (110, 100), step 3 on rank 3 only (not compared).
        var result = StepSpreadAnalysis.Compute([
            WithSteps(0, (1, 100_000), (2, 110_000)),
            WithSteps(1, (1, 120_000), (2, 100_000)),
            WithSteps(2, (1, 90_000)),
            WithSteps(3, (3, 50_000)),
        ]);

        Assert.Equal([1L, 2L], result.Steps.Select(s => s.Number));
        var step1 = result.Steps[0];
        Assert.Equal([0, 1, 2], step1.Ranks.Select(r => r.Rank));
        // Mean 103.33 µs; deviations -3.33, 16.67, -13.33 → population sd 12.47 µs → cv 0.1207.
        Assert.Equal((90_000L, 120_000L, 103_333L, 30_000L, 1, 2), (step1.MinNs, step1.MaxNs, step1.MeanNs, step1.SpreadNs, step1.SlowestRank, step1.FastestRank));
        Assert.Equal(0.12070, step1.CoefficientOfVariation, 5);
        var step2 = result.Steps[1];
        // Mean 105, sd 5 → cv 0.047619.
        Assert.Equal((105_000L, 10_000L, 0, 1), (step2.MeanNs, step2.SpreadNs, step2.SlowestRank, step2.FastestRank));
        Assert.Equal(0.047619, step2.CoefficientOfVariation, 6);

        Assert.Equal([new RankStepTime(0, 2, 105_000, 1), new RankStepTime(1, 2, 110_000, 1), new RankStepTime(2, 1, 90_000, 0)], result.Ranks);
        // Rank means 105, 110, 90: spread 20, mean 101.67, sd 8.498 → cv 0.08359.
        Assert.Equal((20_000L, 1, 208_333L), (result.RankMeanSpreadNs, result.SlowestRank, result.TotalStepTimeNs));
        Assert.Equal(0.08359, result.RankMeanCoefficientOfVariation, 5);
    }

    [Fact]
    public void Nothing_to_compare_with_one_rank()
    {
        var result = StepSpreadAnalysis.Compute([WithSteps(0, (1, 100_000), (2, 110_000))]);

        Assert.Same(StepSpreadResult.Empty, result);
        Assert.Equal(-1, result.SlowestRank);
    }

    [Fact]
    public void A_synchronous_job_has_nearly_equal_steps_on_every_rank()
    {
        // Collectives synchronise the ranks, so the windows (first device start to the next step's) agree to well under 1%.
        var result = StepSpreadAnalysis.Compute(new MultiRankJobBuilder { ClockOffsetNs = StragglerAnalysisTests.Offsets }.Summaries());

        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), result.Steps.Select(s => s.Number));
        Assert.All(result.Steps, s => Assert.Equal(8, s.Ranks.Count));
        Assert.All(result.Steps.SkipLast(1), s => Assert.True(s.CoefficientOfVariation < 0.01));
        Assert.True(result.RankMeanCoefficientOfVariation < 0.01);
    }
}
