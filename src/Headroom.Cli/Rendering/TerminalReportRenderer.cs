using System.Globalization;
using System.Text;
using Headroom.Analysis;
using Headroom.Analysis.Distributed;
using Headroom.Analysis.Kernels;
using Headroom.Model;
using Headroom.Report;
using Spectre.Console;

namespace Headroom.Cli.Rendering;

/// <summary>
/// Renders an <see cref="AnalyzeReport"/> as terminal tables (Spectre.Console). It formats only: every number comes
/// from the report. Up to <see cref="DetailedRanks"/> ranks are shown in full; more get a per-rank summary table and
/// the details of the rank with the longest device window.
/// </summary>
public static class TerminalReportRenderer
{
    /// <summary>Ranks shown in full before switching to a summary table.</summary>
    public const int DetailedRanks = 4;

    /// <summary>Step rows shown before switching to a summary and the slowest steps.</summary>
    public const int MaxStepRows = 12;

    /// <summary>Kernel and headroom rows in the compact (default) view.</summary>
    public const int CompactRows = 5;

    /// <summary>
    /// Writes <paramref name="report"/> to <paramref name="writer"/>. Compact by default: per rank the summary, the
    /// breakdown, MFU, the top kernels and the top headroom items; <paramref name="verbose"/> adds every table (steps,
    /// kernel kinds, ops, roofline, idle and launch lines, collectives).
    /// </summary>
    public static void Write(AnalyzeReport report, TextWriter writer, TerminalCapabilities terminal, int top, bool verbose = false)
    {
        var console = terminal.Console(writer);

        console.Write(Header(report));
        console.WriteLine();
        var detailed = verbose ? DetailedRanks : 1;
        if (report.Ranks.Count > detailed)
        {
            console.Write(RankSummary(report));
            var slowest = report.Ranks.OrderByDescending(r => r.Overall.WindowNs).ThenBy(r => r.Rank).First();
            console.MarkupLine($"[grey]Details below for rank {slowest.Rank} (longest device window); use --rank N for another.[/]");
            console.WriteLine();
            WriteRank(console, slowest, report, top, terminal, verbose);
        }
        else
        {
            foreach (var rank in report.Ranks)
            {
                WriteRank(console, rank, report, top, terminal, verbose);
            }
        }

        if (report.Collectives is { } collectives)
        {
            WriteAcrossRanks(console, collectives, verbose);
            WriteHeadroom(console, "Headroom across ranks", report.Headroom, verbose ? top : CompactRows, verbose);
        }

        WriteDiagnostics(console, report.Diagnostics);
        if (!verbose)
        {
            console.MarkupLine("[grey]More: --verbose for the steps, ops, roofline and collectives tables; --json for everything.[/]");
        }
    }

