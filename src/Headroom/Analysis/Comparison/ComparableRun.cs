namespace Headroom.Analysis.Comparison;

/// <summary>One rank of a run, as run comparison and the run store see it.</summary>
/// <param name="Rank">Rank id.</param>
/// <param name="Device">Device name as the trace gives it.</param>
/// <param name="HardwareId">Catalog device id; null when not in the catalog.</param>
/// <param name="WindowNs">Analysed device window, ns.</param>
/// <param name="ComputationNs">Time any computation ran, ns.</param>
/// <param name="ExposedCommunicationNs">Communication not hidden under computation, ns.</param>
/// <param name="IdleNs">Time no device activity ran, ns.</param>
/// <param name="Mfu">MFU over the analysed steps; null without a catalog device.</param>
/// <param name="Tables">Op-signature and kernel tables with per-step samples.</param>
public sealed record ComparableRunRank(int Rank, string Device, string? HardwareId, long WindowNs, long ComputationNs, long ExposedCommunicationNs,
    long IdleNs, double? Mfu, ComparableRank Tables);

/// <summary>
/// A run reduced to what comparing two runs needs: per rank the breakdown totals, MFU, and the op-signature and kernel
/// tables with per-step samples. Built from an analysis (<see cref="From"/>) or loaded from the run store; the diff and
/// the CI gate read only this.
/// </summary>
/// <param name="Name">How the user named the run: a label, a run id, or the trace paths.</param>
/// <param name="ToolVersion">Headroom version that analysed it.</param>
/// <param name="Ranks">Ranks in rank order.</param>
public sealed record ComparableRun(string Name, string ToolVersion, IReadOnlyList<ComparableRunRank> Ranks)
{
    /// <summary>The comparable form of <paramref name="result"/>, which must have been analysed with <see cref="AnalysisOptions.Comparable"/>.</summary>
    public static ComparableRun From(AnalysisResult result, string name, string toolVersion)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new ComparableRun(name, toolVersion, [.. result.Ranks.OrderBy(r => r.Rank).Select(r => new ComparableRunRank(
            r.Rank, r.Device, r.Hardware.Spec?.Id, r.Overall.WindowNs, r.Overall.ComputationNs, r.Overall.CommunicationNs, r.Overall.IdleNs, r.Mfu.Mfu,
            r.Comparable ?? throw new ArgumentException("the run was analysed without AnalysisOptions.Comparable", nameof(result))))]);
    }
}
