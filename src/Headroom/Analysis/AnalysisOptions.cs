namespace Headroom.Analysis;

/// <summary>An inclusive range of step numbers (ProfilerStep#N), from <c>--steps N..M</c>.</summary>
public sealed record StepRange(long First, long Last)
{
    /// <summary>True when <paramref name="number"/> is inside the range.</summary>
    public bool Contains(long number) => number >= First && number <= Last;

    /// <summary>Parses "N", "N..M", "N.." or "..M".</summary>
    public static bool TryParse(string text, out StepRange? range)
    {
        range = null;
        var parts = text.Split("..", 2);
        if (parts.Length == 1)
        {
            if (long.TryParse(parts[0], out var single) && single >= 0)
            {
                range = new StepRange(single, single);
                return true;
            }

            return false;
        }

        var first = 0L;
        var last = long.MaxValue;
        if ((parts[0].Length > 0 && !long.TryParse(parts[0], out first)) || (parts[1].Length > 0 && !long.TryParse(parts[1], out last))
            || first < 0 || last < first)
        {
            return false;
        }

        range = new StepRange(first, last);
        return true;
    }

    /// <summary>"N..M".</summary>
    public override string ToString() => Last == long.MaxValue ? $"{First}.." : First == Last ? $"{First}" : $"{First}..{Last}";
}

/// <summary>How to analyse.</summary>
/// <param name="HtaCompatible">Reproduce Holistic Trace Analysis 0.6.1's conventions (docs/hta-compatibility.md).</param>
/// <param name="Steps">Only these steps; null for the whole trace.</param>
/// <param name="TopKernels">Rows kept in per-kernel tables (the rest is summed into an "other" row).</param>
/// <param name="TopOps">Rows kept in the op table.</param>
/// <param name="Rank">Only this rank; null for all.</param>
/// <param name="Catalog">The hardware catalog to detect devices in (built-in when null).</param>
/// <param name="Hardware">A device to use for every rank instead of detecting it (<c>--hardware</c>).</param>
/// <param name="Comparable">Also compute per-rank op-signature and kernel tables with per-step samples (<see cref="RankAnalysis.Comparable"/>), for storing and comparing runs.</param>
public sealed record AnalysisOptions(bool HtaCompatible = false, StepRange? Steps = null, int TopKernels = 25, int TopOps = 25, int? Rank = null,
    Hardware.HardwareCatalog? Catalog = null, Hardware.DeviceSpec? Hardware = null, bool Comparable = false);
