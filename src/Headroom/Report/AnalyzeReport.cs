using Headroom.Analysis;
using Headroom.Analysis.Distributed;
using Headroom.Model;

namespace Headroom.Report;

/// <summary>
/// The neutral document behind every rendering of <c>headroom analyze</c>: the analyses of each rank plus
/// the facts about the inputs and the diagnostics. Renderers only format it; they compute nothing.
/// </summary>
/// <param name="SchemaVersion">Version of the JSON rendering (docs/json-schema.md); bumped on any change of shape.</param>
/// <param name="Collectives">Cross-rank results; null for one rank.</param>
/// <param name="Headroom">Job-level opportunities (stragglers); empty without cross-rank results.</param>
public sealed record AnalyzeReport(int SchemaVersion, string ToolVersion, AnalysisOptions Options, IReadOnlyList<InputSummary> Inputs,
    IReadOnlyList<RankAnalysis> Ranks, IReadOnlyList<Diagnostic> Diagnostics, CollectiveAnalysisResult? Collectives,
    Analysis.Opportunities.HeadroomResult Headroom)
{
    /// <summary>Current JSON schema version.</summary>
    public const int CurrentSchemaVersion = 3;

    /// <summary>Builds the document from the analyses.</summary>
    public static AnalyzeReport Create(AnalysisResult result) =>
        new(CurrentSchemaVersion, ToolInfo.Version, result.Options, result.Inputs, result.Ranks, result.Diagnostics, result.Collectives,
            result.Headroom ?? Analysis.Opportunities.HeadroomResult.Empty);
}

/// <summary>The tool's name and version.</summary>
public static class ToolInfo
{
    /// <summary>Informational version of the Headroom library.</summary>
    public static string Version { get; } =
        (typeof(ToolInfo).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "0.0.0").Split('+')[0];
}
