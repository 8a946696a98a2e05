using Headroom.Analysis.Distributed;
using Headroom.Tests.Support;
using Xunit;
using static Headroom.Tests.Support.CollectiveSummaries;

namespace Headroom.Tests.Analysis.Distributed;

/// <summary>Specification of matching one collective instance across ranks.</summary>
public sealed class CollectiveMatchingTests
{
    [Fact]
    public void Matches_by_recorded_sequence_number_when_every_rank_has_one()
    {
        // Rank 1 lost sequence number 1: 0 and 2 still match, 1 is on rank 0 only.
        var ranks = new[]
        {
            Rank(0, 2, Recorded("0", 0, "all_reduce", 0, 10), Recorded("0", 1, "all_gather", 20, 30), Recorded("0", 2, "all_reduce", 40, 50)),
            Rank(1, 2, Recorded("0", 0, "all_reduce", 0, 10), Recorded("0", 2, "all_reduce", 40, 50)),
        };

        var match = CollectiveMatching.Match(ranks);

        Assert.Equal([(0L, 2), (1L, 1), (2L, 2)], match.Collectives.Select(c => (c.Number, c.Kernels.Count)));
        Assert.All(match.Collectives, c => Assert.Equal(CollectiveMatchKind.Sequence, c.MatchedBy));
        Assert.Equal(1, match.IncompleteCount);
        var note = Assert.Single(match.Diagnostics);
        Assert.Equal("collective-count-mismatch", note.Code);
        Assert.Contains("all_gather sequence number 1 of group \"0\" is missing on rank 1", note.Message);
        Assert.Contains("collectives per rank: 3 on rank 0; 2 on rank 1", note.Message);
    }

    [Fact]
    public void Ranks_that_disagree_on_a_sequence_number_are_named()
    {
        var ranks = new[]
        {
            Rank(0, 2, Recorded("0", 0, "all_reduce", 0, 10)),
            Rank(1, 2, Recorded("0", 0, "broadcast", 0, 10)),
        };

        var match = CollectiveMatching.Match(ranks);

        Assert.Single(match.Collectives);
        var note = Assert.Single(match.Diagnostics);
        Assert.Equal("collective-name-mismatch", note.Code);
        Assert.Contains("all_reduce on rank 0 / broadcast on rank 1", note.Message);
    }

    [Fact]
    public void Without_sequence_numbers_matches_the_kth_collective_of_each_name_within_its_step()
    {
        // Rank 1 lost the first all_reduce of step 1. Counting within steps, step 2 still lines up.
        var ranks = new[]
        {
            Rank(0, 2, Kernel("all_reduce", 0, 10, step: 1), Kernel("all_reduce", 20, 30, step: 1), Kernel("all_reduce", 40, 50, step: 2)) with
            {
                Steps = [new StepWindow(1, 0, 35), new StepWindow(2, 35, 50)],
            },
            Rank(1, 2, Kernel("all_reduce", 20, 30, step: 1), Kernel("all_reduce", 40, 50, step: 2)) with
            {
                Steps = [new StepWindow(1, 0, 35), new StepWindow(2, 35, 50)],
            },
        };

        var match = CollectiveMatching.Match(ranks);

        Assert.True(match.StepQualified);
        // Within step 1, rank 1's only all_reduce is taken as the first: one wrong pair, one incomplete instance.
        Assert.Equal([(1L, 0L, 2), (1L, 1L, 1), (2L, 0L, 2)], match.Collectives.Select(c => (c.Step, c.Number, c.Kernels.Count)));
        Assert.All(match.Collectives, c => Assert.Equal(CollectiveMatchKind.Order, c.MatchedBy));
        var step2 = match.Collectives[2];
        Assert.Equal([40L, 40L], step2.Kernels.Select(k => k.StartNs));
        Assert.Equal("collective-count-mismatch", Assert.Single(match.Diagnostics).Code);
    }

    [Fact]
    public void The_group_size_comes_from_the_record_else_the_world_size_for_the_default_group()
    {
        var recorded = new CollectiveKernel("1", "all_gather", 0, true, -1, 1024, 4, 0, 10, null);
        var match = CollectiveMatching.Match([
            Rank(0, 16, Kernel("all_reduce", 0, 10), recorded),
            Rank(1, 16, Kernel("all_reduce", 0, 10), recorded),
        ]);

        Assert.Equal([16, 4], match.Collectives.Select(c => c.GroupSize));
        Assert.Equal(16, match.WorldSize);
        Assert.Equal(14, match.MissingRanks.Count);
    }

