using System.CommandLine;
using System.Globalization;
using Headroom.Analysis.Comparison;
using Headroom.Cli.Rendering;
using Headroom.Report;

namespace Headroom.Cli.Commands;

/// <summary>Parsed arguments of <c>headroom gate</c>.</summary>
/// <param name="Baseline">A: trace file or folder, run id or label.</param>
/// <param name="Candidate">B, likewise.</param>
/// <param name="MaxRegression">Allowed regression, a fraction (0.03 for 3%).</param>
/// <param name="Metric">The metric gated on.</param>
/// <param name="Json">Write the verdict as JSON.</param>
public sealed record GateSettings(string Baseline, string Candidate, double MaxRegression, GateMetric Metric, bool Json);

/// <summary>
/// <c>headroom gate --baseline A --candidate B --max-regression 3%</c>: exit 1 when the candidate regresses significantly
/// and by more than the threshold, 0 otherwise, 2 on bad input, 3 on an internal error (docs/diff.md, "CI gate").
/// </summary>
public static class GateCommand
{
    /// <summary>Exit code of a failed gate.</summary>
    public const int Regressed = ExitCodes.Regressed;

    /// <summary>Builds the System.CommandLine command, wired to <see cref="Execute"/>.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var baseline = new Option<string>("--baseline") { Description = "The baseline: a trace file or folder of rank traces or a run id or label in the run store (--store).", Required = true };
        var candidate = new Option<string>("--candidate") { Description = "The candidate, likewise.", Required = true };
        var max = new Option<string>("--max-regression") { Description = "Allowed regression in percent, e.g. 3% (the % is optional).", DefaultValueFactory = _ => "3%" };
        var metric = new Option<string>("--metric") { Description = "step_time (default), mfu (a drop regresses), exposed_comm, or op:NAME (its device time per step).", DefaultValueFactory = _ => "step_time" };
        var json = new Option<bool>("--json") { Description = "Write the verdict as JSON (docs/diff.md)." };
        var store = new Option<string?>("--store") { Description = "The run store holding the run ids and labels (default: $HEADROOM_STORE, else ~/.local/share/headroom/runs.db)." };
        var command = new Command("gate", "Fail (exit 1) when the candidate regresses significantly and by more than --max-regression; for CI (docs/diff.md).")
        {
            baseline, candidate, max, metric, json, store,
        };
        command.SetAction(parse =>
        {
            var maxText = parse.GetValue(max) ?? "3%";
            if (!TryParsePercent(maxText, out var fraction))
            {
                stderr.WriteLine($"headroom: error: --max-regression '{maxText}' is not a percentage such as 3% or 0.5%");
                return ExitCodes.BadInput;
            }

            var metricText = parse.GetValue(metric) ?? "step_time";
            if (GateMetric.Parse(metricText) is not { } m)
            {
                stderr.WriteLine($"headroom: error: --metric '{metricText}' is not step_time, mfu, exposed_comm or op:NAME");
                return ExitCodes.BadInput;
            }

            return Execute(new GateSettings(parse.GetValue(baseline)!, parse.GetValue(candidate)!, fraction, m, parse.GetValue(json)), stdout, stderr,
                TerminalCapabilities.Detect(), RunResolver.ForStore(parse.GetValue(store)));
        });
        return command;
    }

    /// <summary>"3%", "3" and "0.5%" as fractions (0.03, 0.03, 0.005); non-negative and finite.</summary>
    public static bool TryParsePercent(string text, out double fraction)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.Trim();
        t = t.EndsWith('%') ? t[..^1].TrimEnd() : t;
        var ok = double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var percent) && double.IsFinite(percent) && percent >= 0;
        fraction = ok ? percent / 100 : 0;
        return ok;
    }

    /// <summary>The worker: resolves both runs, evaluates the metric, writes the verdict; returns 0, 1 (regressed) or 2.</summary>
    public static int Execute(GateSettings settings, TextWriter stdout, TextWriter stderr, TerminalCapabilities terminal, IRunResolver resolver)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(resolver);
        if (resolver.Resolve(settings.Baseline, stderr, terminal) is not { } a || resolver.Resolve(settings.Candidate, stderr, terminal) is not { } b)
        {
            return ExitCodes.BadInput;
        }

        if (GateAnalysis.Evaluate(a, b, settings.Metric, settings.MaxRegression) is not { } gate)
        {
            stderr.WriteLine(settings.Metric.Kind == GateMetricKind.Mfu
                ? "headroom: error: --metric mfu: a run has no MFU (its device is not in the catalog; see 'headroom hardware list')"
                : $"headroom: error: --metric {settings.Metric}: neither run has an op named '{settings.Metric.OpName}'");
            return ExitCodes.BadInput;
        }

        if (settings.Json)
        {
            using var buffer = new MemoryStream();
            DiffJsonRenderer.WriteGate(gate, settings.Baseline, settings.Candidate, buffer);
            stdout.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
        }
        else
        {
            TerminalDiffRenderer.WriteGate(gate, settings.Baseline, settings.Candidate, stdout);
        }

        return gate.Fails ? Regressed : ExitCodes.Ok;
    }
}
