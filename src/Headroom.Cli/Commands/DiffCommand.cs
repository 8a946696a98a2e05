using System.CommandLine;
using Headroom.Analysis.Comparison;
using Headroom.Cli.Rendering;
using Headroom.Report;

namespace Headroom.Cli.Commands;

/// <summary>Parsed arguments of <c>headroom diff</c>.</summary>
/// <param name="Baseline">A: trace file or folder, run id or label.</param>
/// <param name="Candidate">B, likewise.</param>
/// <param name="Json">Write JSON (docs/diff.md) instead of tables.</param>
/// <param name="Top">Rows per change group in the op table.</param>
public sealed record DiffSettings(string Baseline, string Candidate, bool Json, int Top);

/// <summary><c>headroom diff A B</c>: the change in step time between two runs, decomposed by op signature, with confidence intervals.</summary>
public static class DiffCommand
{
    /// <summary>Builds the System.CommandLine command, wired to <see cref="Execute"/>.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var baseline = new Argument<string>("A") { Description = "The baseline: a trace file or a folder of rank traces or a run id or label in the run store (--store)." };
        var candidate = new Argument<string>("B") { Description = "The candidate, likewise." };
        var json = new Option<bool>("--json") { Description = "Write the comparison as JSON (docs/diff.md) instead of tables." };
        var top = CommonOptions.Top("Rows per group (slower, faster, new, removed) in the op table.", 5);
        var store = new Option<string?>("--store") { Description = "The run store holding the run ids and labels (default: $HEADROOM_STORE, else ~/.local/share/headroom/runs.db)." };
        var command = new Command("diff", "Compare two runs: the change in step time, MFU and exposed communication with 95% intervals, decomposed by op (docs/diff.md).")
        {
            baseline, candidate, json, top, store,
        };
        command.SetAction(parse =>
        {
            var rows = parse.GetValue(top);
            return Execute(new DiffSettings(parse.GetValue(baseline)!, parse.GetValue(candidate)!, parse.GetValue(json), rows), stdout, stderr,
                TerminalCapabilities.Detect(), RunResolver.ForStore(parse.GetValue(store)));
        });
        return command;
    }

    /// <summary>The worker: resolves both runs, compares them, renders; returns the exit code.</summary>
    public static int Execute(DiffSettings settings, TextWriter stdout, TextWriter stderr, TerminalCapabilities terminal, IRunResolver resolver)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(resolver);
        if (resolver.Resolve(settings.Baseline, stderr, terminal) is not { } a || resolver.Resolve(settings.Candidate, stderr, terminal) is not { } b)
        {
            return ExitCodes.BadInput;
        }

        var diff = RunDiffAnalysis.Compare(a, b);
        if (settings.Json)
        {
            using var buffer = new MemoryStream();
            DiffJsonRenderer.Write(diff, buffer);
            stdout.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
        }
        else
        {
            TerminalDiffRenderer.Write(diff, stdout, terminal, settings.Top);
        }

        return ExitCodes.Ok;
    }
}
