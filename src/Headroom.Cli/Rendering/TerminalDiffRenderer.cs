using System.Globalization;
using Headroom.Analysis.Comparison;
using Spectre.Console;

namespace Headroom.Cli.Rendering;

/// <summary>
/// Renders a <see cref="RunDiffResult"/> and a <see cref="GateResult"/> for the terminal (fits 100 columns). Formats
/// only: every number and verdict comes from the analysis.
/// </summary>
public static class TerminalDiffRenderer
{
    /// <summary>Writes the diff: the step-time line with its interval and verdict, where the change went, then the largest op (and kernel) changes.</summary>
    public static void Write(RunDiffResult diff, TextWriter writer, TerminalCapabilities terminal, int top)
    {
        ArgumentNullException.ThrowIfNull(diff);
        var console = terminal.Console(writer);

        console.MarkupLine("[bold]Headroom diff[/] · 95% Welch intervals over (rank, step) samples");
        console.MarkupLine($"A: {Esc(diff.Baseline.Name)} [grey]({Side(diff.Baseline)})[/]");
        console.MarkupLine($"B: {Esc(diff.Candidate.Name)} [grey]({Side(diff.Candidate)})[/]");
        var s = diff.StepTime;
        var ci = s.CiLow is null ? "" : $"95% CI {Esc(Interval(s, Ms))} ms · ";
        console.MarkupLine($"[bold]Step time {Ms(s.Baseline)} → {Ms(s.Candidate)} ms[/] · Δ {SignedMs(s.Delta)} ms ({SignedPct(s.Relative)}) · {ci}{StepVerdict(s)}");
        if (!diff.SameHardware)
        {
            console.MarkupLine(diff.SameVendor
                ? $"Different hardware ({Esc(string.Join("+", diff.Baseline.HardwareIds))} → {Esc(string.Join("+", diff.Candidate.HardwareIds))}): ops matched by signature, kernels by name."
                : $"Different vendors ({Esc(string.Join("+", diff.Baseline.Vendors))} → {Esc(string.Join("+", diff.Candidate.Vendors))}): ops matched by name, shapes and dtypes; kernels not compared.");
        }

        var metrics = new List<string>();
        if (diff.Mfu is { } mfu)
        {
            metrics.Add($"MFU {Pct(mfu.Baseline)} → {Pct(mfu.Candidate)}{Mark(mfu)}");
        }

        var e = diff.ExposedCommunication;
        metrics.Add($"exposed comm {Ms(e.Baseline)} → {Ms(e.Candidate)} ms/step{Mark(e)}");
        console.MarkupLine(string.Join(" · ", metrics));
        if (!diff.Baseline.HasSteps || !diff.Candidate.HasSteps)
        {
            console.MarkupLine("[grey]A run without steps counts each rank's whole window as one sample.[/]");
        }

        console.WriteLine();
        var d = diff.Decomposition;
        console.MarkupLine($"Where Δ {SignedMs(s.Delta)} ms/step went, ms/step:");
        console.MarkupLine($"  ops {SignedMs(d.OpsNs)} = slower {SignedMs(d.SlowerNs)} · faster {SignedMs(d.FasterNs)} · new {SignedMs(d.NewNs)} · "
            + $"removed {SignedMs(d.RemovedNs)} · within noise {SignedMs(d.UnchangedNs)}");
        console.MarkupLine($"  idle {SignedMs(d.IdleNs)} · overlap and rest {SignedMs(d.OverlapAndRestNs)} [grey](kernels overlapping each other or running past their step)[/]");
        console.MarkupLine($"Ops: {diff.MatchedOps:N0} matched by signature ({diff.OpCount(DiffChange.Slower):N0} slower, {diff.OpCount(DiffChange.Faster):N0} faster, "
            + $"{diff.OpCount(DiffChange.Unchanged):N0} within noise) · {diff.OpCount(DiffChange.New):N0} new · {diff.OpCount(DiffChange.Removed):N0} removed");

        var rows = new[] { DiffChange.Slower, DiffChange.Faster, DiffChange.New, DiffChange.Removed }
            .SelectMany(c => diff.Ops.Where(o => o.Change == c).Take(top)).ToList();
        if (rows.Count > 0)
        {
            var table = NewTable("Op changes, µs per step (largest first in each group)", "Op", "Shapes", "Change", "A", "B", "Δ ± 95% CI");
            foreach (var o in rows)
            {
                table.AddRow(Esc(TerminalReportRenderer.ShortName(o.Name, 26)), Esc(Cut(o.InputDims, 18)), ChangeName(o.Change), Us(o.PerStepNs.Baseline),
                    Us(o.PerStepNs.Candidate), PlusMinus(o.PerStepNs, Us));
            }

            console.Write(table);
        }
        else
        {
            console.MarkupLine("No op changed beyond noise.");
        }

        if (diff.Kernels is { } kernels)
        {
            var changed = kernels.Where(k => k.Change != DiffChange.Unchanged).Take(top).ToList();
            if (changed.Count > 0)
            {
                var table = NewTable("Kernel changes, µs per step (by name, same vendor)", "Kernel", "Change", "A", "B", "Δ ± 95% CI");
                foreach (var k in changed)
                {
                    table.AddRow(Esc(TerminalReportRenderer.ShortName(k.Name, 44)), ChangeName(k.Change), Us(k.PerStepNs.Baseline), Us(k.PerStepNs.Candidate),
                        PlusMinus(k.PerStepNs, Us));
                }

                console.Write(table);
            }
        }

        console.MarkupLine("[grey]Method: docs/diff.md. --json for every op and kernel.[/]");
    }

