using Headroom.Analysis.Kernels;

namespace Headroom.Analysis.Breakdown;

/// <summary>Statistics of the instances of one kernel name (or of one category) in a window. Durations in ns.</summary>
/// <param name="Name">Kernel name, or the category's name for category rows, or "other" for the rows beyond the top N.</param>
/// <param name="ShareOfBusy">Total over the rank's busy (union) device time in the window, 0..1 (overlapping kernels can add past 1).</param>
public sealed record KernelStats(string Name, KernelCategory Category, long Count, long TotalNs, long MeanNs, long P50Ns, long P95Ns,
    long MinNs, long MaxNs, double ShareOfBusy);

/// <summary>The per-name and per-category kernel tables of one window.</summary>
/// <param name="ByName">Top names by total time; when more names exist, a final row "other" sums the rest.</param>
/// <param name="ByCategory">Every category with any time, by total time.</param>
/// <param name="DistinctNames">Distinct names in the window.</param>
public sealed record KernelBreakdown(IReadOnlyList<KernelStats> ByName, IReadOnlyList<KernelStats> ByCategory, int DistinctNames);

/// <summary>Aggregates device activities by name and by category.</summary>
public static class KernelBreakdownAnalysis
{
    /// <summary>Activities starting in [start, end); <paramref name="busyNs"/> is the window's union device time.</summary>
    public static KernelBreakdown Compute(RankActivities activities, long start, long end, long busyNs, int top)
    {
        var trace = activities.Trace;
        var byName = new Dictionary<int, List<long>>();
        var categoryOf = new Dictionary<int, KernelCategory>();
        var names = trace.Gpu.Name;
        var (first, last) = activities.StartingIn(start, end);
        for (var i = first; i < last; i++)
        {
            var s = activities.Start[i];
            if (activities.Event[i] < 0)
            {
                continue;
            }

            var name = names[activities.Event[i]];
            if (!byName.TryGetValue(name, out var list))
            {
                list = [];
                byName[name] = list;
                categoryOf[name] = activities.Category[i];
            }

            list.Add(Math.Max(0, activities.End[i] - s));
        }

        var rows = byName.Select(kv => Stats(trace.Strings[kv.Key], categoryOf[kv.Key], kv.Value, busyNs))
            .OrderByDescending(r => r.TotalNs).ThenBy(r => r.Name, StringComparer.Ordinal).ToList();
        var kept = rows.Take(top).ToList();
        if (rows.Count > top)
        {
            var rest = byName.Where(kv => !kept.Any(k => k.Name == trace.Strings[kv.Key])).SelectMany(kv => kv.Value).ToList();
            kept.Add(Stats("other", KernelCategory.Other, rest, busyNs) with { Name = $"other ({rows.Count - top} names)" });
        }

        var byCategory = byName.GroupBy(kv => categoryOf[kv.Key])
            .Select(g => Stats(g.Key.ToString(), g.Key, [.. g.SelectMany(kv => kv.Value)], busyNs))
            .OrderByDescending(r => r.TotalNs).ThenBy(r => r.Name, StringComparer.Ordinal).ToList();
        return new KernelBreakdown(kept, byCategory, byName.Count);
    }

    private static KernelStats Stats(string name, KernelCategory category, List<long> durations, long busyNs)
    {
        if (durations.Count == 0)
        {
            return new KernelStats(name, category, 0, 0, 0, 0, 0, 0, 0, 0);
        }

        durations.Sort();
        long total = 0;
        foreach (var d in durations)
        {
            total += d;
        }

        return new KernelStats(name, category, durations.Count, total, total / durations.Count, Percentile(durations, 0.50),
            Percentile(durations, 0.95), durations[0], durations[^1], busyNs > 0 ? (double)total / busyNs : 0);
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    public static long Percentile(IReadOnlyList<long> sorted, double p)
    {
        if (sorted.Count == 0)
        {
            return 0;
        }

        var rank = (int)Math.Ceiling(p * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}
