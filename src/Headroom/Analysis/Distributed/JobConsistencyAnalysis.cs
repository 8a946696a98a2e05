using Headroom.Model;

namespace Headroom.Analysis.Distributed;

/// <summary>
/// Checks that the ranks of a run look like one job: the same declared world size and process groups, and every
/// rank of that world present. Problems become diagnostics; the analyses go on with what is there.
/// </summary>
public static class JobConsistencyAnalysis
{
    /// <summary>Reports <c>mixed-jobs</c> and <c>missing-ranks</c> into <paramref name="diagnostics"/>.</summary>
    /// <returns>False when the ranks come from different jobs: comparing them across ranks would make no sense.</returns>
    public static bool Check(IReadOnlyList<InputSummary> ranks, DiagnosticBag diagnostics)
    {
        var declared = ranks.Where(r => r.Distributed?.WorldSize is > 0).ToList();
        var worldSizes = declared.Select(r => r.Distributed!.WorldSize!.Value).Distinct().Order().ToList();
        if (worldSizes.Count > 1)
        {
            var bySize = string.Join("; ", declared.GroupBy(r => r.Distributed!.WorldSize!.Value).OrderBy(g => g.Key)
                .Select(g => $"world size {g.Key}: {Describe(g.Select(r => r.Rank))}"));
            diagnostics.Report(DiagnosticCatalog.MixedJobs, $"ranks declare different world sizes ({bySize}); cross-rank analyses were skipped");
            return false;
        }

        var groupSignatures = declared.Where(r => r.Distributed!.ProcessGroups.Count > 0)
            .GroupBy(r => string.Join("|", r.Distributed!.ProcessGroups.Select(g => $"{g.Name}:{g.Size}:{string.Join(',', g.Ranks)}").Order(StringComparer.Ordinal)))
            .ToList();
        if (groupSignatures.Count > 1 && worldSizes.Count <= 1)
        {
            diagnostics.Report(DiagnosticCatalog.MixedJobs,
                $"ranks declare different process groups ({string.Join("; ", groupSignatures.Select(g => Describe(g.Select(r => r.Rank))))}); cross-rank analyses were skipped");
            return false;
        }

        if (worldSizes.Count == 1 && ranks.Count > 1)
        {
            var world = worldSizes[0];
            var present = ranks.Select(r => r.Rank).ToHashSet();
            var missing = Enumerable.Range(0, world).Where(r => !present.Contains(r)).ToList();
            if (missing.Count > 0)
            {
                diagnostics.Report(DiagnosticCatalog.MissingRanks,
                    $"{world - missing.Count} of {world} ranks present; missing: {Describe(missing)}");
            }
        }

        return true;
    }

    /// <summary>"0-3, 5, 7" for a set of rank ids.</summary>
    public static string Describe(IEnumerable<int> ranks)
    {
        var sorted = ranks.Distinct().Order().ToList();
        var parts = new List<string>();
        for (var i = 0; i < sorted.Count;)
        {
            var j = i;
            while (j + 1 < sorted.Count && sorted[j + 1] == sorted[j] + 1)
            {
                j++;
            }

            parts.Add(j == i ? $"{sorted[i]}" : $"{sorted[i]}-{sorted[j]}");
            i = j + 1;
        }

        return parts.Count > 12 ? string.Join(", ", parts.Take(12)) + $", … ({sorted.Count} ranks)" : string.Join(", ", parts);
    }
}
