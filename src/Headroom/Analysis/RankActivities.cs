using Headroom.Analysis.Kernels;
using Headroom.Model;

namespace Headroom.Analysis;

/// <summary>
/// The device activities (kernels, copies, sets) of one rank that an analysis looks at, with their
/// class and category, under the chosen conventions: Headroom's own, or HTA's (rounded to whole
/// microseconds and filtered as HTA does). Sorted by start.
/// </summary>
public sealed class RankActivities
{
    private readonly int[] _event;
    private readonly long[] _start, _end;
    private readonly ActivityClass[] _class;
    private readonly KernelCategory[] _category;
    private readonly long _maxDuration;

    private RankActivities(RankTrace trace, int[] ev, long[] start, long[] end, ActivityClass[] cls, KernelCategory[] category,
        IReadOnlyList<Step> steps, bool hta)
    {
        Trace = trace; _event = ev; _start = start; _end = end; _class = cls; _category = category; Steps = steps; HtaConventions = hta;
        for (var i = 0; i < start.Length; i++)
        {
            _maxDuration = Math.Max(_maxDuration, end[i] - start[i]);
        }
    }

    /// <summary>The rank.</summary>
    public RankTrace Trace { get; }
    /// <summary>Steps found (in HTA mode, without the last one when HTA drops it).</summary>
    public IReadOnlyList<Step> Steps { get; }
    /// <summary>True when HTA's conventions were applied.</summary>
    public bool HtaConventions { get; }
    /// <summary>Number of activities.</summary>
    public int Count => _event.Length;
    /// <summary>Index into <see cref="RankTrace.Gpu"/>.</summary>
    public ReadOnlySpan<int> Event => _event;
    /// <summary>Start, ns (rounded up to a whole µs under HTA conventions for sub-µs traces).</summary>
    public ReadOnlySpan<long> Start => _start;
    /// <summary>End, ns (rounded down to a whole µs under HTA conventions for sub-µs traces).</summary>
    public ReadOnlySpan<long> End => _end;
    /// <summary>Breakdown class.</summary>
    public ReadOnlySpan<ActivityClass> Class => _class;
    /// <summary>Kernel category.</summary>
    public ReadOnlySpan<KernelCategory> Category => _category;

    /// <summary>The activities as classed intervals, for <see cref="IntervalSweep"/>.</summary>
    public List<ClassedInterval> Intervals() => Intervals(long.MinValue, long.MaxValue);

    /// <summary>The activities that overlap [start, end), as classed intervals (found by binary search, not a scan).</summary>
    public List<ClassedInterval> Intervals(long start, long end)
    {
        var (first, last) = Overlapping(start, end);
        var list = new List<ClassedInterval>(Math.Max(0, last - first));
        for (var i = first; i < last; i++)
        {
            if (_end[i] > start)
            {
                list.Add(new ClassedInterval(_start[i], _end[i], (int)_class[i]));
            }
        }

        return list;
    }

    /// <summary>Index range [first, last) of the activities that start in [start, end).</summary>
    public (int First, int Last) StartingIn(long start, long end) => (LowerBound(start), LowerBound(end));

    /// <summary>Index range [first, last) that contains every activity overlapping [start, end) (and some that end before start).</summary>
    public (int First, int Last) Overlapping(long start, long end) =>
        (LowerBound(start == long.MinValue ? start : start - _maxDuration), LowerBound(end));

    private int LowerBound(long time)
    {
        int lo = 0, hi = _start.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_start[mid] < time)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>First start and last end; (0, 0) when empty.</summary>
    public (long Start, long End) Span()
    {
        if (Count == 0)
        {
            return (0, 0);
        }

        var end = long.MinValue;
        foreach (var e in _end)
        {
            end = Math.Max(end, e);
        }

        return (_start[0], end);
    }