    private static void WriteAcrossRanks(IAnsiConsole console, CollectiveAnalysisResult c, bool verbose)
    {
        console.Write(new Rule("[bold]Across ranks[/]").LeftJustified());
        if (!c.Reliable)
        {
            console.MarkupLine("[yellow]Unreliable: matched collectives still end far apart after clock alignment (the traces may not cover the same collectives); treat waits and stragglers with care.[/]");
        }

        var s = c.Stragglers;
        if (s.Stragglers.Count > 0)
        {
            foreach (var rank in s.Ranks.Where(r => r.IsStraggler))
            {
                console.MarkupLine($"[red]Straggler: rank {rank.Rank}[/] · last in {rank.LastCount} of {rank.Instances} collectives · others waited {Ms(rank.CostNs)} ms for it ({Pct(rank.CostShare)} of the {s.ReferenceTime})");
            }
        }
        else if (s.Instances > 0)
        {
            console.MarkupLine($"No straggler among {s.Ranks.Count} ranks over {s.Instances:N0} shared collectives.");
        }

        var spread = c.StepSpread;
        if (spread.SlowestRank >= 0)
        {
            var slowest = spread.Ranks.First(r => r.Rank == spread.SlowestRank);
            console.MarkupLine($"Step time: slowest rank {slowest.Rank} (mean {Ms(slowest.MeanNs)} ms) · spread of rank means {Ms(spread.RankMeanSpreadNs)} ms (CV {spread.RankMeanCoefficientOfVariation:0.00})");
        }

        if (c.Clock.Ranks.Count > 1 && verbose)
        {
            console.MarkupLine($"[grey]Clock skew (from collective ends): up to {Us(c.Clock.MaxSkewNs)} µs against rank {c.Clock.ReferenceRank}, corrected for.[/]");
        }

        if (c.ByCollective.Count > 0 && !verbose)
        {
            var busiest = c.ByCollective.OrderByDescending(t => t.TransferNs + t.WaitNs).First();
            console.MarkupLine($"Collectives: {c.ByCollective.Sum(t => t.Instances):N0} matched; most time in {Esc(busiest.Name)} (transfer {Ms(busiest.TransferNs)} ms, wait {Ms(busiest.WaitNs)} ms)");
        }

        if (c.ByCollective.Count > 0 && verbose)
        {
            var table = NewTable("Collectives", "Collective", "Group", "Count", "MB", "Transfer ms", "Wait ms", "Bus GB/s");
            foreach (var t in c.ByCollective.OrderByDescending(t => t.TransferNs + t.WaitNs).Take(10))
            {
                table.AddRow(Esc(t.Name), Esc(ShortName(t.ProcessGroup.Length > 0 ? t.ProcessGroup : "-", 12)), t.Instances.ToString("N0", CultureInfo.InvariantCulture),
                    t.MessageBytes >= 0 ? (t.MessageBytes / 1e6).ToString("N1", CultureInfo.InvariantCulture) : "?",
                    Ms(t.TransferNs), Ms(t.WaitNs), t.BusBandwidthGBps is { } bw ? bw.ToString("N1", CultureInfo.InvariantCulture) : "-");
            }

            console.Write(table);
        }

        console.WriteLine();
    }

    private static Markup Header(AnalyzeReport report)
    {
        var devices = report.Ranks.Select(r => r.Device).Where(d => d.Length > 0).Distinct().ToList();
        var device = devices.Count == 0 ? "device not named in trace" : string.Join(", ", devices);
        var conventions = report.Options.HtaCompatible ? "HTA-compatible" : "Headroom";
        var steps = report.Options.Steps is { } s ? $"steps {s}" : "all steps";
        return new Markup($"[bold]Headroom {Esc(report.ToolVersion)}[/] · {report.Ranks.Count} rank{(report.Ranks.Count == 1 ? "" : "s")} · {Esc(device)} · {conventions} conventions · {steps}\n");
    }

    private static Table RankSummary(AnalyzeReport report)
    {
        var table = NewTable("Ranks", "Rank", "Steps", "Window ms", "Compute", "Exp. comm", "Copy/set", "Idle");
        foreach (var r in report.Ranks)
        {
            var b = r.Overall;
            table.AddRow(r.Rank.ToString(CultureInfo.InvariantCulture), r.Steps.Count.ToString(CultureInfo.InvariantCulture), Ms(b.WindowNs),
                Pct(b.Share(b.ComputationNs)), Pct(b.Share(b.CommunicationNs)), Pct(b.Share(b.MemcpyNs + b.MemsetNs)), Pct(b.Share(b.IdleNs)));
        }

        return table;
    }

