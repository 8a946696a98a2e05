using System.Globalization;
using Headroom.Model;

namespace Headroom.Analysis;

/// <summary>
/// One training or inference step: a <c>ProfilerStep#N</c> annotation on the host (or another host step annotation with
/// a number) and the device time of the work it launched; or a device's own step marker (a TPU's <c>Steps</c> line) and
/// the device work inside it.
/// </summary>
/// <param name="Number">N of ProfilerStep#N, or the marker's step number.</param>
/// <param name="Name">The annotation's or marker's name.</param>
/// <param name="StartNs">Start of the annotation (host) or of the device step marker, ns.</param>
/// <param name="DurationNs">Duration of the annotation or marker, ns.</param>
/// <param name="GpuStartNs">Start of the first device activity launched during the step; null when it launched none.</param>
/// <param name="GpuEndNs">End of the last device activity launched during the step; null when it launched none.</param>
/// <param name="WindowStartNs">Start of the step's device window (see docs/analyses.md); null when it launched nothing.</param>
/// <param name="WindowEndNs">End of the step's device window: the next step's device start, or this step's device end for the last step.</param>
/// <param name="ActivityCount">Device activities launched during the step.</param>
public sealed record Step(long Number, string Name, long StartNs, long DurationNs, long? GpuStartNs, long? GpuEndNs,
    long? WindowStartNs, long? WindowEndNs, int ActivityCount)
{
    /// <summary>True when the step is a device step marker (<see cref="StartNs"/> and <see cref="DurationNs"/> are device time), not a host annotation.</summary>
    public bool OnDevice { get; init; }

    /// <summary>Device window length, ns (0 when the step launched nothing).</summary>
    public long WindowNs => WindowEndNs - WindowStartNs ?? 0;
}

/// <summary>
/// Finds a rank's steps: <c>ProfilerStep#N</c> annotations, mapped onto device time through the activities they launched;
/// else the device's own step markers (<see cref="RankTrace.StepMarkers"/>: a TPU has no launches, its runtime marks
/// the steps on the device), each holding the device work that starts inside it; else other host step annotations with a
/// number (JAX's StepTraceAnnotation), mapped like ProfilerSteps.
/// </summary>
public static class StepAnalysis
{
    private const string Prefix = "ProfilerStep#";

    /// <summary>The steps of <paramref name="trace"/>, ordered by start; empty when the trace has no step annotations.</summary>
    public static IReadOnlyList<Step> Find(RankTrace trace)
    {
        var raw = ProfilerSteps(trace);
        if (raw.Count > 0)
        {
            return FromHostSpans(trace, raw);
        }

        if (trace.StepMarkers.Any(m => m.OnDevice))
        {
            return FromDeviceMarkers(trace);
        }

        var seen = new HashSet<long>();
        raw = [.. trace.StepMarkers.Where(m => !m.OnDevice && seen.Add(m.Number)).Select(m => (m.Number, m.Name, m.StartNs, m.DurationNs))];
        return raw.Count > 0 ? FromHostSpans(trace, raw) : [];
    }

    /// <summary>The ProfilerStep#N annotations, the first of each number.</summary>
    private static List<(long Number, int Name, long Start, long Duration)> ProfilerSteps(RankTrace trace)
    {
        var cpu = trace.Cpu;
        var names = cpu.Name;
        var isStepName = new Dictionary<int, long>();
        var raw = new List<(long Number, int Name, long Start, long Duration)>();
        var seen = new HashSet<long>();
        for (var i = 0; i < cpu.Count; i++)
        {
            if (!isStepName.TryGetValue(names[i], out var number))
            {
                number = StepNumber(trace.Strings[names[i]]);
                isStepName[names[i]] = number;
            }

            if (number >= 0 && cpu.Kind[i] is CpuEventKind.UserAnnotation or CpuEventKind.Op or CpuEventKind.Other && seen.Add(number))
            {
                raw.Add((number, names[i], cpu.Start[i], cpu.Duration[i]));
            }
        }

        return raw;
    }

