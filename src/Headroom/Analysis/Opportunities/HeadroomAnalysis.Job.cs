using Headroom.Analysis.Distributed;

namespace Headroom.Analysis.Opportunities;

public static partial class HeadroomAnalysis
{
    /// <summary>
    /// Job-level opportunities: each straggler the other ranks wait for in collectives. Its saving per step is the time the
    /// others waited for it alone (its cost) divided over the compared steps (or the matched collectives' span without steps).
    /// </summary>
    public static HeadroomResult ForJob(CollectiveAnalysisResult collectives)
    {
        ArgumentNullException.ThrowIfNull(collectives);
        var s = collectives.Stragglers;
        var spread = collectives.StepSpread;
        var perWindow = s.ReferenceTime != "steps" || spread.Steps.Count == 0;
        var steps = perWindow ? 1 : spread.Steps.Count;
        var step = perWindow ? s.ReferenceTimeNs : spread.TotalStepTimeNs / steps;
        if (step <= 0)
        {
            return HeadroomResult.Empty;
        }

        var items = new List<HeadroomItem>();
        foreach (var rank in s.Ranks.Where(r => r.IsStraggler))
        {
            var saving = (long)Math.Round((double)rank.CostNs / steps);
            items.Add(new HeadroomItem(HeadroomKind.Straggler,
                F($"rank {rank.Rank} is last into {Pc(rank.LastShare)} of collectives: the others wait {Ms(saving)} per {(perWindow ? "trace" : "step")} for it"),
                saving, (double)saving / step, HeadroomBound.Imbalance,
                F($"last in {rank.LastCount} of {rank.Instances} collectives, {Ms(rank.MeanDelayWhenLastNs)} after the second-to-last rank when last; {Ms(rank.MeanLatenessNs)} late on average ({rank.Reason})"),
                "find what makes this rank slower before its collectives: compare its step breakdown and top kernels with a fast rank (data loading, input sizes, thermal throttling, a noisy neighbour); balance the work if its shard is larger",
                "the time the other ranks waited for this rank alone (its arrival minus the second-to-last arrival, where it was last), per step")
            { Rank = rank.Rank });
        }

        return new HeadroomResult([.. items.OrderByDescending(i => i.SavingNsPerStep)], steps, step, perWindow);
    }
}
