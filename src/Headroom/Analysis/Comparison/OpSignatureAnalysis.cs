namespace Headroom.Analysis.Comparison;

/// <summary>
/// Device time of one op signature: the innermost op that launched the kernels, by name, Input Dims and Input type —
/// the identity two runs are compared by (the same op and shapes on an H100 and an MI300X run different kernels). In an
/// XSpace, device work with an XLA op (<see cref="Model.RankTrace.DeviceOpCosts"/>) is signed by that op instead: its
/// name, result shape and category, as the roofline names it.
/// </summary>
/// <param name="Name">Op name (<c>aten::mm</c>, an XLA op's <c>fusion.12</c>), or "(no op)" for device work launched outside any op.</param>
/// <param name="InputDims">Input Dims as recorded ("" when not recorded); an XLA op's result shape.</param>
/// <param name="InputTypes">Input type as recorded ("" when not recorded); an XLA op's category.</param>
/// <param name="Calls">Op calls that launched device work (an XLA op's executions).</param>
/// <param name="Kernels">Device activities launched.</param>
/// <param name="TotalNs">Their total duration, ns.</param>
/// <param name="PerStepNs">The same per analysed step, in step order (empty when the trace has no steps): the samples a
/// diff uses to tell a change from noise.</param>
public sealed record OpSignatureStats(string Name, string InputDims, string InputTypes, long Calls, long Kernels, long TotalNs, IReadOnlyList<long> PerStepNs);

/// <summary>Kernel time by kernel name, with the same per-step samples (comparable within one vendor's kernels).</summary>
/// <param name="Name">Kernel name.</param>
/// <param name="Category">Kernel category.</param>
/// <param name="Count">Activities.</param>
/// <param name="TotalNs">Total duration, ns.</param>
/// <param name="PerStepNs">Per analysed step, in step order (empty without steps).</param>
public sealed record KernelNameStats(string Name, Kernels.KernelCategory Category, long Count, long TotalNs, IReadOnlyList<long> PerStepNs);

/// <summary>What a run comparison needs from one rank, computed only when asked (<see cref="AnalysisOptions.Comparable"/>).</summary>
/// <param name="StepNumbers">The analysed steps, in order; the per-step arrays follow it.</param>
/// <param name="StepNs">Each step's device window, ns.</param>
/// <param name="Ops">Op signatures, longest first; at most <see cref="OpSignatureAnalysis.MaxRows"/>, the rest summed in an "(other)" row.</param>
/// <param name="Kernels">Kernel names, longest first; at most <see cref="OpSignatureAnalysis.MaxRows"/>, the rest in "(other)".</param>
public sealed record ComparableRank(IReadOnlyList<long> StepNumbers, IReadOnlyList<long> StepNs, IReadOnlyList<OpSignatureStats> Ops,
    IReadOnlyList<KernelNameStats> Kernels);

/// <summary>Computes <see cref="ComparableRank"/> over the analysed window. Pure.</summary>
public static class OpSignatureAnalysis
{
    /// <summary>Rows kept per table (the rest summed into "(other)").</summary>
    public const int MaxRows = 300;

    /// <summary>Name of the row holding everything beyond <see cref="MaxRows"/>.</summary>
    public const string Other = "(other)";

