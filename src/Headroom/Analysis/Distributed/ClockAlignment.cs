using Headroom.Model;

namespace Headroom.Analysis.Distributed;

/// <summary>One rank's clock relative to the reference rank's.</summary>
/// <param name="Rank">Rank id.</param>
/// <param name="OffsetNs">The rank's clock minus the reference rank's clock, ns: subtract it from the rank's times to put them on
/// the reference clock. 0 for the reference, and when <paramref name="Aligned"/> is false.</param>
/// <param name="MadNs">Median absolute deviation of the per-collective differences around <paramref name="OffsetNs"/>, ns: how
/// much the individual collectives disagree (a few µs when the matching is right).</param>
/// <param name="RangeNs">Largest minus smallest per-collective difference, ns.</param>
/// <param name="Samples">Matched collectives shared with the reference rank.</param>
/// <param name="Aligned">False when the rank shares no collective with the reference (offset taken as 0), unless it was read from the reference's own file (the devices of one XSpace share a clock).</param>
public readonly record struct RankClock(int Rank, long OffsetNs, long MadNs, long RangeNs, int Samples, bool Aligned);

/// <summary>Estimated clock offsets of every rank.</summary>
/// <param name="ReferenceRank">The rank whose clock the others are put on; -1 when there is none.</param>
/// <param name="Ranks">One per input rank, ascending.</param>
/// <param name="Diagnostics">Named notes (<c>clock-not-aligned</c>, <c>clock-alignment-noisy</c>).</param>
public sealed record ClockAlignmentResult(int ReferenceRank, IReadOnlyList<RankClock> Ranks, IReadOnlyList<Diagnostic> Diagnostics)
{
    /// <summary>The offset of <paramref name="rank"/>, ns (0 when unknown). <see cref="Ranks"/> is ascending: a binary search.</summary>
    public long OffsetOf(int rank)
    {
        int lo = 0, hi = Ranks.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var r = Ranks[mid].Rank;
            if (r == rank)
            {
                return Ranks[mid].OffsetNs;
            }

            (lo, hi) = r < rank ? (mid + 1, hi) : (lo, mid - 1);
        }

        return 0;
    }

    /// <summary>Largest absolute offset, ns: the clock skew found.</summary>
    public long MaxSkewNs => Ranks.Count == 0 ? 0 : Ranks.Max(r => Math.Abs(r.OffsetNs));
}

/// <summary>
/// Puts the ranks' clocks on one time base. Ranks' clocks are not synchronised (different hosts, CUPTI clock conversion), but
/// a collective's kernels end together on every rank: the last rank to arrive releases them all. So each rank's offset is
/// the median, over the collectives it shares with the reference rank, of (its end − the reference's end). The median
/// ignores the odd collective whose ends do not line up (a wrong match, a kernel that ends late for a local reason); the
/// median absolute deviation says how well the ends agree.
/// </summary>
public static class ClockAlignment
{
    /// <summary>Above this median absolute deviation the ends do not line up: the <c>clock-alignment-noisy</c> note (50 µs).</summary>
    public const long NoisyMadNs = 50_000;

    /// <summary>
    /// Estimates each rank's offset from the matched collectives. The reference is the lowest rank that shares a matched
    /// collective with another rank (the lowest rank when none does). Ranks sharing nothing with it keep offset 0 and get a
    /// <c>clock-not-aligned</c> note, unless <paramref name="sourceOf"/> (rank → trace file) says they were read from the
    /// reference's own file: the devices of one XSpace share its clock.
    /// </summary>
    public static ClockAlignmentResult Estimate(CollectiveMatchResult match, IReadOnlyDictionary<int, string>? sourceOf = null)
    {
        ArgumentNullException.ThrowIfNull(match);
        var diagnostics = new DiagnosticBag();
        if (match.Ranks.Count == 0)
        {
            return new ClockAlignmentResult(-1, [], []);
        }

        var shared = match.Collectives.Where(c => c.Kernels.Count >= 2).ToList();
        var reference = shared.Count == 0 ? match.Ranks[0] : shared.SelectMany(c => c.Kernels).Min(k => k.Rank);
        var differences = match.Ranks.ToDictionary(r => r, _ => new List<long>());
        foreach (var c in shared)
        {
            var refIndex = IndexOf(c.Kernels, reference);
            if (refIndex < 0)
            {
                continue;
            }

            var refEnd = c.Kernels[refIndex].EndNs;
            foreach (var k in c.Kernels)
            {
                differences[k.Rank].Add(k.EndNs - refEnd);
            }
        }

        var clocks = new List<RankClock>(match.Ranks.Count);
        var notAligned = new List<int>();
        var noisy = new List<(int Rank, long Mad)>();
        foreach (var rank in match.Ranks)
        {
            var d = differences[rank];
            if (d.Count == 0)
            {
                // Ranks read from one file (the devices of one XSpace) share its clock: offset 0, and nothing to note.
                var sameClock = rank == reference || (sourceOf is not null && sourceOf.TryGetValue(rank, out var file) && file.Length > 0
                    && sourceOf.TryGetValue(reference, out var referenceFile) && file == referenceFile);
                clocks.Add(new RankClock(rank, 0, 0, 0, 0, sameClock));
                if (!sameClock && match.Ranks.Count > 1)
                {
                    notAligned.Add(rank);
                }

                continue;
            }

            d.Sort();
            var offset = Median(d);
            var deviations = d.Select(x => Math.Abs(x - offset)).Order().ToList();
            var mad = Median(deviations);
            clocks.Add(new RankClock(rank, offset, mad, d[^1] - d[0], d.Count, true));
            if (mad > NoisyMadNs)
            {
                noisy.Add((rank, mad));
            }
        }

        if (notAligned.Count > 0)
        {
            diagnostics.Report(DiagnosticCatalog.CollectiveClockNotAligned, shared.Count == 0
                ? "no collective is matched across ranks; every clock offset is taken as 0"
                : $"rank {JobConsistencyAnalysis.Describe(notAligned)} shares no matched collective with reference rank {reference}; offset taken as 0");
        }

        if (noisy.Count > 0)
        {
            var worst = noisy.MaxBy(n => n.Mad);
            diagnostics.Report(DiagnosticCatalog.CollectiveClockNoisy,
                $"collective ends disagree on rank {JobConsistencyAnalysis.Describe(noisy.Select(n => n.Rank))} (up to {worst.Mad / 1000.0:0.#} µs median absolute deviation on rank {worst.Rank}); check that the traces cover the same collectives");
        }

        return new ClockAlignmentResult(reference, clocks, diagnostics.ToList());
    }

    /// <summary>Median of a sorted list (mean of the two middle values, rounded toward negative infinity, for an even count).</summary>
    internal static long Median(IReadOnlyList<long> sorted)
    {
        var n = sorted.Count;
        if (n == 0)
        {
            return 0;
        }

        if (n % 2 == 1)
        {
            return sorted[n / 2];
        }

        var a = sorted[(n / 2) - 1];
        var b = sorted[n / 2];
        return a + ((b - a) >> 1);
    }

    private static int IndexOf(IReadOnlyList<MatchedKernel> kernels, int rank)
    {
        for (var i = 0; i < kernels.Count; i++)
        {
            if (kernels[i].Rank == rank)
            {
                return i;
            }
        }

        return -1;
    }
}