    private static void WriteRank(IAnsiConsole console, RankAnalysis rank, AnalyzeReport report, int top, TerminalCapabilities terminal, bool verbose)
    {
        var input = report.Inputs.FirstOrDefault(i => i.Rank == rank.Rank);
        var source = rank.RankSource switch
        {
            RankSource.DistributedInfo => "rank from distributedInfo",
            RankSource.FileName => "rank from file name",
            RankSource.Device => "one device of the file",
            _ => "rank from input order",
        };
        console.Write(new Rule($"[bold]Rank {rank.Rank}[/] · {Esc(rank.Device.Length > 0 ? rank.Device : "unnamed device")}").LeftJustified());
        var matched = rank.Hardware.Spec is { } spec ? $" · catalog {spec.Id} ({rank.Hardware.Confidence})" : " · not in the hardware catalog";
        console.MarkupLine($"[grey]{Esc(Path.GetFileName(rank.SourcePath))} · {source} · {input?.Events ?? 0:N0} events{Esc(matched)}{(input?.Truncated == true ? " · [yellow]truncated[/]" : "")}[/]");

        var b = rank.Overall;
        if (rank.ActivityCount == 0 || b.WindowNs == 0)
        {
            console.MarkupLine(rank.ActivityCount == 0
                ? "[yellow]No device activity in this trace: nothing to break down (see diagnostics).[/]"
                : "[yellow]The selected steps launched no device work.[/]");
            console.WriteLine();
            return;
        }

        console.MarkupLine($"Device time, {Ms(b.WindowNs)} ms: compute [green]{Pct(b.Share(b.ComputationNs))}[/] · exposed comm [red]{Pct(b.Share(b.CommunicationNs))}[/]"
            + $" · memcpy {Pct(b.Share(b.MemcpyNs))} · memset {Pct(b.Share(b.MemsetNs))}"
            + (b.OtherNs > 0 ? $" · other {Pct(b.Share(b.OtherNs))}" : "")
            + $" · idle [yellow]{Pct(b.Share(b.IdleNs))}[/]");
        if (b.CommunicationTotalNs > 0)
        {
            console.MarkupLine($"Communication {Ms(b.CommunicationTotalNs)} ms in all, {b.CommunicationOverlapPercent:0.0}% of it hidden under computation.");
        }

        var streamIdle = rank.Idle;
        if (streamIdle.TotalIdleNs > 0 && verbose)
        {
            console.MarkupLine($"Stream idle: host wait [yellow]{Ms(streamIdle.IdleNs(IdleCategory.HostWait))}[/] ms · kernel wait {Ms(streamIdle.IdleNs(IdleCategory.KernelWait))} ms"
                + $" · other {Ms(streamIdle.IdleNs(IdleCategory.Other))} ms, over {streamIdle.Streams.Count} stream{(streamIdle.Streams.Count == 1 ? "" : "s")}");
        }

        var launch = rank.Launch.Summary;
        if (launch.Count > 0 && verbose)
        {
            console.MarkupLine($"Launches: {launch.Count:N0} · delay p50 {UsD(launch.LaunchDelay.P50Ns)} µs, p95 {UsD(launch.LaunchDelay.P95Ns)} µs"
                + $" · launch-bound {launch.LaunchBoundCount:N0} ({Pct(launch.LaunchBoundShare)}), {Ms(launch.LaunchBoundGpuNs)} ms of device time");
        }

        if (terminal.ColorEnabled)
        {
            console.Write(new BreakdownChart().Width(Math.Min(terminal.Width, 100)).HideTags()
                .AddItem("computation", b.ComputationNs, Color.Green)
                .AddItem("exposed communication", b.CommunicationNs, Color.Red)
                .AddItem("memcpy", b.MemcpyNs, Color.Blue)
                .AddItem("memset", b.MemsetNs, Color.Aqua)
                .AddItem("other", b.OtherNs, Color.Grey)
                .AddItem("idle", b.IdleNs, Color.Yellow));
        }

        if (rank.HtaTemporal is { } hta)
        {
            console.MarkupLine($"[grey]HTA temporal breakdown: idle {Us(hta.IdleNs)} µs · compute {Us(hta.ComputeNs)} µs · non-compute {Us(hta.NonComputeNs)} µs · kernel time {Us(hta.KernelTimeNs)} µs[/]");
        }

        WriteMfu(console, rank.Mfu, verbose);
        console.WriteLine();
        if (rank.Steps.Count > 0 && verbose)
        {
            var shown = rank.Steps;
            var title = "Steps";
            if (rank.Steps.Count > MaxStepRows)
            {
                // Many steps: summarise them all, list the slowest.
                var active = rank.Steps.Where(s => s.Step.ActivityCount > 0).ToList();
                var idle = rank.Steps.Count - active.Count;
                if (active.Count > 0)
                {
                    var min = active.MinBy(s => s.Breakdown.WindowNs)!;
                    var max = active.MaxBy(s => s.Breakdown.WindowNs)!;
                    console.MarkupLine($"{rank.Steps.Count:N0} steps, device ms: mean {Ms((long)active.Average(s => s.Breakdown.WindowNs))}"
                        + $" · fastest {Ms(min.Breakdown.WindowNs)} (#{min.Step.Number}) · slowest {Ms(max.Breakdown.WindowNs)} (#{max.Step.Number})"
                        + (idle > 0 ? $" · {idle} without device work" : ""));
                }

                shown = [.. rank.Steps.OrderByDescending(s => s.Breakdown.WindowNs).ThenBy(s => s.Step.Number).Take(MaxStepRows).OrderBy(s => s.Step.Number)];
                title = $"The {MaxStepRows} slowest steps (all of them with --json)";
            }

            var steps = NewTable(title, "Step", shown.All(s => s.Step.OnDevice) ? "Marker ms" : "Host ms", "Device ms", "Compute", "Exp. comm", "Memcpy", "Memset", "Idle");
            foreach (var s in shown)
            {
                var sb = s.Breakdown;
                steps.AddRow(s.Step.Number.ToString(CultureInfo.InvariantCulture), Ms(s.Step.DurationNs), Ms(sb.WindowNs), Pct(sb.Share(sb.ComputationNs)),
                    Pct(sb.Share(sb.CommunicationNs)), Pct(sb.Share(sb.MemcpyNs)), Pct(sb.Share(sb.MemsetNs)), Pct(sb.Share(sb.IdleNs)));
            }

            console.Write(steps);
        }

        var nameWidth = Math.Max(24, terminal.Width - 64);
        var kernels = NewTable("Top kernels", "Kernel", "Kind", "Count", "Total ms", "Mean µs", "p95 µs", "Busy");
        foreach (var k in rank.Kernels.ByName.Take(verbose ? top : Math.Min(top, CompactRows)))
        {
            kernels.AddRow(Esc(ShortName(k.Name, nameWidth)), ShortCategory(k.Category), k.Count.ToString("N0", CultureInfo.InvariantCulture),
                Ms(k.TotalNs), Us(k.MeanNs), Us(k.P95Ns), Pct(k.ShareOfBusy));
        }

        console.Write(kernels);
        if (!verbose)
        {
            console.WriteLine();
            WriteHeadroom(console, $"Headroom of rank {rank.Rank}: what to fix first", rank.Headroom, Math.Min(top, CompactRows), verbose);
            return;
        }

        console.MarkupLine("[grey]Busy time by kind: " + Esc(string.Join(" · ", rank.Kernels.ByCategory.Select(c =>
            $"{ShortCategory(c.Category)} {Pct(c.ShareOfBusy)}"))) + "[/]");
        console.WriteLine();

        if (rank.Ops.Count > 0)
        {
            var ops = NewTable("Top ops by device time", "Op", "Calls", "Kernels", "GPU self ms", "GPU incl. ms", "Busy");
            foreach (var o in rank.Ops.Take(top))
            {
                ops.AddRow(Esc(ShortName(o.Name, nameWidth)), o.Calls.ToString("N0", CultureInfo.InvariantCulture), o.KernelCount.ToString("N0", CultureInfo.InvariantCulture),
                    Ms(o.GpuSelfNs), Ms(o.GpuInclusiveNs), Pct(o.ShareOfBusy));
            }

            console.Write(ops);
            console.WriteLine();
        }

        WriteRoofline(console, rank.Roofline, nameWidth, top);
        WriteFrameworkOps(console, rank.FrameworkOps, nameWidth, top);
        WriteHeadroom(console, $"Headroom of rank {rank.Rank}: what to fix first", rank.Headroom, top, verbose);
    }

