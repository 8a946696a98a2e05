using Headroom.Analysis.Breakdown;
using Headroom.Analysis.Distributed;
using Headroom.Model;

namespace Headroom.Analysis;

/// <summary>A step with its device-time breakdown and top kernels.</summary>
public sealed record StepResult(Step Step, GpuTimeBreakdown Breakdown, IReadOnlyList<KernelStats> TopKernels);

/// <summary>Everything computed for one rank.</summary>
/// <param name="Overall">Breakdown over the analysed window (the whole device span, or the selected steps).</param>
/// <param name="KernelTypes">HTA's kernel-type overlap table over the same window.</param>
/// <param name="ActivityCount">Device activities analysed.</param>
/// <param name="HtaTemporal">HTA's temporal breakdown, under <c>--hta-compatible</c> only.</param>
/// <param name="Idle">Idle time per stream: host wait, kernel wait, other (over the whole rank).</param>
/// <param name="Launch">Launch statistics (over the whole rank); per-launch rows are not kept, only the summary and outliers.</param>
/// <param name="Hardware">The catalog device matched from the trace's device properties, and how (docs/hardware.md).</param>
/// <param name="Roofline">Per-op roofline placement against that device over the analysed window (docs/roofline.md); ops beyond the top 50 by time are not kept.</param>
/// <param name="Mfu">Model and hardware FLOPs utilisation per step (docs/headroom.md).</param>
/// <param name="Headroom">The ranked opportunities: step time each would save (docs/headroom.md).</param>
public sealed record RankAnalysis(int Rank, RankSource RankSource, string SourcePath, string Device, IReadOnlyList<StepResult> Steps,
    GpuTimeBreakdown Overall, IReadOnlyList<KernelTypeTime> KernelTypes, KernelBreakdown Kernels, IReadOnlyList<OpStats> Ops, int ActivityCount,
    HtaTemporalBreakdown? HtaTemporal, IdleTimeResult Idle, LaunchResult Launch, Hardware.DeviceMatch Hardware, Roofline.RooflineResult Roofline,
    Roofline.MfuResult Mfu, Opportunities.HeadroomResult Headroom)
{
    /// <summary>Op-signature and kernel tables with per-step samples, for comparing runs; null unless <see cref="AnalysisOptions.Comparable"/>.</summary>
    public Comparison.ComparableRank? Comparable { get; init; }

    /// <summary>XLA ops' device time by the framework op they were lowered from (XSpaces); empty when the trace records none.</summary>
    public global::Headroom.Analysis.Roofline.FrameworkOpResult FrameworkOps { get; init; } = global::Headroom.Analysis.Roofline.FrameworkOpResult.Empty;
}

/// <summary>The analyses of a run.</summary>
/// <param name="Inputs">Every input file, in rank order (all of them, also with --rank).</param>
/// <param name="Collectives">Cross-rank results (collectives, clock skew, stragglers, step spread); null for a single rank, with --rank, or for ranks of different jobs.</param>
/// <param name="Headroom">Job-level opportunities (ranks the others wait for); empty without cross-rank results.</param>
public sealed record AnalysisResult(IReadOnlyList<RankAnalysis> Ranks, IReadOnlyList<Diagnostic> Diagnostics, AnalysisOptions Options,
    IReadOnlyList<InputSummary> Inputs, CollectiveAnalysisResult? Collectives = null, Opportunities.HeadroomResult? Headroom = null);



/// <summary>Runs every single-rank analysis on every rank of a run, ranks in parallel. Pure: it prints nothing.</summary>
public static class TraceAnalysis
{
    /// <summary>Roofline ops kept per rank (the longest by device time).</summary>
    public const int MaxRooflineOps = 50;

    /// <summary>Analyses <paramref name="run"/>, a job held in memory.</summary>
    public static AnalysisResult Analyze(TraceRun run, AnalysisOptions options)
    {
        var diagnostics = new DiagnosticBag();
        diagnostics.AddRange(run.Diagnostics);
        var inputs = run.Ranks.Select(InputSummary.Of).ToList();
        var ranks = options.Rank is int only ? run.Ranks.Where(r => r.Rank == only).ToList() : run.Ranks.ToList();

        // HTA decides on dropping the last step over the whole job.
        var jobStepNames = options.HtaCompatible
            ? run.Ranks.SelectMany(r => StepAnalysis.Find(r).Select(s => s.Number)).Distinct().Count()
            : 0;

        var results = new RankAnalysis[ranks.Count];
        var summaries = new RankCollectives[ranks.Count];
        Parallel.For(0, ranks.Count, i => (results[i], summaries[i]) = AnalyzeRankAndSummarize(ranks[i], options, jobStepNames >= 2, diagnostics));
        return Finish(inputs, results, summaries, options, diagnostics);
    }

