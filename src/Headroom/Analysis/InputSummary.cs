using Headroom.Model;

namespace Headroom.Analysis;

/// <summary>What a report says about one input file: kept after the rank's trace itself has been released.</summary>
/// <param name="Events">Events in the file (every one is counted in the census).</param>
/// <param name="DroppedEvents">Events that could not be used; diagnostics say why.</param>
/// <param name="RetainedBytes">Approximate bytes the model kept for the rank.</param>
public sealed record InputSummary(string Path, int Rank, RankSource RankSource, string Format, long Bytes, long Events, long CpuEvents, long GpuEvents,
    long DroppedEvents, bool Truncated, long RetainedBytes, IReadOnlyList<DeviceInfo> Devices, DistributedInfo? Distributed, TraceMetadata Metadata)
{
    /// <summary>The summary of <paramref name="trace"/>.</summary>
    public static InputSummary Of(RankTrace trace) => new(trace.SourcePath, trace.Rank, trace.RankSource, trace.Metadata.Format, trace.BytesRead,
        trace.Census.Total, trace.Cpu.Count, trace.Gpu.Count, trace.Census.Count(EventDisposition.Dropped), trace.Truncated, trace.RetainedBytes,
        trace.Devices, trace.Distributed, trace.Metadata);
}
