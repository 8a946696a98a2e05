using System.Text.RegularExpressions;
using Headroom.Analysis.Breakdown;
using Headroom.Model;

namespace Headroom.Analysis;

/// <summary>HTA's temporal breakdown of one rank (µs in HTA; ns here).</summary>
public sealed record HtaTemporalBreakdown(long IdleNs, long ComputeNs, long NonComputeNs, long KernelTimeNs);

/// <summary>
/// Holistic Trace Analysis 0.6.1's conventions, reproduced for <c>--hta-compatible</c>.
/// docs/hta-compatibility.md explains each rule, where it comes from in HTA's source, and where Headroom's default differs.
/// </summary>
public static partial class HtaCompatibility
{
    [GeneratedRegex("^nccl|^hip|^hccl|ncclKernel", RegexOptions.CultureInvariant)]
    private static partial Regex Communication();

    [GeneratedRegex("^(hip)?Memcpy|^(hip)?Memset|^dma", RegexOptions.CultureInvariant)]
    private static partial Regex Memory();

    [GeneratedRegex("^nccl|Memcpy|Memset|dma|^.*Sync|^Stream Wait Event|cuda.*LaunchKernel|^runFunction|^hip|^job_exe|^packet|^pe_exe|^cpum_exe_subgraph|^hccl|^collective_subgraph_execution",
        RegexOptions.CultureInvariant)]
    private static partial Regex NotComputation();