    private static void WriteFrameworkOps(IAnsiConsole console, Analysis.Roofline.FrameworkOpResult f, int nameWidth, int top)
    {
        if (f.Ops.Count == 0)
        {
            return;
        }

        var table = NewTable("By framework op (tf_op)", "Op", "Type", "Runs", "ms", "TFLOP/s", "GB/s", "Eff.", "Bound");
        foreach (var o in f.Ops.Take(top))
        {
            table.AddRow(Esc(PathTail(o.Name, Math.Max(20, nameWidth - 12))), Esc(PathTail(o.Type, 16)), o.Occurrences.ToString("N0", CultureInfo.InvariantCulture),
                Ms(o.TimeNs), o.FlopsPerSecond is { } fl ? (fl / 1e12).ToString("N1", CultureInfo.InvariantCulture) : "-",
                o.BytesPerSecond is { } b ? (b / 1e9).ToString("N0", CultureInfo.InvariantCulture) : "-",
                o.Efficiency is { } e ? Pct(e) : "-", o.Bound.ToString().ToLowerInvariant());
        }

        console.Write(table);
        var total = f.TimeNs + f.UnattributedNs;
        console.MarkupLine($"[grey]{f.Count:N0} framework op(s) hold {Pct(total > 0 ? (double)f.TimeNs / total : 0)} of device time; the rest (copies, collectives, ...) names none.[/]");
        console.WriteLine();
    }