    [Theory]
    [InlineData(CollectiveMetadata.RecordParamComms)]
    [InlineData(CollectiveMetadata.KernelNameOnly)]
    public void A_missing_rank_is_named_and_the_others_still_match(CollectiveMetadata metadata)
    {
        var job = new MultiRankJobBuilder
        {
            ClockOffsetNs = StragglerAnalysisTests.Offsets,
            CollectiveDelayNs = { [6] = 1_000_000 },
            Metadata = metadata,
            WrittenRanks = [0, 1, 2, 3, 4, 6, 7],
        };

        var result = CollectiveAnalysis.Analyze(job.Summaries());

        Assert.Equal([5], result.Match.MissingRanks);
        var note = Assert.Single(result.Diagnostics);
        Assert.Equal(("missing-ranks", "7 of 8 ranks present; missing: 5"), (note.Code, note.Message));
        Assert.Equal(30, result.Instances.Count);
        Assert.All(result.Instances, i => Assert.Equal([0, 1, 2, 3, 4, 6, 7], i.Ranks.Select(r => r.Rank)));
        Assert.All(result.Clock.Ranks, c => Assert.InRange(c.OffsetNs - job.ExpectedOffsetNs(c.Rank), -1_000, 1_000));
        Assert.Equal([6], result.Stragglers.Stragglers);
    }

    [Theory]
    [InlineData(CollectiveMetadata.RecordParamComms)]
    [InlineData(CollectiveMetadata.KernelNameOnly)]
    public void A_collective_lost_on_one_rank_leaves_the_others_matched(CollectiveMetadata metadata)
    {
        // Rank 3's trace lost the all-gather of step 4.
        var job = new MultiRankJobBuilder
        {
            ClockOffsetNs = StragglerAnalysisTests.Offsets,
            CollectiveDelayNs = { [1] = 1_500_000 },
            Metadata = metadata,
            Drop = (rank, step, k) => rank == 3 && step == 4 && k == 1,
        };

        var result = CollectiveAnalysis.Analyze(job.Summaries());

        Assert.Equal(30, result.Instances.Count);
        var incomplete = Assert.Single(result.Instances, i => i.Ranks.Count != 8);
        Assert.Equal("all_gather", incomplete.Name);
        // By sequence number: the 11th collective of the job (Seq 10); by order: the first all_gather of step 4.
        Assert.Equal(metadata == CollectiveMetadata.RecordParamComms ? (CollectiveMatchKind.Sequence, -1L, 10L) : (CollectiveMatchKind.Order, 4L, 0L),
            (incomplete.MatchedBy, incomplete.Step, incomplete.Number));
        Assert.DoesNotContain(incomplete.Ranks, r => r.Rank == 3);
        var note = Assert.Single(result.Diagnostics);
        Assert.Equal("collective-count-mismatch", note.Code);
        Assert.Contains("1 of 30 collective instances", note.Message);
        Assert.Contains("30 on rank 0-2, 4-7; 29 on rank 3", note.Message);
        Assert.Contains("missing on rank 3", note.Message);
        Assert.All(result.Clock.Ranks, c => Assert.InRange(c.OffsetNs - job.ExpectedOffsetNs(c.Rank), -1_000, 1_000));
        Assert.Equal([1], result.Stragglers.Stragglers);
    }

    [Fact]
    public void One_rank_lists_its_collectives_with_a_note()
    {
        var job = new MultiRankJobBuilder { Ranks = 2, WrittenRanks = [0] };

        var result = CollectiveAnalysis.Analyze(job.Summaries());

        Assert.Equal(30, result.Instances.Count);
        Assert.Equal("too-few-ranks", Assert.Single(result.Diagnostics).Code);
        Assert.Empty(result.Stragglers.Ranks);
    }

    [Fact]
    public void No_collectives_is_a_note_not_an_error()
    {
        var result = CollectiveAnalysis.Analyze([Rank(0, 2), Rank(1, 2)]);

        Assert.Empty(result.Instances);
        Assert.Equal(["no-collectives", "clock-not-aligned"], result.Diagnostics.Select(d => d.Code));
        Assert.Empty(result.Stragglers.Stragglers);
    }
}