    [GeneratedRegex(@"^ProfilerStep#(\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex StepName();

    /// <summary>HTA's kernel type, by name only (<c>utils.get_kernel_type</c>): COMMUNICATION, MEMORY (copy or set by the event's kind), COMPUTATION or OTHER.</summary>
    public static ActivityClass ClassOf(string name, GpuEventKind kind)
    {
        if (Communication().IsMatch(name))
        {
            return ActivityClass.Communication;
        }

        if (Memory().IsMatch(name))
        {
            return kind == GpuEventKind.Memset || name.Contains("Memset", StringComparison.Ordinal) ? ActivityClass.Memset : ActivityClass.Memcpy;
        }

        return NotComputation().IsMatch(name) ? ActivityClass.Other : ActivityClass.Computation;
    }

    /// <summary>True when HTA counts the event as GPU work: device activity or sync carrying a stream other than -1.</summary>
    public static bool IsHtaGpuEvent(GpuEventKind kind, int stream) =>
        stream != -1 && kind is GpuEventKind.Kernel or GpuEventKind.Memcpy or GpuEventKind.Memset or GpuEventKind.Sync;

    /// <summary>
    /// HTA's rounding of traces whose timestamps are JSON floats: end = floor(ts + dur), ts = ceil(ts), in double
    /// arithmetic on the file's own microsecond values (relative to <paramref name="baseNs"/>, as written).
    /// </summary>
    public static (long Start, long End) Round(long startNs, long durationNs, long baseNs)
    {
        var ts = ToMicros(startNs - baseNs);
        var end = Math.Floor(ts + ToMicros(durationNs));
        return (((long)Math.Ceiling(ts) * 1000) + baseNs, ((long)end * 1000) + baseNs);
    }

    /// <summary>HTA's rounded start (ceil to a whole µs, in double arithmetic).</summary>
    public static long RoundStart(long startNs, long baseNs) => ((long)Math.Ceiling(ToMicros(startNs - baseNs)) * 1000) + baseNs;

    /// <summary>The nearest double to the decimal microsecond value, as Python's json module would parse it.</summary>
    private static double ToMicros(long ns) =>
        double.Parse((ns / 1000m).ToString(System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// HTA's last-step filter (<c>_filter_irrelevant_gpu_kernels</c>, non-MTIA path): host-side rows starting before the
    /// last ProfilerStep's start are kept; a device row with a correlation is kept when a kept host row shares it;
    /// a device row without one is kept when it starts before that time. A rank with no step rows keeps nothing.
    /// </summary>
    /// <returns>A predicate over <see cref="RankTrace.Gpu"/> indices, the steps that remain, and the bound itself (host rows starting at or after it are dropped).</returns>
    public static (Func<int, bool> KeepGpu, IReadOnlyList<Step> Steps, long LastStart) LastStepFilter(RankTrace trace, IReadOnlyList<Step> steps, bool round)
    {
        var baseNs = trace.Metadata.BaseTimeNanoseconds;
        long Ts(long ns) => round ? RoundStart(ns, baseNs) : ns;
        var cpu = trace.Cpu;
        var gpu = trace.Gpu;
        bool GpuSide(int g) => IsGpuSide(trace, g);
        var lastStart = LastStepStart(trace, round);
        var kept = new HashSet<long>();
        for (var i = 0; i < cpu.Count; i++)
        {
            if (cpu.Correlation[i] >= 0 && Ts(cpu.Start[i]) < lastStart)
            {
                kept.Add(cpu.Correlation[i]);
            }
        }

        for (var g = 0; g < gpu.Count; g++)
        {
            if (!GpuSide(g) && gpu.Correlation[g] >= 0 && Ts(gpu.Start[g]) < lastStart)
            {
                kept.Add(gpu.Correlation[g]);
            }
        }

        bool Keep(int g) => GpuSide(g) ? kept.Contains(gpu.Correlation[g]) : Ts(gpu.Start[g]) < lastStart;
        return (Keep, [.. steps.Where(s => Ts(s.StartNs) < lastStart)], lastStart);
    }

    /// <summary>
    /// The start of the last ProfilerStep on this rank as HTA sees it: the latest host-side row named ProfilerStep#N
    /// (GPU-side annotations included); when the rank has none, its earliest host-side row (so nothing is kept).
    /// </summary>
    public static long LastStepStart(RankTrace trace, bool round)
    {
        var baseNs = trace.Metadata.BaseTimeNanoseconds;
        long Ts(long ns) => round ? RoundStart(ns, baseNs) : ns;
        var cpu = trace.Cpu;
        var gpu = trace.Gpu;
        var isStep = new Dictionary<int, bool>();
        bool IsStep(int name)
        {
            if (!isStep.TryGetValue(name, out var b))
            {
                b = StepName().IsMatch(trace.Strings[name]);
                isStep[name] = b;
            }

            return b;
        }

        var lastStart = long.MinValue;
        var minHost = long.MaxValue;
        for (var i = 0; i < cpu.Count; i++)
        {
            var ts = Ts(cpu.Start[i]);
            minHost = Math.Min(minHost, ts);
            if (IsStep(cpu.Name[i]))
            {
                lastStart = Math.Max(lastStart, ts);
            }
        }

        for (var g = 0; g < gpu.Count; g++)
        {
            if (!IsGpuSide(trace, g))
            {
                var ts = Ts(gpu.Start[g]);
                minHost = Math.Min(minHost, ts);
                if (IsStep(gpu.Name[g]))
                {
                    lastStart = Math.Max(lastStart, ts);
                }
            }
        }

        return lastStart == long.MinValue ? minHost : lastStart;
    }

    /// <summary>HTA's split for the filter: a device row is "GPU side" with a stream and a correlation, or as an Event/Context Sync.</summary>
    private static bool IsGpuSide(RankTrace trace, int g)
    {
        var gpu = trace.Gpu;
        if (gpu.Stream[g] >= 0 && gpu.Correlation[g] >= 0)
        {
            return true;
        }

        var name = trace.Strings[gpu.Name[g]];
        return name is "Event Sync" or "Context Sync";
    }

    /// <summary>HTA's temporal breakdown (<c>get_temporal_breakdown</c>): merged intervals over all GPU events, and over COMPUTATION ones.</summary>
    public static HtaTemporalBreakdown Temporal(RankActivities activities)
    {
        var all = Merge(activities, _ => true);
        if (all.Count == 0)
        {
            return new HtaTemporalBreakdown(0, 0, 0, 0);
        }

        var kernelTime = all[^1].End - all[0].Start;
        var run = all.Sum(g => g.End - g.Start);
        var compute = Merge(activities, c => c == ActivityClass.Computation).Sum(g => g.End - g.Start);
        var idle = kernelTime - run;
        return new HtaTemporalBreakdown(idle, compute, kernelTime - compute - idle, kernelTime);
    }

    /// <summary>
    /// HTA's kernel-type table for one rank (<c>_get_gpu_kernel_type_time</c>): each type's merged intervals become
    /// +bit/-bit events, stably sorted by time; each segment is labelled by the set of active types. Zero-length
    /// segments still create their label, as in HTA.
    /// </summary>
    public static IReadOnlyList<KernelTypeTime> KernelTypes(RankActivities activities)
    {
        var points = new List<(long Time, int Delta)>();
        (ActivityClass[] Classes, int Bit)[] types =
        [
            ([ActivityClass.Computation], 1),
            ([ActivityClass.Communication], 2),
            ([ActivityClass.Memcpy, ActivityClass.Memset], 4),
        ];
        foreach (var (classes, bit) in types)
        {
            var merged = Merge(activities, c => Array.IndexOf(classes, c) >= 0);
            points.AddRange(merged.Select(m => (m.Start, bit)));
            points.AddRange(merged.Select(m => (m.End, -bit)));
        }

        var ordered = points.Select((p, i) => (p.Time, p.Delta, i)).OrderBy(p => p.Time).ThenBy(p => p.i).ToList();
        var sums = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var running = 0;
        for (var k = 0; k < ordered.Count; k++)
        {
            running += ordered[k].Delta;
            if (running <= 0 || k + 1 >= ordered.Count)
            {
                continue;
            }

            var label = Label(running);
            sums[label] = sums.GetValueOrDefault(label) + ((ordered[k + 1].Time - ordered[k].Time) / 1000 * 1000);
        }

        return [.. sums.Select(kv => new KernelTypeTime(kv.Key, kv.Value))];
    }

    private static string Label(int mask)
    {
        var parts = new List<string>(3);
        if ((mask & 1) != 0) parts.Add("COMPUTATION");
        if ((mask & 2) != 0) parts.Add("COMMUNICATION");
        if ((mask & 4) != 0) parts.Add("MEMORY");
        return string.Join(" overlapping ", parts);
    }

    /// <summary>HTA's <c>merge_kernel_intervals</c>: sort by (start, end); a new group starts when start exceeds the running max end.</summary>
    private static List<(long Start, long End)> Merge(RankActivities activities, Func<ActivityClass, bool> include)
    {
        var items = new List<(long Start, long End)>();
        for (var i = 0; i < activities.Count; i++)
        {
            if (include(activities.Class[i]))
            {
                items.Add((activities.Start[i], activities.End[i]));
            }
        }

        items.Sort();
        var groups = new List<(long Start, long End)>();
        var maxEnd = long.MinValue;
        foreach (var (s, e) in items)
        {
            if (groups.Count == 0 || s > maxEnd)
            {
                groups.Add((s, e));
            }
            else
            {
                groups[^1] = (groups[^1].Start, Math.Max(groups[^1].End, e));
            }

            maxEnd = Math.Max(maxEnd, e);
        }

        return groups;
    }
}