    /// <summary>The end of a long op path, which names the op (<c>…/mlp/wi_0/dot_general</c>), bracketed parameters dropped.</summary>
    private static string PathTail(string name, int width)
    {
        var bracket = name.IndexOf('[', StringComparison.Ordinal);
        var s = bracket > 0 && name.EndsWith(']') ? name[..bracket] : name;
        return s.Length <= width ? s : "…" + s[^(width - 1)..];
    }

    private static void WriteMfu(IAnsiConsole console, Analysis.Roofline.MfuResult m, bool verbose)
    {
        if (m.Mfu is not { } mfu || m.Steps.Count == 0 || m.Peak.Count == 0)
        {
            return; // no device, or no matrix FLOPs with an estimate: nothing to say
        }

        if (!verbose)
        {
            console.MarkupLine($"MFU [bold]{Pct(mfu)}[/]{(m.Hfu is { } hfu && Math.Abs(hfu - mfu) > 1e-9 ? $" · HFU {Pct(hfu)}" : "")}"
                + $" [grey]against {Esc(m.Peak.Count > 0 ? m.Peak[0] : "-")}[/]");
            return;
        }

        var perStep = m.Steps.Count > 1
            ? $" over {m.Steps.Count} steps (per step {Pct(m.Steps.Min(s => s.Mfu ?? 0))}–{Pct(m.Steps.Max(s => s.Mfu ?? 0))})"
            : "";
        console.MarkupLine($"MFU [bold]{Pct(mfu)}[/]{(m.Hfu is { } h && Math.Abs(h - mfu) > 1e-9 ? $" · HFU {Pct(h)}" : "")}{perStep}"
            + $" [grey]· matrix FLOPs / ({Esc(string.Join(", ", m.Peak.Take(2)))} × step time) · covers {Pct(m.MatrixCoverage)} of matrix-kernel time[/]");
    }

