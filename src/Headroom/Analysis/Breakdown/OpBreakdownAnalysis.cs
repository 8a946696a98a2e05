namespace Headroom.Analysis.Breakdown;

/// <summary>Device time launched by one CPU op name.</summary>
/// <param name="Name">Op name (e.g. aten::addmm), or "(no op)" for device work launched outside any op (graph replays, bare runtime calls).</param>
/// <param name="Calls">Host calls of the op in the window that launched device work.</param>
/// <param name="KernelCount">Device activities whose innermost enclosing op is this one.</param>
/// <param name="GpuSelfNs">Their total duration, ns.</param>
/// <param name="GpuInclusiveNs">Total duration of device work launched anywhere inside the op (its own and its children's), ns.</param>
/// <param name="ShareOfBusy">Self time over the window's busy device time.</param>
public sealed record OpStats(string Name, long Calls, long KernelCount, long GpuSelfNs, long GpuInclusiveNs, double ShareOfBusy);

/// <summary>Ranks CPU ops by the device time of the kernels they launched.</summary>
public static class OpBreakdownAnalysis
{
    /// <summary>The top <paramref name="top"/> op names by self device time, for activities starting in [start, end).</summary>
    public static IReadOnlyList<OpStats> Compute(RankActivities activities, long start, long end, long busyNs, int top)
    {
        var trace = activities.Trace;
        var cpu = trace.Cpu;
        var gpu = trace.Gpu;
        var self = new Dictionary<int, (long Kernels, long Ns)>();
        var inclusive = new Dictionary<int, long>();
        var calls = new Dictionary<int, HashSet<int>>();
        const int NoOp = -1;
        var seenNames = new HashSet<int>();
        var (first, last) = activities.StartingIn(start, end);
        for (var i = first; i < last; i++)
        {
            var s = activities.Start[i];
            if (activities.Event[i] < 0)
            {
                continue;
            }

            var dur = Math.Max(0, activities.End[i] - s);
            var op = gpu.Op[activities.Event[i]];
            var name = op >= 0 ? cpu.Name[op] : NoOp;
            var e = self.GetValueOrDefault(name);
            self[name] = (e.Kernels + 1, e.Ns + dur);
            if (op >= 0)
            {
                if (!calls.TryGetValue(name, out var set))
                {
                    set = [];
                    calls[name] = set;
                }

                set.Add(op);
            }

            // Inclusive: once per distinct name on the path to the root.
            seenNames.Clear();
            for (var a = op; a >= 0; a = cpu.Parent[a])
            {
                if (seenNames.Add(cpu.Name[a]))
                {
                    inclusive[cpu.Name[a]] = inclusive.GetValueOrDefault(cpu.Name[a]) + dur;
                }
            }
        }

        return [.. self
            .Select(kv => new OpStats(kv.Key == NoOp ? "(no op)" : trace.Strings[kv.Key], calls.TryGetValue(kv.Key, out var c) ? c.Count : 0,
                kv.Value.Kernels, kv.Value.Ns, kv.Key == NoOp ? kv.Value.Ns : inclusive.GetValueOrDefault(kv.Key), busyNs > 0 ? (double)kv.Value.Ns / busyNs : 0))
            .OrderByDescending(o => o.GpuSelfNs).ThenBy(o => o.Name, StringComparer.Ordinal)
            .Take(top)];
    }
}
