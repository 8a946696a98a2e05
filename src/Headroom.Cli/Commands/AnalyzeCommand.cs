using System.CommandLine;
using Headroom.Analysis;
using Headroom.Cli.Rendering;
using Headroom.Ingest;
using Headroom.Model;
using Headroom.Pipeline;
using Headroom.Report;

namespace Headroom.Cli.Commands;

/// <summary>Parsed arguments of <c>headroom analyze</c>.</summary>
public sealed record AnalyzeSettings(IReadOnlyList<string> Paths, bool Json, int? Rank, StepRange? Steps, bool HtaCompatible, int Top, string? Output,
    string? Hardware = null, string? HardwareFile = null, string? RooflineSvg = null, bool Verbose = false, bool Save = false, string? Label = null,
    string? Store = null, bool NoReuse = false);

/// <summary><c>headroom analyze PATH...</c>: read traces, run the analyses, render the report.</summary>
public static class AnalyzeCommand
{
    /// <summary>Builds the System.CommandLine command, wired to <see cref="Execute"/>.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var paths = new Argument<string[]>("paths")
        {
            Description = "Trace files (.json, .json.gz, any name: the format is detected by content) or folders holding one trace per rank.",
            Arity = ArgumentArity.OneOrMore,
        };
        var json = new Option<bool>("--json") { Description = "Write the results as JSON (schema: docs/json-schema.md) instead of tables." };
        var rank = new Option<int?>("--rank") { Description = "Analyse only this rank." };
        var steps = CommonOptions.Steps("Analyse only these ProfilerStep numbers: N, N..M, N.. or ..M.");
        var hta = new Option<bool>("--hta-compatible") { Description = "Reproduce Holistic Trace Analysis 0.6.1's conventions exactly (docs/hta-compatibility.md)." };
        var top = CommonOptions.Top("Rows in the kernel and op tables.", 10);
        var output = new Option<string?>("--output", "-o") { Description = "Write to this file instead of standard output." };
        var hardware = new Option<string?>("--hardware") { Description = "Use this catalog device for every rank instead of detecting it ('headroom hardware list')." };
        var hardwareFile = new Option<string?>("--hardware-file") { Description = "A JSON file of extra or corrected devices, merged over the built-in catalog (docs/hardware.md)." };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Every table: steps, kernel kinds, ops, roofline, idle and launch statistics, collectives (the default is a compact summary)." };
        var rooflineSvg = new Option<string?>("--roofline-svg") { Description = "Also write a log-log roofline chart (SVG) of the --rank rank, else of the first rank with one (docs/roofline.md)." };
        var save = new Option<bool>("--save") { Description = "Keep the run in the run store ('headroom runs list'); an unchanged trace reuses the stored result (docs/store.md)." };
        var label = new Option<string?>("--label") { Description = "With --save: name the run (e.g. a commit or 'baseline') for 'headroom runs show LABEL'." };
        var store = RunsCommand.StoreOption();
        var noReuse = new Option<bool>("--no-reuse") { Description = "Analyse again even when the store holds a result for the same traces, version and options." };
        var command = new Command("analyze", "Show where the device time goes: per rank and step, the GPU time breakdown, the top kernels and the top ops.")
        {
            paths, json, rank, steps, hta, top, output, hardware, hardwareFile, rooflineSvg, verbose, save, label, store, noReuse,
        };