    private static void WriteHeadroom(IAnsiConsole console, string title, Analysis.Opportunities.HeadroomResult h, int top, bool verbose)
    {
        if (h.Items.Count == 0)
        {
            return;
        }

        var table = new Table().Border(TableBorder.Simple).Title($"[bold]{Esc(title)}[/]");
        table.AddColumn(new TableColumn(h.PerWindow ? "Saves/window" : "Saves/step").RightAligned().NoWrap());
        table.AddColumn(new TableColumn("Share").RightAligned().NoWrap());
        table.AddColumn(new TableColumn("Bound").LeftAligned().NoWrap());
        table.AddColumn(new TableColumn("Opportunity, and what to do").LeftAligned());
        var shown = new HashSet<string>(StringComparer.Ordinal);
        var row = 0;
        foreach (var i in h.Items.Take(top))
        {
            // A fix already printed above is not repeated; the compact view gives the fixes of the first three.
            var fix = (verbose || row++ < 3) && shown.Add(i.Suggestion) ? $"\n[grey]{Esc(i.Suggestion)}[/]" : "";
            table.AddRow(Ms(i.SavingNsPerStep) + " ms", Pct(i.ShareOfStep), i.Bound.ToString().ToLowerInvariant(), Esc(i.Title) + fix);
        }

        console.Write(table);
        console.MarkupLine($"[grey]Step time {Ms(h.StepTimeNs)} ms{(h.PerWindow ? " (no steps: the whole window)" : $", {h.Steps} step(s)")}. Savings are net of overlap and may share time: they do not add up (docs/headroom.md).[/]");
        console.WriteLine();
    }

    private static void WriteRoofline(IAnsiConsole console, Analysis.Roofline.RooflineResult r, int nameWidth, int top)
    {
        if (r.Ops.Count == 0)
        {
            return;
        }

        var device = r.Device is { } d ? d.Name : "no catalog device: no ceilings (--hardware NAME)";
        var table = NewTable($"Roofline on {device}", "Op", "Dtype", "FLOP/B", "TFLOP/s", "Ceiling", "Eff.", "Bound");
        foreach (var o in r.Ops.Take(top))
        {
            table.AddRow(Esc(ShortName(o.Name, nameWidth - 8)), Esc(o.DataType), o.Intensity is { } i ? i.ToString("N1", CultureInfo.InvariantCulture) : "-",
                (o.AchievedFlopsPerSecond / 1e12).ToString("N1", CultureInfo.InvariantCulture),
                o.CeilingFlopsPerSecond is { } c ? (c / 1e12).ToString("N1", CultureInfo.InvariantCulture) : "-",
                o.Efficiency is { } e ? Pct(e) + (o.AboveRoofline ? "!" : "") : "-", o.Bound.ToString().ToLowerInvariant());
        }

        console.Write(table);
        if (r.Groups.Count > 0 && r.Device is not null)
        {
            console.MarkupLine("By kernel group: " + Esc(string.Join(" · ", r.Groups.Take(5).Select(g =>
                $"{ShortCategory(g.Category)} {(g.Efficiency is { } e ? Pct(e) : "-")} of {g.Peak} ({g.Bound.ToString().ToLowerInvariant()})"))));
        }

        var above = r.Ops.Count(o => o.AboveRoofline);
        console.MarkupLine($"[grey]Cost model covers {Pct(r.Coverage)} of computation time; efficiency = max(compute, memory) utilisation"
            + (above > 0 ? $"; {above} op(s) above the roofline (!), see the JSON note" : "") + ".[/]");
        console.WriteLine();
    }

    private static void WriteDiagnostics(IAnsiConsole console, IReadOnlyList<Diagnostic> diagnostics)
    {
        if (diagnostics.Count == 0)
        {
            console.MarkupLine("[grey]No import diagnostics.[/]");
            return;
        }

        console.MarkupLine("[bold]Diagnostics[/]");
        foreach (var d in diagnostics.OrderByDescending(d => d.Descriptor.Severity).ThenBy(d => d.Code, StringComparer.Ordinal))
        {
            var severity = d.Descriptor.Severity switch
            {
                DiagnosticSeverity.Error => "[red]error  [/]",
                DiagnosticSeverity.Warning => "[yellow]warning[/]",
                _ => "info   ",
            };
            var file = d.File is null ? "" : $" ({Path.GetFileName(d.File)})";
            console.MarkupLine($"  {severity} {Esc(d.Code)} ×{d.Count:N0}: {Esc(d.Message + file)}");
        }
    }