    /// <summary>Selects the activities of <paramref name="trace"/>.</summary>
    /// <param name="jobHasSeveralSteps">HTA drops the last step when the whole job has at least two distinct ProfilerStep names.</param>
    public static RankActivities Select(RankTrace trace, bool htaCompatible, bool jobHasSeveralSteps, DiagnosticBag diagnostics)
    {
        var steps = StepAnalysis.Find(trace);
        var gpu = trace.Gpu;
        var categories = new KernelCategory?[trace.Strings.Count];
        var round = htaCompatible && trace.TimestampsWrittenAsFloats;
        Func<int, bool>? keep = null;
        var lastStart = long.MaxValue;
        if (htaCompatible && jobHasSeveralSteps)
        {
            (keep, steps, lastStart) = HtaCompatibility.LastStepFilter(trace, steps, round);
        }

        var events = new List<int>(gpu.Count);
        var starts = new List<long>(gpu.Count);
        var ends = new List<long>(gpu.Count);
        var classes = new List<ActivityClass>(gpu.Count);
        var cats = new List<KernelCategory>(gpu.Count);
        long dropped = 0;
        for (var g = 0; g < gpu.Count; g++)
        {
            var selected = htaCompatible ? HtaCompatibility.IsHtaGpuEvent(gpu.Kind[g], gpu.Stream[g]) : gpu.IsActivity(g);
            if (!selected)
            {
                continue;
            }

            if (keep is not null && !keep(g))
            {
                dropped++;
                continue;
            }

            var name = gpu.Name[g];
            var category = categories[name] ??= gpu.Kind[g] is GpuEventKind.Memcpy or GpuEventKind.Memset
                ? KernelCategory.Memory
                : KernelClassifier.Classify(trace.Strings[name]);
            var cls = htaCompatible
                ? HtaCompatibility.ClassOf(trace.Strings[name], gpu.Kind[g])
                : ClassOf(category, gpu.Kind[g], trace.Strings[name]);
            var (start, end) = round
                ? HtaCompatibility.Round(gpu.Start[g], gpu.Duration[g], trace.Metadata.BaseTimeNanoseconds)
                : (gpu.Start[g], gpu.End(g));
            events.Add(g);
            starts.Add(start);
            ends.Add(end);
            classes.Add(cls);
            cats.Add(category);
        }

        if (htaCompatible)
        {
            AddHostEventsWithStream(trace, lastStart, round, events, starts, ends, classes, cats);
        }

        if (dropped > 0)
        {
            diagnostics.Report(DiagnosticCatalog.HtaLastStepDropped,
                $"--hta-compatible: {dropped:N0} device events of the last step, or not launched by a kept host event, were left out, as HTA does",
                trace.SourcePath, dropped);
        }

        // Rounding moves starts by under a microsecond, and host events join under HTA conventions: keep them sorted by start.
        var order = Enumerable.Range(0, events.Count).ToArray();
        if (htaCompatible)
        {
            var s = starts.ToArray();
            Array.Sort(order, (a, b) => s[a] != s[b] ? s[a].CompareTo(s[b]) : a.CompareTo(b));
        }

        return new RankActivities(trace, [.. order.Select(i => events[i])], [.. order.Select(i => starts[i])], [.. order.Select(i => ends[i])],
            [.. order.Select(i => classes[i])], [.. order.Select(i => cats[i])], steps, htaCompatible);
    }

    /// <summary>
    /// HTA counts every event with a numeric args.stream as GPU work, including host ops that record one
    /// (TorchInductor's Triton launch ops carry "stream": 0). They join as activities with a negative
    /// <see cref="Event"/> (<c>~cpuIndex</c>); kernel and op tables skip them.
    /// </summary>
    /// <param name="lastStart">The last-step filter's bound (host rows starting at or after it are dropped); long.MaxValue without the filter.</param>
    private static void AddHostEventsWithStream(RankTrace trace, long lastStart, bool round, List<int> events, List<long> starts,
        List<long> ends, List<ActivityClass> classes, List<KernelCategory> cats)
    {
        var cpu = trace.Cpu;
        var baseNs = trace.Metadata.BaseTimeNanoseconds;

        for (var i = 0; i < cpu.Count; i++)
        {
            var a = cpu.Args[i];
            if (a < 0 || trace.OpArgs[a].Stream == -1)
            {
                continue;
            }

            var (start, end) = round ? HtaCompatibility.Round(cpu.Start[i], cpu.Duration[i], baseNs) : (cpu.Start[i], cpu.End(i));
            if (start >= lastStart)
            {
                continue;
            }

            var name = trace.Strings[cpu.Name[i]];
            events.Add(~i);
            starts.Add(start);
            ends.Add(end);
            classes.Add(HtaCompatibility.ClassOf(name, GpuEventKind.Kernel));
            cats.Add(KernelClassifier.Classify(name));
        }
    }

    /// <summary>Headroom's own class: by event kind for copies and sets, by kernel category otherwise.</summary>
    public static ActivityClass ClassOf(KernelCategory category, GpuEventKind kind, string name) => kind switch
    {
        GpuEventKind.Memcpy => ActivityClass.Memcpy,
        GpuEventKind.Memset => ActivityClass.Memset,
        _ when category == KernelCategory.Communication => ActivityClass.Communication,
        _ when category == KernelCategory.Memory => name.Contains("memset", StringComparison.OrdinalIgnoreCase) ? ActivityClass.Memset : ActivityClass.Memcpy,
        _ => ActivityClass.Computation,
    };
}
