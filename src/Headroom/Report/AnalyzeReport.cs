using Headroom.Analysis;
using Headroom.Analysis.Distributed;
using Headroom.Model;

namespace Headroom.Report;

/// <summary>One input file as the report describes it.</summary>
/// <param name="Events">Events in the file (every one is counted in the census).</param>
/// <param name="DroppedEvents">Events that could not be used; diagnostics say why.</param>
/// <param name="RetainedBytes">Approximate bytes the model keeps for the rank.</param>
public sealed record ReportInput(string Path, int Rank, RankSource RankSource, string Format, long Bytes, long Events, long CpuEvents, long GpuEvents,
    long DroppedEvents, bool Truncated, long RetainedBytes, IReadOnlyList<DeviceInfo> Devices, DistributedInfo? Distributed, TraceMetadata Metadata);

/// <summary>
/// The neutral document behind every rendering of <c>headroom analyze</c>: the analyses of each rank plus
/// the facts about the inputs and the diagnostics. Renderers only format it; they compute nothing.
/// </summary>
/// <param name="SchemaVersion">Version of the JSON rendering (docs/json-schema.md); bumped on any change of shape.</param>
/// <param name="Collectives">Cross-rank results; null for one rank.</param>
public sealed record AnalyzeReport(int SchemaVersion, string ToolVersion, AnalysisOptions Options, IReadOnlyList<ReportInput> Inputs,
    IReadOnlyList<RankAnalysis> Ranks, IReadOnlyList<Diagnostic> Diagnostics, CollectiveAnalysisResult? Collectives)
{
    /// <summary>Current JSON schema version.</summary>
    public const int CurrentSchemaVersion = 1;

    /// <summary>Builds the document from a loaded run and its analyses.</summary>
    public static AnalyzeReport Create(TraceRun run, AnalysisResult result)
    {
        var inputs = run.Ranks.Select(r => new ReportInput(r.SourcePath, r.Rank, r.RankSource, r.Metadata.Format, r.BytesRead, r.Census.Total, r.Cpu.Count,
            r.Gpu.Count, r.Census.Count(EventDisposition.Dropped), r.Truncated, r.RetainedBytes, r.Devices, r.Distributed, r.Metadata)).ToList();
        return new AnalyzeReport(CurrentSchemaVersion, ToolInfo.Version, result.Options, inputs, result.Ranks, result.Diagnostics, result.Collectives);
    }
}

/// <summary>The tool's name and version.</summary>
public static class ToolInfo
{
    /// <summary>Informational version of the Headroom library.</summary>
    public static string Version { get; } =
        (typeof(ToolInfo).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "0.0.0").Split('+')[0];
}