        command.SetAction(parse =>
        {
            var range = parse.GetValue(steps);
            if (parse.GetValue(label) is not null && !parse.GetValue(save))
            {
                stderr.WriteLine("headroom: error: --label names a saved run: add --save");
                return ExitCodes.BadInput;
            }

            var topRows = parse.GetValue(top);
            var settings = new AnalyzeSettings(parse.GetValue(paths) ?? [], parse.GetValue(json), parse.GetValue(rank), range,
                parse.GetValue(hta), topRows, parse.GetValue(output), parse.GetValue(hardware), parse.GetValue(hardwareFile), parse.GetValue(rooflineSvg),
                parse.GetValue(verbose), parse.GetValue(save), parse.GetValue(label), parse.GetValue(store), parse.GetValue(noReuse));
            return Execute(settings, stdout, stderr, TerminalCapabilities.Detect());
        });
        return command;
    }

    /// <summary>
    /// Loads the catalog and the traces and runs the analyses (shared with <c>headroom report</c>, and with <c>diff</c> and
    /// <c>gate</c>, which ask for the <paramref name="comparable"/> tables); on bad input writes one <c>headroom: error:</c>
    /// line per problem and returns null.
    /// </summary>
    internal static AnalysisResult? Analyze(AnalyzeSettings settings, TextWriter stderr, TerminalCapabilities terminal, bool comparable = false)
    {
        var catalogLoad = Hardware.HardwareCatalog.Load(settings.HardwareFile);
        if (catalogLoad.Catalog is not { } catalog)
        {
            stderr.WriteLine($"headroom: error: {catalogLoad.Error}");
            return null;
        }

        Hardware.DeviceSpec? chosen = null;
        if (settings.Hardware is { } name && (chosen = catalog.Find(name)) is null)
        {
            stderr.WriteLine($"headroom: error: --hardware '{name}' is not in the catalog; see 'headroom hardware list'");
            return null;
        }

        var progress = new LoadProgress();
        var options = new AnalysisOptions(settings.HtaCompatible, settings.Steps, Math.Max(settings.Top, 25), settings.Top, settings.Rank, catalog, chosen,
            comparable || settings.Save);
        var outcome = ProgressDisplay.Run(() => AnalysisPipeline.AnalyzeFiles(settings.Paths, options, progress), progress, stderr, terminal);
        if (outcome.Result is not { } result)
        {
            foreach (var e in outcome.Errors)
            {
                stderr.WriteLine(ErrorLine(e));
            }

            return null;
        }

        var fatal = result.Diagnostics.Where(d => d.Descriptor.Severity == DiagnosticSeverity.Error).ToList();
        if (fatal.Count > 0)
        {
            foreach (var e in fatal)
            {
                stderr.WriteLine(ErrorLine(e));
            }

            return null;
        }

        return result;
    }

    /// <summary>The worker: loads, analyses and renders; returns the exit code. Testable without a process.</summary>
    public static int Execute(AnalyzeSettings settings, TextWriter stdout, TextWriter stderr, TerminalCapabilities terminal)
    {
        if (!settings.Save && settings.Store is null)
        {
            return AnalyzeAndRender(settings, stdout, stderr, terminal, out _, out _);
        }

        using var saving = RunSaving.Open(settings, stderr);
        if (saving is null)
        {
            return ExitCodes.BadInput;
        }

        // The inputs are hashed before the analysis, since a reused run skips it. Analysing at the same time (and abandoning
        // the analysis on a hit) did not pay: the analysis of one file already keeps both cores busy (docs/performance.md).
        if (saving.TryReuse(stdout, stderr) is { } done)
        {
            return done;
        }

        var code = AnalyzeAndRender(settings, stdout, stderr, terminal, out var result, out var report);
        return code != ExitCodes.Ok ? code : saving.Finish(result!, report!, stderr);
    }

    private static int AnalyzeAndRender(AnalyzeSettings settings, TextWriter stdout, TextWriter stderr, TerminalCapabilities terminal,
        out AnalysisResult? analysed, out AnalyzeReport? rendered)
    {
        (analysed, rendered) = (null, null);
        if (Analyze(settings, stderr, terminal) is not { } result)
        {
            return ExitCodes.BadInput;
        }

        var report = AnalyzeReport.Create(result);
        (analysed, rendered) = (result, report);
        if (settings.Output is not null)
        {
            try
            {
                using var file = File.Create(settings.Output);
                Render(report, settings, file, null, terminal with { IsInteractive = false, ColorEnabled = false, Width = 120 });
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"headroom: error: {settings.Output}: cannot write: {e.Message}");
                return ExitCodes.BadInput;
            }
        }
        else
        {
            Render(report, settings, null, stdout, terminal);
        }

        return settings.RooflineSvg is { } svgPath ? WriteRooflineSvg(result, svgPath, stderr) : ExitCodes.Ok;
    }

    /// <summary>
    /// Writes the roofline chart of the analysed rank (with --rank) or of the first rank whose roofline has ops, after the
    /// report. Without a catalog device the chart has points only and says how to supply one.
    /// </summary>
    private static int WriteRooflineSvg(AnalysisResult result, string path, TextWriter stderr)
    {
        var rank = result.Ranks.FirstOrDefault(r => r.Roofline.Ops.Count > 0) ?? (result.Ranks.Count > 0 ? result.Ranks[0] : null);
        if (rank is null)
        {
            stderr.WriteLine($"headroom: error: {path}: no rank to draw a roofline for");
            return ExitCodes.BadInput;
        }

        if (!RooflineSvgRenderer.FontsAvailable)
        {
            stderr.WriteLine($"headroom: warning: {path}: no font found, so the chart has no text; install one (Debian: apt-get install fonts-dejavu-core)");
        }

        var chart = RooflineSvgRenderer.Render(rank.Roofline, rank.Rank, rank.Device);
        try
        {
            File.WriteAllText(path, chart.Svg);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            stderr.WriteLine($"headroom: error: {path}: cannot write the roofline chart: {e.Message}");
            return ExitCodes.BadInput;
        }

        return ExitCodes.Ok;
    }

    private static void Render(AnalyzeReport report, AnalyzeSettings settings, Stream? stream, TextWriter? writer, TerminalCapabilities terminal)
    {
        if (settings.Json)
        {
            if (stream is not null)
            {
                JsonReportRenderer.Write(report, stream);
            }
            else
            {
                using var buffer = new MemoryStream();
                JsonReportRenderer.Write(report, buffer);
                writer!.Write(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
                writer.WriteLine();
            }

            return;
        }

        if (stream is not null)
        {
            using var text = new StreamWriter(stream);
            TerminalReportRenderer.Write(report, text, terminal, settings.Top, settings.Verbose);
        }
        else
        {
            TerminalReportRenderer.Write(report, writer!, terminal, settings.Top, settings.Verbose);
        }
    }

    /// <summary>One line for a fatal problem: "headroom: error: FILE: what is wrong [code]".</summary>
    public static string ErrorLine(Diagnostic d) =>
        d.File is null ? $"headroom: error: {d.Message} [{d.Code}]" : $"headroom: error: {d.File}: {d.Message} [{d.Code}]";
}
