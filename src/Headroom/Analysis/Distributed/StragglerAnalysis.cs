namespace Headroom.Analysis.Distributed;

/// <summary>How much one rank held the others up in collectives.</summary>
/// <param name="Rank">Rank id.</param>
/// <param name="Instances">Collective instances the rank shared with at least one other rank.</param>
/// <param name="LastCount">Instances in which it arrived last.</param>
/// <param name="LastShare">LastCount / Instances (0 when none).</param>
/// <param name="MeanLatenessNs">Mean over its instances of (its arrival − the instance's median arrival), ns: how late it
/// usually is. For a rank whose collectives are delayed by a fixed amount, this is that delay.</param>
/// <param name="CostNs">Sum over the instances where it arrived last of (its arrival − the second-to-last arrival), ns: the time
/// everyone else waited because of this rank alone.</param>
/// <param name="MeanDelayWhenLastNs">CostNs / LastCount, ns (0 when never last).</param>
/// <param name="CostShare">CostNs / the compared time (<see cref="StragglerResult.ReferenceTimeNs"/>); 0 when that is 0.</param>
/// <param name="IsStraggler">Named a straggler under <see cref="StragglerAnalysis.Rule"/>.</param>
/// <param name="Reason">Why it is named (empty when it is not).</param>
public sealed record RankStraggle(int Rank, int Instances, int LastCount, double LastShare, long MeanLatenessNs, long CostNs, long MeanDelayWhenLastNs,
    double CostShare, bool IsStraggler, string Reason);

/// <summary>Ranks ranked by how much they held the others up.</summary>
/// <param name="Ranks">Every rank that shared an instance, costliest first (then most often last, then by rank).</param>
/// <param name="Stragglers">Ranks named stragglers, costliest first.</param>
/// <param name="Instances">Instances with at least two ranks.</param>
/// <param name="ReferenceTimeNs">The time the cost is compared with, ns.</param>
/// <param name="ReferenceTime">What that time is: "steps" (sum of the mean step times of the steps present on several ranks)
/// or "collectives" (first arrival to last end of the matched collectives, when there are no such steps).</param>
public sealed record StragglerResult(IReadOnlyList<RankStraggle> Ranks, IReadOnlyList<int> Stragglers, int Instances, long ReferenceTimeNs,
    string ReferenceTime)
{
    /// <summary>The rule that named the stragglers.</summary>
    public string Rule => StragglerAnalysis.Rule;
}

/// <summary>
/// Finds the ranks that make the others wait. Pure; reads timed instances (after clock alignment).
/// </summary>
public static class StragglerAnalysis
{
    /// <summary>A rank whose cost is at least this share of the compared time is a straggler (5%).</summary>
    public const double CostShareThreshold = 0.05;

    /// <summary>To be named for arriving last most of the time, a rank must be last at least this often (3)...</summary>
    public const int MinLastCount = 3;

    /// <summary>...and hold the others up by at least this much each time on average (10 µs), well above timestamp resolution and clock-alignment error.</summary>
    public const long MinDelayWhenLastNs = 10_000;

    /// <summary>The rule, in words.</summary>
    public const string Rule =
        "a rank is a straggler when the others' wait for it (cost) is at least 5% of the compared time, or when it arrives last in more than half of its collectives (at least 3 times) holding the others up by at least 10 µs each time on average";

    /// <summary>Ranks the ranks of <paramref name="instances"/>; the cost is compared with <paramref name="steps"/>' total step time, or the collectives' span when no step is on several ranks.</summary>
    public static StragglerResult Compute(IReadOnlyList<CollectiveInstance> instances, StepSpreadResult steps)
    {
        ArgumentNullException.ThrowIfNull(instances);
        ArgumentNullException.ThrowIfNull(steps);
        if (steps.TotalStepTimeNs > 0)
        {
            return Compute(instances, steps.TotalStepTimeNs, "steps");
        }

        var shared = instances.Where(i => i.Ranks.Count >= 2).ToList();
        var span = shared.Count == 0 ? 0 : shared.Max(i => i.Ranks.Max(r => r.EndNs)) - shared.Min(i => i.FirstArrivalNs);
        return Compute(instances, span, "collectives");
    }

    /// <summary>Ranks the ranks of <paramref name="instances"/>, comparing costs with <paramref name="referenceTimeNs"/>.</summary>
    public static StragglerResult Compute(IReadOnlyList<CollectiveInstance> instances, long referenceTimeNs, string referenceTime)
    {
        ArgumentNullException.ThrowIfNull(instances);
        var acc = new SortedDictionary<int, (int Instances, int Last, double Lateness, long Cost)>();
        var shared = 0;
        foreach (var inst in instances)
        {
            if (inst.Ranks.Count < 2)
            {
                continue;
            }

            shared++;
            foreach (var p in inst.Ranks)
            {
                var a = acc.GetValueOrDefault(p.Rank);
                a.Instances++;
                a.Lateness += p.ArrivalNs - inst.MedianArrivalNs;
                if (p.Rank == inst.LastRank)
                {
                    a.Last++;
                    a.Cost += inst.LastArrivalNs - inst.SecondLastArrivalNs;
                }

                acc[p.Rank] = a;
            }
        }

        var ranks = acc.Select(kv =>
        {
            var (n, last, lateness, cost) = kv.Value;
            var share = referenceTimeNs > 0 ? (double)cost / referenceTimeNs : 0;
            var delay = last > 0 ? cost / last : 0;
            var reasons = new List<string>(2);
            if (share >= CostShareThreshold)
            {
                reasons.Add($"the others waited {cost / 1e6:0.###} ms for it, {share * 100:0.#}% of the compared time");
            }

            if (2 * last > n && last >= MinLastCount && delay >= MinDelayWhenLastNs)
            {
                reasons.Add($"last in {last} of {n} collectives, {delay / 1e3:0.#} µs after the next-to-last on average");
            }

            var reason = string.Join("; ", reasons);
            return new RankStraggle(kv.Key, n, last, n > 0 ? (double)last / n : 0, (long)Math.Round(lateness / Math.Max(1, n)), cost, delay, share,
                reason.Length > 0, reason);
        }).OrderByDescending(r => r.CostNs).ThenByDescending(r => r.LastCount).ThenBy(r => r.Rank).ToList();
        return new StragglerResult(ranks, [.. ranks.Where(r => r.IsStraggler).Select(r => r.Rank)], shared, referenceTimeNs, referenceTime);
    }
}