    /// <summary>
    /// Steps from the device's step markers: one per step number (markers of one number on several cores are joined into
    /// one span), holding the device activities that start inside it; the window is the marker's span.
    /// </summary>
    private static List<Step> FromDeviceMarkers(RankTrace trace)
    {
        var markers = new List<(long Number, int Name, long Start, long Duration)>();
        var byNumber = new Dictionary<long, int>();
        foreach (var m in trace.StepMarkers.Where(m => m.OnDevice))
        {
            if (byNumber.TryGetValue(m.Number, out var at))
            {
                var known = markers[at];
                var start = Math.Min(known.Start, m.StartNs);
                markers[at] = known with { Start = start, Duration = Math.Max(known.Start + known.Duration, m.StartNs + m.DurationNs) - start };
            }
            else
            {
                byNumber[m.Number] = markers.Count;
                markers.Add((m.Number, m.Name, m.StartNs, m.DurationNs));
            }
        }

        markers.Sort(ByStart);
        var starts = markers.Select(m => m.Start).ToArray();
        var first = new long[markers.Count];
        var last = new long[markers.Count];
        var count = new int[markers.Count];
        Array.Fill(first, long.MaxValue);
        Array.Fill(last, long.MinValue);
        var gpu = trace.Gpu;
        for (var g = 0; g < gpu.Count; g++)
        {
            if (!gpu.IsActivity(g))
            {
                continue;
            }

            var k = StepContaining(starts, markers, gpu.Start[g]);
            if (k >= 0)
            {
                first[k] = Math.Min(first[k], gpu.Start[g]);
                last[k] = Math.Max(last[k], gpu.End(g));
                count[k]++;
            }
        }

        var steps = new List<Step>(markers.Count);
        for (var k = 0; k < markers.Count; k++)
        {
            var (number, name, start, duration) = markers[k];
            var any = count[k] > 0;
            steps.Add(new Step(number, trace.Strings[name], start, duration, any ? first[k] : null, any ? last[k] : null,
                any ? start : null, any ? start + duration : null, count[k])
            { OnDevice = true });
        }

        return steps;
    }

    /// <summary>Host step annotations mapped onto device time through the activities launched inside them.</summary>
    private static List<Step> FromHostSpans(RankTrace trace, List<(long Number, int Name, long Start, long Duration)> raw)
    {
        raw.Sort(ByStart);
        var cpu = trace.Cpu;

        // Device activity of each step: launched (runtime call starts) inside the step's host span.
        var first = new long[raw.Count];
        var last = new long[raw.Count];
        var count = new int[raw.Count];
        Array.Fill(first, long.MaxValue);
        Array.Fill(last, long.MinValue);
        var starts = raw.Select(r => r.Start).ToArray();
        var gpu = trace.Gpu;
        for (var g = 0; g < gpu.Count; g++)
        {
            var launcher = gpu.Launcher[g];
            if (launcher < 0 || !gpu.IsActivity(g))
            {
                continue;
            }

            var step = StepContaining(starts, raw, cpu.Start[launcher]);
            if (step < 0)
            {
                continue;
            }

            first[step] = Math.Min(first[step], gpu.Start[g]);
            last[step] = Math.Max(last[step], gpu.End(g));
            count[step]++;
        }

        var steps = new List<Step>(raw.Count);
        for (var k = 0; k < raw.Count; k++)
        {
            long? gs = count[k] > 0 ? first[k] : null;
            long? ge = count[k] > 0 ? last[k] : null;
            long? windowEnd = ge;
            if (gs is not null)
            {
                for (var next = k + 1; next < raw.Count; next++)
                {
                    if (count[next] > 0)
                    {
                        windowEnd = Math.Max(first[next], gs.Value);
                        break;
                    }
                }
            }

            steps.Add(new Step(raw[k].Number, trace.Strings[raw[k].Name], raw[k].Start, raw[k].Duration, gs, ge, gs, windowEnd, count[k]));
        }

        return steps;
    }

    private static int ByStart((long Number, int Name, long Start, long Duration) a, (long Number, int Name, long Start, long Duration) b) =>
        a.Start != b.Start ? a.Start.CompareTo(b.Start) : a.Number.CompareTo(b.Number);

    /// <summary>N of "ProfilerStep#N", or -1.</summary>
    public static long StepNumber(string name) =>
        name.StartsWith(Prefix, StringComparison.Ordinal)
        && long.TryParse(name.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1;

    private static int StepContaining(long[] starts, List<(long Number, int Name, long Start, long Duration)> raw, long time)
    {
        var idx = Array.BinarySearch(starts, time);
        if (idx < 0)
        {
            idx = ~idx - 1;
        }

        // Steps do not overlap in practice; check the closest earlier ones in case they do.
        for (var k = idx; k >= 0 && k > idx - 4; k--)
        {
            if (time >= raw[k].Start && time < raw[k].Start + raw[k].Duration)
            {
                return k;
            }
        }

        return -1;
    }
}