    private static Table NewTable(string title, params string[] columns)
    {
        var table = new Table().Border(TableBorder.Simple).Title($"[bold]{Esc(title)}[/]");
        for (var i = 0; i < columns.Length; i++)
        {
            var column = new TableColumn(columns[i]);
            table.AddColumn(i == 0 ? column.LeftAligned().NoWrap() : column.RightAligned().NoWrap());
        }

        return table;
    }

    /// <summary>
    /// A kernel or op name short enough for a table cell: without "void " and the parameter list, with template
    /// arguments nested two deep folded to "…", cut with an ellipsis at <paramref name="width"/>. An HLO instruction
    /// (a TPU op: <c>%copy-done.2 = f32[5,1024]{1,0:T(8,128)} copy-done(...)</c>) shows as its name and result shape
    /// without layout (<c>copy-done.2 f32[5,1024]</c>), or its name alone for a tuple result.
    /// </summary>
    public static string ShortName(string name, int width)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.StartsWith('%') && name.IndexOf(" = ", StringComparison.Ordinal) is > 1 and var eq)
        {
            var rest = name.AsSpan(eq + 3);
            var shapeEnd = rest.IndexOfAny('{', ' ');
            var shape = rest.StartsWith("(") || shapeEnd <= 0 ? "" : " " + rest[..shapeEnd].ToString();
            name = name[1..eq] + shape;
        }

        var s = name.StartsWith("void ", StringComparison.Ordinal) ? name[5..] : name;
        foreach (var ns in (ReadOnlySpan<string>)["(anonymous namespace)::", "at::native::", "at::cuda::", "c10::"])
        {
            s = s.Replace(ns, "", StringComparison.Ordinal);
        }

        if (!s.StartsWith("Memcpy", StringComparison.Ordinal) && !s.StartsWith("Memset", StringComparison.Ordinal))
        {
            s = WithoutParameters(s);
        }

        var sb = new StringBuilder(s.Length);
        var depth = 0;
        foreach (var c in s)
        {
            if (c == '<')
            {
                depth++;
                sb.Append(depth == 1 ? "<" : depth == 2 ? "…" : "");
            }
            else if (c == '>')
            {
                if (depth == 1)
                {
                    sb.Append('>');
                }

                depth = Math.Max(0, depth - 1);
            }
            else if (depth < 2)
            {
                sb.Append(c);
            }
        }

        var shortened = sb.ToString();
        return shortened.Length <= width ? shortened : shortened[..Math.Max(1, width - 1)] + "…";
    }

    /// <summary>Drops the last top-level "(...)" (the parameter list of a demangled signature).</summary>
    private static string WithoutParameters(string s)
    {
        var depth = 0;
        for (var i = 0; i < s.Length; i++)
        {
            switch (s[i])
            {
                case '<':
                    depth++;
                    break;
                case '>':
                    depth = Math.Max(0, depth - 1);
                    break;
                case '(' when depth == 0 && i > 0:
                    return s[..i];
                default:
                    break;
            }
        }

        return s;
    }

    private static string ShortCategory(KernelCategory category) => category switch
    {
        KernelCategory.Communication => "comm",
        KernelCategory.Normalization => "norm",
        KernelCategory.Convolution => "conv",
        KernelCategory.Attention => "attn",
        KernelCategory.Elementwise => "elemwise",
        KernelCategory.Reduction => "reduce",
        _ => JsonReportRenderer.CategoryName(category),
    };

    private static string Esc(string s) => Markup.Escape(s);

    private static string Ms(long ns) => (ns / 1e6).ToString(ns >= 100_000_000 ? "N0" : "N2", CultureInfo.InvariantCulture);

    private static string Us(long ns) => (ns / 1e3).ToString(ns >= 1_000_000 ? "N0" : "N1", CultureInfo.InvariantCulture);

    private static string UsD(double ns) => double.IsFinite(ns) ? (ns / 1e3).ToString(ns >= 1e6 ? "N0" : "N1", CultureInfo.InvariantCulture) : "-";

    private static string Pct(double share) => double.IsFinite(share) ? (share * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%" : "-";
}