    /// <summary>The job-level part: consistency of the ranks, and the cross-rank analyses from the per-rank summaries.</summary>
    public static AnalysisResult Finish(IReadOnlyList<InputSummary> inputs, IReadOnlyList<RankAnalysis> results, IReadOnlyList<RankCollectives> summaries,
        AnalysisOptions options, DiagnosticBag diagnostics)
    {
        if (options.Rank is int missing && results.Count == 0)
        {
            diagnostics.Report(DiagnosticCatalog.RankNotFound, $"no input has rank {missing} (ranks: {JobConsistencyAnalysis.Describe(inputs.Select(i => i.Rank))})");
            return new AnalysisResult([], Ordered(diagnostics), options, inputs);
        }

        var oneJob = JobConsistencyAnalysis.Check(inputs, diagnostics);

        // Across ranks: only for a whole job (not one rank picked with --rank), from the small per-rank summaries.
        CollectiveAnalysisResult? collectives = null;
        if (options.Rank is null && results.Count >= 2 && oneJob)
        {
            collectives = CollectiveAnalysis.Analyze(summaries);
            diagnostics.AddRange(collectives.Diagnostics.Where(d => d.Code != DiagnosticCatalog.MissingRanks.Code));
        }

        var headroom = collectives is null ? Opportunities.HeadroomResult.Empty : Opportunities.HeadroomAnalysis.ForJob(collectives);
        return new AnalysisResult(results, Ordered(diagnostics), options, inputs, collectives, headroom);
    }

    /// <summary>
    /// Diagnostics grouped by file (job-level ones first), in first-seen order within a file: ranks are analysed in
    /// parallel, so the order they reported in is not stable from run to run.
    /// </summary>
    private static List<Diagnostic> Ordered(DiagnosticBag diagnostics) =>
        [.. diagnostics.ToList().OrderBy(d => d.File ?? "", StringComparer.Ordinal)];


    /// <summary>Analyses one rank.</summary>
    public static RankAnalysis AnalyzeRank(RankTrace trace, AnalysisOptions options, bool jobHasSeveralSteps, DiagnosticBag diagnostics) =>
        AnalyzeRankAndSummarize(trace, options, jobHasSeveralSteps, diagnostics).Analysis;

