using Headroom.Analysis.Distributed;
using Headroom.Ingest;
using Headroom.Tests.Support;
using Xunit;

namespace Headroom.Tests.Analysis.Distributed;

/// <summary>
/// The cross-rank analyses on real multi-rank traces. Expected values were computed independently with a Python script
/// over the JSON (kernel ts/dur, the enclosing nccl:* annotation's Input Dims/Input type, median of end differences to
/// rank 0, then arrivals, waits and costs on the aligned clock), not with Headroom.
/// </summary>
public sealed class CollectiveRealTraceTests
{
    private const string Dlrm = "traces/kineto/param-v100-dlrm-8rank";

    private static CollectiveAnalysisResult Analyze(params string[] paths)
    {
        var run = TraceLoader.Load(paths).Run!;
        return CollectiveAnalysis.Analyze([.. run.Ranks.Select(RankCollectives.From)]);
    }

    /// <summary>
    /// DLRM training step 10 on 8× V100 in one host (PARAM et_replay inputs): per rank, 5 all_to_all (NCCL SendRecv
    /// kernels) and 3 DDP all_reduce, all in the default group, no sequence numbers. The ranks share one host clock, so
    /// the offsets are at the 1 µs timestamp resolution; rank 7 arrives last in 5 of the 8 collectives.
    /// </summary>
    [Fact]
    public void Dlrm_8_ranks_match_align_and_name_rank_7()
    {
        var result = Analyze(SharedData.Require(Dlrm));

        Assert.Empty(result.Diagnostics);
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7], result.Match.Ranks);
        Assert.Equal(0, result.Match.IncompleteCount);
        Assert.True(result.Match.StepQualified);

        // Every collective matched on all 8 ranks, in this order (by last arrival).
        Assert.Equal(["all_to_all", "all_to_all", "all_to_all", "all_to_all", "all_reduce", "all_to_all", "all_reduce", "all_reduce"],
            result.Instances.Select(i => i.Name));
        Assert.All(result.Instances, i => Assert.Equal((8, 8, 10L), (i.Ranks.Count, i.GroupSize, i.Step)));

        // Clock offsets: medians of integer-µs end differences, all within 1.5 µs; ends agree to ≤ 1 µs (MAD).
        Assert.Equal(0, result.Clock.ReferenceRank);
        Assert.Equal([0L, -500, -500, -1_500, -1_000, -1_000, -1_000, -1_000], result.Clock.Ranks.Select(c => c.OffsetNs));
        Assert.Equal([0L, 500, 500, 500, 500, 500, 1_000, 1_000], result.Clock.Ranks.Select(c => c.MadNs));
        Assert.Equal([0L, 4_000, 7_000, 6_000, 4_000, 4_000, 7_000, 3_000], result.Clock.Ranks.Select(c => c.RangeNs));
        Assert.Equal(1_500, result.Clock.MaxSkewNs);

        // Who arrived last, by how much after the next-to-last, and what was moved once everyone was there.
        Assert.Equal([7, 7, 7, 7, 7, 5, 5, 4], result.Instances.Select(i => i.LastRank));
        Assert.Equal([505_000L, 509_500, 162_500, 124_000, 9_000, 52_000, 49_000, 14_000],
            result.Instances.Select(i => i.LastArrivalNs - i.SecondLastArrivalNs));
        Assert.Equal([7_624_500L, 1_101_000, 169_000, 125_000, 223_500, 534_500, 583_500, 886_000], result.Instances.Select(i => i.ArrivalSpreadNs));
        Assert.Equal([10_000L, 7_250, 7_000, 7_000, 85_000, 9_500, 19_250, 65_500], result.Instances.Select(i => i.TransferNs));
        Assert.Equal([24_576L, 192, 1_536, 13_568, 1_576_964, 24_576, 448, 907_840], result.Instances.Select(i => i.MessageBytes));
        // The first all_to_all: rank 1 started 7.6 ms before rank 7 and waited all that time.
        Assert.Equal([2_136_000L, 7_624_500, 508_500, 6_121_500, 4_872_000, 4_669_000, 505_000, 0], result.Instances[0].Ranks.Select(r => r.WaitNs));

        // Bandwidth: the largest all_reduce moved 394,241 floats in 85 µs: 18.55 GB/s, bus 2·7/8 × that = 32.47 GB/s.
        var allReduce = result.Instances[4];
        Assert.Equal(18.5525, allReduce.AlgorithmBandwidthGBps!.Value, 4);
        Assert.Equal(32.4669, allReduce.BusBandwidthGBps!.Value, 4);
        Assert.Equal(2.1504, result.Instances[0].BusBandwidthGBps!.Value, 4);
        var byName = result.ByCollective.ToDictionary(s => s.Name);
        Assert.Equal((5, 64_448L, 40_750L, 37_608_500L), (byName["all_to_all"].Instances, byName["all_to_all"].MessageBytes, byName["all_to_all"].TransferNs, byName["all_to_all"].WaitNs));
        Assert.Equal(1.5815, byName["all_to_all"].AlgorithmBandwidthGBps!.Value, 4);
        Assert.Equal(1.3839, byName["all_to_all"].BusBandwidthGBps!.Value, 4);
        Assert.Equal((3, 2_485_252L, 169_750L, 9_246_500L), (byName["all_reduce"].Instances, byName["all_reduce"].MessageBytes, byName["all_reduce"].TransferNs, byName["all_reduce"].WaitNs));
        Assert.Equal(14.6407, byName["all_reduce"].AlgorithmBandwidthGBps!.Value, 4);
        Assert.Equal(25.6212, byName["all_reduce"].BusBandwidthGBps!.Value, 4);

        // Stragglers: rank 7 was last 5 times and cost the others 1.31 ms, 9.1% of the 14.46 ms mean step.
        Assert.Equal([7], result.Stragglers.Stragglers);
        Assert.Equal(("steps", 14_461_875L), (result.Stragglers.ReferenceTime, result.Stragglers.ReferenceTimeNs));
        Assert.Equal([7, 5, 4, 0, 1, 2, 3, 6], result.Stragglers.Ranks.Select(r => r.Rank));
        var rank7 = result.Stragglers.Ranks[0];
        Assert.Equal((8, 5, 1_310_000L, 262_000L, 645_219L), (rank7.Instances, rank7.LastCount, rank7.CostNs, rank7.MeanDelayWhenLastNs, rank7.MeanLatenessNs));
        Assert.Equal(0.0906, rank7.CostShare, 4);
        Assert.Equal((2, 101_000L), (result.Stragglers.Ranks[1].LastCount, result.Stragglers.Ranks[1].CostNs));
        Assert.Equal((1, 14_000L), (result.Stragglers.Ranks[2].LastCount, result.Stragglers.Ranks[2].CostNs));
        // Rank 1 is the earliest on average (it started step 10 about 5.5 ms ahead of the others).
        Assert.Equal(-554_156, result.Stragglers.Ranks.Single(r => r.Rank == 1).MeanLatenessNs);

        // Step 10's device window per rank: it starts at each rank's first kernel, so the early ranks have the longest step.
        var step = Assert.Single(result.StepSpread.Steps);
        Assert.Equal([13_009_000L, 18_467_000, 11_350_000, 17_511_000, 16_589_000, 16_392_000, 11_410_000, 10_967_000], step.Ranks.Select(r => r.WindowNs));
        Assert.Equal((10_967_000L, 18_467_000L, 14_461_875L, 7_500_000L, 1, 7), (step.MinNs, step.MaxNs, step.MeanNs, step.SpreadNs, step.SlowestRank, step.FastestRank));
        Assert.Equal(0.19998, step.CoefficientOfVariation, 5);
    }

    [Fact]
    public void Dlrm_without_rank_5_matches_the_other_7()
    {
        var dir = SharedData.Require(Dlrm);
        var result = Analyze([.. Enumerable.Range(0, 8).Where(r => r != 5).Select(r => Path.Combine(dir, $"rank-{r}.json.gz"))]);

        var note = Assert.Single(result.Diagnostics);
        Assert.Equal(("missing-ranks", "7 of 8 ranks present; missing: 5"), (note.Code, note.Message));
        Assert.Equal(8, result.Instances.Count);
        Assert.All(result.Instances, i => Assert.Equal([0, 1, 2, 3, 4, 6, 7], i.Ranks.Select(r => r.Rank)));
        Assert.Equal([0L, -500, -500, -1_500, -1_000, -1_000, -1_000], result.Clock.Ranks.Select(c => c.OffsetNs));
        // Rank 5 was last in two collectives; without it rank 4 is last there, 296 and 399 µs after rank 7, so it now
        // costs the others 1.433 ms (10.1% of the 14.19 ms mean step) and is named beside rank 7. A missing rank hides
        // where the time really went: its wait is counted as transfer (61.5 µs instead of 9.5 µs for that all_to_all).
        Assert.Equal([7, 7, 7, 7, 7, 4, 4, 4], result.Instances.Select(i => i.LastRank));
        Assert.Equal([61_500L, 67_500, 66_000], result.Instances.Skip(5).Select(i => i.TransferNs));
        Assert.Equal([4, 7], result.Stragglers.Stragglers);
        Assert.Equal([1_433_000L, 1_310_000], result.Stragglers.Ranks.Take(2).Select(r => r.CostNs));
    }

    /// <summary>
    /// Two sampled ranks of a 128-rank job (HTA test data): the traces were down-sampled, so each lost different
    /// collectives (rank 0 has a 384-element all_to_all in step 551 that rank 1 lacks, and so on). Matching by order
    /// then pairs different collectives; the ends disagree by tens of ms and the analysis says so.
    /// </summary>
    [Fact]
    public void Sampled_128_rank_pair_is_flagged_as_unreliable()
    {
        var result = Analyze(SharedData.Require("traces/kineto/hta-128rank-sampled"));

        Assert.Equal(["missing-ranks", "clock-alignment-noisy"], result.Diagnostics.Select(d => d.Code));
        Assert.Equal("2 of 128 ranks present; missing: 2-127", result.Diagnostics[0].Message);
        Assert.Equal(10, result.Instances.Count);
        Assert.All(result.Instances, i => Assert.Equal(128, i.GroupSize));
        Assert.True(result.Clock.Ranks[1].MadNs > ClockAlignment.NoisyMadNs);
    }
}