    /// <summary>Tables for the activities starting in [<paramref name="start"/>, <paramref name="end"/>), with per-step samples for <paramref name="steps"/>.</summary>
    public static ComparableRank Compute(RankActivities activities, long start, long end, IReadOnlyList<Step> steps)
    {
        ArgumentNullException.ThrowIfNull(activities);
        ArgumentNullException.ThrowIfNull(steps);
        var trace = activities.Trace;
        var cpu = trace.Cpu;
        var gpu = trace.Gpu;
        var windows = steps.Where(s => s.WindowStartNs is not null).OrderBy(s => s.WindowStartNs).ToList();
        var windowStarts = windows.Select(s => s.WindowStartNs!.Value).ToArray();
        var ops = new Dictionary<(int Name, int Dims, int Types), Row>();
        var xlaOps = new Dictionary<(string Name, string Shape, string Category), Row>();
        var kernels = new Dictionary<int, Row>();
        var (first, last) = activities.StartingIn(start, end);
        for (var i = first; i < last; i++)
        {
            var g = activities.Event[i];
            if (g < 0)
            {
                continue;
            }

            var dur = Math.Max(0, activities.End[i] - activities.Start[i]);
            var step = StepOf(windowStarts, windows, activities.Start[i]);
            Add(kernels, gpu.Name[g], dur, step, windows.Count, -1, activities.Category[i]);
            var firstKernel = trace.ExecutionStart(g);
            if (trace.DeviceOpCosts.Count > 0 && trace.DeviceOpCosts.TryGetValue(firstKernel, out var xla))
            {
                Add(xlaOps, (xla.Name, xla.Shape, xla.Category), dur, step, windows.Count, int.MaxValue - firstKernel); // one call per execution
                continue;
            }

            var op = gpu.Op[g];
            var key = op < 0 ? (-1, 0, 0)
                : cpu.Args[op] >= 0 ? (cpu.Name[op], trace.OpArgs[cpu.Args[op]].InputDims, trace.OpArgs[cpu.Args[op]].InputTypes)
                : (cpu.Name[op], 0, 0);
            Add(ops, key, dur, step, windows.Count, op);
        }

        var s = trace.Strings;
        var opRows = Top(ops.Select(kv => (Row: kv.Value, Make: (Func<Row, OpSignatureStats>)(r => new OpSignatureStats(
            kv.Key.Name < 0 ? "(no op)" : s[kv.Key.Name], kv.Key.Dims == 0 ? "" : s[kv.Key.Dims], kv.Key.Types == 0 ? "" : s[kv.Key.Types],
            r.Calls.Count, r.Kernels, r.TotalNs, r.PerStep))))
            .Concat(xlaOps.Select(kv => (Row: kv.Value, Make: (Func<Row, OpSignatureStats>)(r => new OpSignatureStats(
                kv.Key.Name, kv.Key.Shape, kv.Key.Category, r.Calls.Count, r.Kernels, r.TotalNs, r.PerStep))))).ToList(),
            rest => new OpSignatureStats(Other, "", "", rest.Calls.Count, rest.Kernels, rest.TotalNs, rest.PerStep), windows.Count);
        var kernelRows = Top(kernels.Select(kv => (Row: kv.Value, Make: (Func<Row, KernelNameStats>)(r => new KernelNameStats(
            s[kv.Key], r.Category, r.Kernels, r.TotalNs, r.PerStep)))).ToList(),
            rest => new KernelNameStats(Other, Kernels.KernelCategory.Other, rest.Kernels, rest.TotalNs, rest.PerStep), windows.Count);
        return new ComparableRank([.. windows.Select(w => w.Number)], [.. windows.Select(w => w.WindowNs)], opRows, kernelRows);
    }

    private static int StepOf(long[] starts, List<Step> windows, long t)
    {
        var i = Array.BinarySearch(starts, t);
        i = i >= 0 ? i : ~i - 1;
        return i >= 0 && t < windows[i].WindowEndNs ? i : -1;
    }

    private static void Add<TKey>(Dictionary<TKey, Row> rows, TKey key, long dur, int step, int steps, int op, Kernels.KernelCategory category = default)
        where TKey : notnull
    {
        if (!rows.TryGetValue(key, out var row))
        {
            row = new Row(steps) { Category = category };
            rows[key] = row;
        }

        row.Kernels++;
        row.TotalNs += dur;
        if (step >= 0)
        {
            row.PerStep[step] += dur;
        }

        if (op >= 0)
        {
            row.Calls.Add(op);
        }
    }

    private static List<T> Top<T>(List<(Row Row, Func<Row, T> Make)> rows, Func<Row, T> other, int steps)
    {
        var ordered = rows.OrderByDescending(r => r.Row.TotalNs).ToList();
        var result = ordered.Take(MaxRows).Select(r => r.Make(r.Row)).ToList();
        if (ordered.Count > MaxRows)
        {
            var rest = new Row(steps);
            foreach (var (row, _) in ordered.Skip(MaxRows))
            {
                rest.Kernels += row.Kernels;
                rest.TotalNs += row.TotalNs;
                rest.Calls.UnionWith(row.Calls);
                for (var k = 0; k < steps; k++)
                {
                    rest.PerStep[k] += row.PerStep[k];
                }
            }

            result.Add(other(rest));
        }

        return result;
    }

    private sealed class Row(int steps)
    {
        public long Kernels, TotalNs;
        public readonly long[] PerStep = new long[steps];
        public readonly HashSet<int> Calls = [];
        public Kernels.KernelCategory Category;
    }
}
