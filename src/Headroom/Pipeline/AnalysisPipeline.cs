using Headroom.Analysis;
using Headroom.Ingest;
using Headroom.Model;

namespace Headroom.Pipeline;

/// <summary>The outcome of <see cref="AnalysisPipeline.AnalyzeFiles"/>: the result, or the problems that made an input unusable.</summary>
public sealed record AnalysisOutcome(AnalysisResult? Result, IReadOnlyList<Diagnostic> Errors);

/// <summary>Wires the stages together for hosts: read (Ingest) and analyse (Analysis), rank by rank.</summary>
public static class AnalysisPipeline
{
    /// <summary>
    /// Reads and analyses <paramref name="paths"/> rank by rank (ranks in parallel), keeping only each rank's results and its
    /// small cross-rank summary, so memory does not grow with ranks × events. Under HTA conventions the whole job is loaded
    /// first, since HTA's last-step rule depends on every rank's steps.
    /// </summary>
    public static AnalysisOutcome AnalyzeFiles(IReadOnlyList<string> paths, AnalysisOptions options, LoadProgress? progress = null,
        LoadOptions? loadOptions = null)
    {
        if (options.HtaCompatible)
        {
            var load = TraceLoader.Load(paths, loadOptions, progress);
            return load.Run is null ? new AnalysisOutcome(null, load.Errors) : new AnalysisOutcome(TraceAnalysis.Analyze(load.Run, options), []);
        }

        var diagnostics = new DiagnosticBag();
        var each = TraceLoader.LoadEach(paths,
            trace =>
            {
                var (analysis, summary) = TraceAnalysis.AnalyzeRankAndSummarize(trace, options, jobHasSeveralSteps: false, diagnostics);
                return (Input: InputSummary.Of(trace), Analysis: analysis, Summary: summary);
            },
            (r, rank, source) => (r.Input with { Rank = rank, RankSource = source }, r.Analysis with { Rank = rank, RankSource = source },
                r.Summary with { Rank = rank }),
            loadOptions, progress);
        if (each.Results is null)
        {
            return new AnalysisOutcome(null, each.Errors);
        }

        var all = each.Results;
        var bag = new DiagnosticBag();
        bag.AddRange(each.Diagnostics);
        bag.AddRange(diagnostics.ToList());
        var chosen = options.Rank is int only ? all.Where(r => r.Analysis.Rank == only).ToList() : all.ToList();
        return new AnalysisOutcome(TraceAnalysis.Finish([.. all.Select(r => r.Input)], [.. chosen.Select(r => r.Analysis)], [.. chosen.Select(r => r.Summary)],
            options, bag), []);
    }
}