    /// <summary>Analyses one rank, and summarises what the cross-rank analyses need from it (so the trace itself can be released).</summary>
    public static (RankAnalysis Analysis, RankCollectives Summary) AnalyzeRankAndSummarize(RankTrace trace, AnalysisOptions options, bool jobHasSeveralSteps,
        DiagnosticBag diagnostics)
    {
        var activities = RankActivities.Select(trace, options.HtaCompatible, jobHasSeveralSteps, diagnostics);
        var steps = activities.Steps;
        if (steps.Count == 0 && activities.Count > 0)
        {
            diagnostics.Report(DiagnosticCatalog.NoSteps, "no step annotations (ProfilerStep#N, a device Steps line or a host step_num); the whole trace is analysed as one window", trace.SourcePath);
        }

        var selected = options.Steps is null ? steps : [.. steps.Where(s => options.Steps.Contains(s.Number))];
        var (start, end) = activities.Span();
        if (options.Steps is not null)
        {
            var windows = selected.Where(s => s.WindowStartNs is not null).ToList();
            if (windows.Count == 0)
            {
                diagnostics.Report(DiagnosticCatalog.StepsNotFound,
                    $"no step in {options.Steps} launched device work (steps: {(steps.Count == 0 ? "none" : string.Join(", ", steps.Select(s => s.Number)))})",
                    trace.SourcePath);
                (start, end) = (0, 0);
            }
            else
            {
                (start, end) = (windows.Min(s => s.WindowStartNs!.Value), windows.Max(s => s.WindowEndNs!.Value));
            }
        }

        var sweep = IntervalSweep.Run(activities.Intervals(start, end), start, end);
        var overall = GpuTimeBreakdownAnalysis.From(sweep);
        var stepResults = selected.Select(s =>
        {
            var ws = s.WindowStartNs ?? s.StartNs;
            var we = s.WindowEndNs ?? s.StartNs;
            var b = GpuTimeBreakdownAnalysis.Compute(activities, ws, we);
            return new StepResult(s, b, KernelBreakdownAnalysis.Compute(activities, ws, we, b.BusyNs, 5).ByName);
        }).ToList();

        var kernels = KernelBreakdownAnalysis.Compute(activities, start, end, overall.BusyNs, options.TopKernels);
        var ops = OpBreakdownAnalysis.Compute(activities, start, end, overall.BusyNs, options.TopOps);
        var hta = options.HtaCompatible;
        var launch = LaunchAnalysis.Compute(activities, keepRows: false);
        var idle = IdleTimeAnalysis.Compute(activities);
        var hardware = options.Hardware is { } chosen
            ? new Hardware.DeviceMatch(chosen, $"--hardware {chosen.Id}", "chosen")
            : Hardware.HardwareDetector.Detect(trace.Devices, options.Catalog ?? Hardware.HardwareCatalog.BuiltIn);
        if (hardware.Spec is { } fromTrace && fromTrace.Id.StartsWith("trace:", StringComparison.Ordinal) && activities.Count > 0)
        {
            diagnostics.Report(DiagnosticCatalog.DevicePeaksFromTrace, hardware.How, trace.SourcePath);
        }

        if (hardware.Spec is null && activities.Count > 0)
        {
            diagnostics.Report(DiagnosticCatalog.UnknownDevice, hardware.How.Contains("--hardware", StringComparison.Ordinal)
                ? hardware.How
                : $"{hardware.How}; pass --hardware NAME (see 'headroom hardware list') or --hardware-file FILE", trace.SourcePath);
        }

        var exposure = ExposureAnalysis.Compute(activities, start, end);
        var charges = Roofline.RooflineAnalysis.Charge(activities, start, end, exposure);
        foreach (var n in charges.NoEstimates)
        {
            diagnostics.Report(DiagnosticCatalog.NoCostEstimate, $"{n.Name}: {n.Calls:N0} calls with no FLOP/byte estimate ({n.Kind}: {n.Reason})", trace.SourcePath, n.Calls);
        }

        var disagreeing = charges.CostChecks.Where(c => c.Disagrees).ToList();
        if (disagreeing.Count > 0)
        {
            static string G(double? v) => v?.ToString("G3", System.Globalization.CultureInfo.InvariantCulture) ?? "-";
            var examples = string.Join("; ", disagreeing.Take(3).Select(c =>
                $"{c.Name}: XLA {G(c.ReportedFlops)} FLOP / {G(c.ReportedBytes)} B, shapes {G(c.ShapeFlops)} FLOP / {G(c.ShapeBytes)} B"));
            diagnostics.Report(DiagnosticCatalog.XlaCostDisagreement,
                $"{disagreeing.Count} of {charges.CostChecks.Count} XLA ops' costs differ from their shapes by more than 10% (XLA's are used), e.g. {examples}",
                trace.SourcePath, disagreeing.Count);
        }

        var roofline = Roofline.RooflineAnalysis.Compute(charges, hardware.Spec);
        var stepWindows = selected.Where(s => s.WindowStartNs is not null)
            .Select(s => ((long?)s.Number, s.WindowStartNs!.Value, s.WindowEndNs!.Value)).ToList();
        if (stepWindows.Count == 0 && options.Steps is null && end > start)
        {
            stepWindows.Add((null, start, end));
        }

        var mfu = Roofline.MfuAnalysis.Compute(charges, stepWindows, hardware.Spec);
        var headroom = Opportunities.HeadroomAnalysis.Compute(new Opportunities.HeadroomAnalysis.Inputs(activities, start, end,
            selected.Count(s => s.WindowStartNs is not null), exposure, overall, idle, roofline));
        roofline = roofline with { Ops = [.. roofline.Ops.Take(MaxRooflineOps)] };
        var analysis = new RankAnalysis(trace.Rank, trace.RankSource, trace.SourcePath, trace.DeviceName, stepResults, overall,
            hta ? HtaCompatibility.KernelTypes(activities) : GpuTimeBreakdownAnalysis.KernelTypes(sweep), kernels, ops, activities.Count,
            hta ? HtaCompatibility.Temporal(activities) : null, idle, launch,
            hardware, roofline, mfu, headroom)
        {
            Comparable = options.Comparable ? Comparison.OpSignatureAnalysis.Compute(activities, start, end, selected) : null,
            FrameworkOps = Roofline.FrameworkOpAnalysis.Compute(activities, start, end, hardware.Spec),
        };
        return (analysis, RankCollectives.From(activities));
    }
}
