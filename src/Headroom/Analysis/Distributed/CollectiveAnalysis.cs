using Headroom.Model;

namespace Headroom.Analysis.Distributed;

/// <summary>Everything the cross-rank collective analyses found.</summary>
/// <param name="Match">The collective instances as matched, on each rank's own clock.</param>
/// <param name="Clock">Each rank's clock offset from the reference rank.</param>
/// <param name="Instances">The instances timed on the reference clock, by last arrival.</param>
/// <param name="ByCollective">Per (process group, collective) totals.</param>
/// <param name="Stragglers">Ranks ranked by how long the others waited for them.</param>
/// <param name="StepSpread">Step time per rank and its spread.</param>
/// <param name="Diagnostics">Named notes of every stage.</param>
public sealed record CollectiveAnalysisResult(CollectiveMatchResult Match, ClockAlignmentResult Clock, IReadOnlyList<CollectiveInstance> Instances,
    IReadOnlyList<CollectiveTypeSummary> ByCollective, StragglerResult Stragglers, StepSpreadResult StepSpread, IReadOnlyList<Diagnostic> Diagnostics)
{
    /// <summary>
    /// False when matched collectives still end far apart after clock alignment (median absolute deviation above
    /// <see cref="ClockAlignment.NoisyMadNs"/> on some rank): collectives were probably matched wrongly, so waits and stragglers are unreliable.
    /// </summary>
    public bool Reliable => Clock.Ranks.All(r => r.MadNs <= ClockAlignment.NoisyMadNs);
}

/// <summary>
/// Runs the cross-rank analyses in order: match collectives across ranks, estimate clock offsets from them, time each
/// instance on the reference clock, rank the stragglers, compare step times. Pure; reads only per-rank summaries
/// (<see cref="RankCollectives"/>), so a large job can be summarised rank by rank and the traces released first.
/// </summary>
public static class CollectiveAnalysis
{
    /// <summary>Analyses the summaries of the ranks of one job.</summary>
    public static CollectiveAnalysisResult Analyze(IReadOnlyList<RankCollectives> ranks)
    {
        ArgumentNullException.ThrowIfNull(ranks);
        var match = CollectiveMatching.Match(ranks);
        var clock = ClockAlignment.Estimate(match, ranks.GroupBy(r => r.Rank).ToDictionary(g => g.Key, g => g.First().SourcePath));
        var instances = CollectiveTiming.Measure(match, clock);
        var steps = StepSpreadAnalysis.Compute(ranks);
        var stragglers = StragglerAnalysis.Compute(instances, steps);
        return new CollectiveAnalysisResult(match, clock, instances, CollectiveTiming.Summarize(instances), stragglers, steps,
            [.. match.Diagnostics, .. clock.Diagnostics]);
    }
}
