using System.CommandLine;
using System.Globalization;
using Headroom.Cli.Rendering;
using Headroom.Report;

namespace Headroom.Cli.Commands;

/// <summary><c>headroom report PATH... [-o FILE]</c>: the analysis as one self-contained HTML page (docs/html-report.md).</summary>
public static class ReportCommand
{
    /// <summary>The page written when no <c>-o</c> is given.</summary>
    public const string DefaultOutput = "headroom-report.html";

    /// <summary>Builds the System.CommandLine command; it loads and analyses exactly as <c>analyze</c> does.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var paths = new Argument<string[]>("paths")
        {
            Description = "Trace files (.json, .json.gz, any name: the format is detected by content) or folders holding one trace per rank.",
            Arity = ArgumentArity.OneOrMore,
        };
        var output = new Option<string>("--output", "-o") { Description = $"The HTML file to write (default {DefaultOutput}).", DefaultValueFactory = _ => DefaultOutput };
        var rank = new Option<int?>("--rank") { Description = "Report only this rank." };
        var steps = CommonOptions.Steps("Report only these ProfilerStep numbers: N, N..M, N.. or ..M.");
        var top = CommonOptions.Top("Rows in the kernel and op tables of each rank.", 25);
        var hardware = new Option<string?>("--hardware") { Description = "Use this catalog device for every rank instead of detecting it ('headroom hardware list')." };
        var hardwareFile = new Option<string?>("--hardware-file") { Description = "A JSON file of extra or corrected devices, merged over the built-in catalog (docs/hardware.md)." };
        var command = new Command("report", "Write the analysis as one self-contained HTML page: summary, breakdown, roofline, tables, collectives, diagnostics.")
        {
            paths, output, rank, steps, top, hardware, hardwareFile,
        };

        command.SetAction(parse =>
        {
            var range = parse.GetValue(steps);
            var topRows = parse.GetValue(top);
            var settings = new AnalyzeSettings(parse.GetValue(paths) ?? [], Json: false, parse.GetValue(rank), range, HtaCompatible: false, topRows,
                parse.GetValue(output) ?? DefaultOutput, parse.GetValue(hardware), parse.GetValue(hardwareFile));
            return Execute(settings, stdout, stderr, TerminalCapabilities.Detect());
        });
        return command;
    }

    /// <summary>The worker: loads and analyses like <c>analyze</c>, writes the page to <c>settings.Output</c>, says where.</summary>
    public static int Execute(AnalyzeSettings settings, TextWriter stdout, TextWriter stderr, TerminalCapabilities terminal)
    {
        var path = settings.Output ?? DefaultOutput;
        if (AnalyzeCommand.Analyze(settings, stderr, terminal) is not { } result)
        {
            return ExitCodes.BadInput;
        }

        var report = AnalyzeReport.Create(result);
        long bytes;
        try
        {
            using var file = File.Create(path);
            HtmlReportRenderer.Write(report, file);
            bytes = file.Length;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            stderr.WriteLine($"headroom: error: {path}: cannot write: {e.Message}");
            return ExitCodes.BadInput;
        }

        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote {path} ({bytes / 1024.0:N0} KB, {report.Ranks.Count} rank{(report.Ranks.Count == 1 ? "" : "s")}): open it in a browser; it needs no network"));
        return ExitCodes.Ok;
    }
}