    /// <summary>The gate's verdict in one or two lines.</summary>
    public static void WriteGate(GateResult gate, string baseline, string candidate, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(gate);
        ArgumentNullException.ThrowIfNull(writer);
        var e = gate.Estimate;
        var ci = Interval(e, Value(gate.Metric));
        var numbers = string.Create(CultureInfo.InvariantCulture,
            $"{gate.Metric} {Value(gate.Metric)(e.Baseline)} → {Value(gate.Metric)(e.Candidate)}{Unit(gate.Metric)} ({SignedPct(e.Relative)}), 95% CI of Δ {ci}{Unit(gate.Metric)}, "
            + $"{e.BaselineSamples} vs {e.CandidateSamples} samples");
        var threshold = string.Create(CultureInfo.InvariantCulture, $"{gate.MaxRegression * 100:0.###}%");
        if (gate.Fails)
        {
            var by = gate.Regression is { } r ? Pct(r) : "from 0";
            writer.WriteLine($"headroom gate: FAIL: {gate.Metric} regressed {by} (more than the {threshold} allowed), significantly");
        }
        else
        {
            var why = gate.SignificantRegression ? $"a significant regression, within the {threshold} allowed"
                : e.Significant is null ? "no significant regression (a run has a single sample, so no interval)"
                : "no significant regression";
            writer.WriteLine($"headroom gate: pass: {why}");
        }

        writer.WriteLine($"  {numbers}");
        writer.WriteLine($"  baseline {baseline} · candidate {candidate}");
    }

    private static Func<double, string> Value(GateMetric metric) => metric.Kind == GateMetricKind.Mfu ? v => (v * 100).ToString("0.00", CultureInfo.InvariantCulture) : Ms;

    private static string Unit(GateMetric metric) => metric.Kind switch
    {
        GateMetricKind.Mfu => "%",
        GateMetricKind.StepTime => " ms",
        _ => " ms/step",
    };

    private static string Side(DiffSide s) =>
        Esc(string.Create(CultureInfo.InvariantCulture, $"{s.Ranks} rank{(s.Ranks == 1 ? "" : "s")}, {s.Samples} sample{(s.Samples == 1 ? "" : "s")}, {string.Join("+", s.HardwareIds.Contains("?") ? s.Devices : s.HardwareIds)}"));

    private static string StepVerdict(DeltaEstimate s) => s.Significant switch
    {
        true when s.Delta > 0 => "[red]slower, significant[/]",
        true => "[green]faster, significant[/]",
        false => "no significant change",
        null => "[yellow]no interval: a run has a single sample[/]",
    };

    private static string Mark(DeltaEstimate e) => e.Significant == true ? " (significant)" : "";

    private static string ChangeName(DiffChange c) => c switch
    {
        DiffChange.New => "new",
        DiffChange.Removed => "removed",
        DiffChange.Slower => "slower",
        DiffChange.Faster => "faster",
        _ => "=",
    };

    private static string Interval(DeltaEstimate e, Func<double, string> format) =>
        e.CiLow is { } low && e.CiHigh is { } high ? $"[{format(low)}, {format(high)}]" : "n/a";

    private static string PlusMinus(DeltaEstimate e, Func<double, string> format) =>
        e.CiHigh is { } high ? $"{(e.Delta >= 0 ? "+" : "")}{format(e.Delta)} ± {format(high - e.Delta)}" : $"{(e.Delta >= 0 ? "+" : "")}{format(e.Delta)}  n/a";

    private static string Cut(string s, int width) => s.Length <= width ? s : s[..(width - 1)] + "…";

    private static Table NewTable(string title, params string[] columns)
    {
        var table = new Table().Border(TableBorder.Simple).Title($"[bold]{Esc(title)}[/]");
        for (var i = 0; i < columns.Length; i++)
        {
            var column = new TableColumn(columns[i]);
            table.AddColumn(i <= 1 ? column.LeftAligned().NoWrap() : column.RightAligned().NoWrap());
        }

        return table;
    }

    private static string Esc(string s) => Markup.Escape(s);

    private static string Ms(double ns) => (ns / 1e6).ToString(Math.Abs(ns) >= 100e6 ? "N0" : "N2", CultureInfo.InvariantCulture);

    private static string SignedMs(double ns) => (ns >= 0 ? "+" : "") + Ms(ns);

    private static string Us(double ns) => (ns / 1e3).ToString(Math.Abs(ns) >= 1e6 ? "N0" : "N1", CultureInfo.InvariantCulture);

    private static string Pct(double share) => double.IsFinite(share) ? (share * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%" : "-";

    private static string SignedPct(double? share) => share is { } v && double.IsFinite(v) ? (v >= 0 ? "+" : "") + Pct(v) : "n/a";
}
