using Headroom.Model;

namespace Headroom.Analysis.Distributed;

/// <summary>One device activity and the host call that launched it (a row of HTA's <c>cuda_kernel_launch_stats</c>). Times in ns.</summary>
/// <param name="Correlation">The correlation id shared by the call and the activity.</param>
/// <param name="Event">The activity, as <see cref="RankActivities.Event"/>: an index into <see cref="RankTrace.Gpu"/> (under HTA conventions, ~index into <see cref="RankTrace.Cpu"/> for a host op HTA counts as GPU work).</param>
/// <param name="Launcher">Index into <see cref="RankTrace.Cpu"/> of the launch call.</param>
/// <param name="Kind">What the call launches.</param>
/// <param name="CpuDurationNs">Duration of the launch call (HTA's <c>cpu_duration</c>).</param>
/// <param name="GpuDurationNs">Duration of the activity (HTA's <c>gpu_duration</c>); can be negative under HTA's rounding.</param>
/// <param name="LaunchDelayNs">max(activity start − call end, 0) (HTA's <c>launch_delay</c>): how long the work waited after the call returned.</param>
/// <param name="GpuStartNs">Start of the activity.</param>
/// <param name="FirstOfLaunch">True for the earliest activity of its launch call: every row of a plain launch, only the first activity of a graph replay.</param>
/// <param name="LaunchBound">True when the device work of the call (all its activities) took less time than the call itself.</param>
public readonly record struct LaunchRow(long Correlation, int Event, int Launcher, LaunchCallKind Kind, long CpuDurationNs, long GpuDurationNs,
    long LaunchDelayNs, long GpuStartNs, bool FirstOfLaunch, bool LaunchBound);

/// <summary>A row singled out as an outlier, with the names a report needs.</summary>
/// <param name="Row">The row.</param>
/// <param name="Name">The activity's name (kernel, copy, set).</param>
/// <param name="Call">The launch call's name, e.g. <c>cudaLaunchKernel</c>.</param>
public sealed record LaunchOutlier(LaunchRow Row, string Name, string Call);

/// <summary>Summary of a rank's launches. Durations in ns; statistics use numpy's linear quantiles.</summary>
/// <param name="Count">Rows (device activities with a recognised launch call).</param>
/// <param name="LaunchCalls">Distinct launch calls (a graph replay is one call with many rows).</param>
/// <param name="CpuDuration">Launch call durations, one value per call.</param>
/// <param name="GpuDuration">Device durations, one value per row.</param>
/// <param name="LaunchDelay">Launch delays, one value per call: the delay to its first activity (later activities of a graph replay wait for the graph's own work, not for the launch).</param>
/// <param name="LaunchBoundCount">Rows whose call was launch-bound: the device work took less time than the call that launched it.</param>
/// <param name="LaunchBoundShare">LaunchBoundCount / Count, 0..1 (0 when there are no rows).</param>
/// <param name="LaunchBoundGpuNs">Device time of those rows, ns.</param>
/// <param name="UnrecognisedLaunchActivities">Activities whose recorded launcher is not a recognised launch call (synchronous copies, <c>recordEvent</c>, and under HTA conventions every HIP or driver launch), left out of the rows.</param>
public sealed record LaunchSummary(int Count, int LaunchCalls, DurationStats CpuDuration, DurationStats GpuDuration, DurationStats LaunchDelay,
    int LaunchBoundCount, double LaunchBoundShare, long LaunchBoundGpuNs, int UnrecognisedLaunchActivities);

/// <summary>Launch-delay outliers, over the first activity of each launch call.</summary>
/// <param name="TopDelays">The (up to) 10 longest launch delays, longest first; rows with no delay are not listed.</param>
/// <param name="FenceNs">Tukey's far-out fence: Q3 + 3 × max(IQR, 1 µs) of the launch delays (NaN without rows). The 1 µs floor keeps a trace whose delays are nearly all 0 from flagging every 1 µs delay.</param>
/// <param name="Count">Launch calls whose delay is above the fence.</param>
/// <param name="DelayNs">Sum of those delays, ns.</param>
public sealed record LaunchOutliers(IReadOnlyList<LaunchOutlier> TopDelays, double FenceNs, int Count, long DelayNs);

/// <summary>Launch statistics of one rank.</summary>
/// <param name="Rows">One row per device activity with a recognised launch call, in the activities' start order (HTA orders by correlation; compare as a set).</param>
/// <param name="Summary">Counts, distributions, launch-bound share.</param>
/// <param name="Outliers">Longest and out-of-fence launch delays.</param>
/// <param name="HtaConventions">True when computed under HTA's conventions.</param>
public sealed record LaunchResult(IReadOnlyList<LaunchRow> Rows, LaunchSummary Summary, LaunchOutliers Outliers, bool HtaConventions);

/// <summary>
/// How long the host took to launch each device activity and how long the activity waited after the launch returned
/// (HTA's <c>get_cuda_kernel_launch_stats</c>), with a summary that finds launch-bound work: device work shorter than the call
/// that launched it, where the host cannot keep the device busy however the work is scheduled.
/// </summary>
/// <remarks>
/// <para><b>Headroom's conventions</b> (the default): every device activity of <see cref="RankActivities"/> whose launcher
/// (<see cref="GpuEventTable.Launcher"/>) is a launch call that <see cref="LaunchCalls.Classify"/> recognises: CUDA runtime and driver,
/// HIP (so AMD traces have rows), MTIA, asynchronous copies and sets, graph launches. Times are exact ns.</para>
/// <para><b>HTA conventions</b> reproduce HTA 0.6.1: the calls are exactly <see cref="LaunchCalls.HtaNames"/> (no <c>cuLaunchKernel</c>,
/// no HIP: AMD traces give no rows); every host row without a stream that shares a correlation id with such a call is joined to every
/// device row with a stream sharing it (HTA's inner join; in practice one call, one activity); times are HTA's rounded ones;
/// the device rows are those <see cref="RankActivities.Select"/> kept (its last-step filter), which for host rows is equivalent as long as
/// correlation ids are unique per call.</para>
/// </remarks>
public static class LaunchAnalysis
{
    /// <summary>Rows listed in <see cref="LaunchOutliers.TopDelays"/>.</summary>
    public const int TopDelayCount = 10;

    /// <summary>Floor on the IQR of the outlier fence, ns.</summary>
    public const long MinimumFenceIqrNs = 1_000;

    /// <summary>The launch statistics of <paramref name="activities"/>.</summary>
    /// <param name="keepRows">Keep one <see cref="LaunchRow"/> per activity in <see cref="LaunchResult.Rows"/>; without them the
    /// summary and outliers are computed from plain columns, which is what a large trace wants.</param>
    public static LaunchResult Compute(RankActivities activities, bool keepRows = true)
    {
        var (pairs, unrecognised) = activities.HtaConventions ? HtaPairs(activities) : HeadroomPairs(activities);
        var trace = activities.Trace;
        var round = activities.HtaConventions && trace.TimestampsWrittenAsFloats;

        // Per launch call (pairs grouped by launcher): its earliest activity and the device time of all its activities.
        var byLauncher = new int[pairs.Count];
        for (var k = 0; k < byLauncher.Length; k++)
        {
            byLauncher[k] = k;
        }

        Array.Sort(byLauncher, (a, b) => pairs[a].Launcher != pairs[b].Launcher ? pairs[a].Launcher.CompareTo(pairs[b].Launcher) : a.CompareTo(b));
        var isFirst = new bool[pairs.Count];
        var isBound = new bool[pairs.Count];
        var callStart = new long[pairs.Count];
        var callEnd = new long[pairs.Count];
        var calls = 0;
        for (var g = 0; g < byLauncher.Length;)
        {
            var launcher = pairs[byLauncher[g]].Launcher;
            var end = g;
            long gpuNs = 0;
            var first = byLauncher[g];
            while (end < byLauncher.Length && pairs[byLauncher[end]].Launcher == launcher)
            {
                var k = byLauncher[end];
                var i = pairs[k].Activity;
                gpuNs += activities.End[i] - activities.Start[i];
                if (activities.Start[i] < activities.Start[pairs[first].Activity])
                {
                    first = k;
                }

                end++;
            }

            var (cpuStart, cpuEnd) = HostCalls.Span(trace, launcher, round);
            for (var m = g; m < end; m++)
            {
                isBound[byLauncher[m]] = gpuNs < cpuEnd - cpuStart;
                callStart[byLauncher[m]] = cpuStart;
                callEnd[byLauncher[m]] = cpuEnd;
            }

            isFirst[first] = true;
            calls++;
            g = end;
        }

        var rows = keepRows ? new List<LaunchRow>(pairs.Count) : [];
        var firstCount = isFirst.Count(f => f);
        var cpuDurations = new long[firstCount];
        var delays = new long[firstCount];
        var gpuDurations = new long[pairs.Count];
        var firstRows = new List<(int Pair, long Delay, long GpuStart)>(firstCount);
        var f = 0;
        var boundCount = 0;
        long boundGpuNs = 0;
        for (var k = 0; k < pairs.Count; k++)
        {
            var i = pairs[k].Activity;
            var (cpuStart, cpuEnd) = (callStart[k], callEnd[k]);
            var gpu = activities.End[i] - activities.Start[i];
            var delay = Math.Max(activities.Start[i] - cpuEnd, 0);
            gpuDurations[k] = gpu;
            if (isBound[k])
            {
                boundCount++;
                boundGpuNs += gpu;
            }

            if (isFirst[k])
            {
                cpuDurations[f] = cpuEnd - cpuStart;
                delays[f++] = delay;
                firstRows.Add((k, delay, activities.Start[i]));
            }

            if (keepRows)
            {
                rows.Add(Row(activities, pairs[k], cpuStart, cpuEnd, isFirst[k], isBound[k]));
            }
        }

        var summary = new LaunchSummary(pairs.Count, calls, DurationStats.Of(cpuDurations), DurationStats.Of(gpuDurations), DurationStats.Of(delays),
            boundCount, pairs.Count > 0 ? (double)boundCount / pairs.Count : 0, boundGpuNs, unrecognised);
        return new LaunchResult(rows, summary, Outliers(activities, pairs, firstRows, isBound, callStart, callEnd, summary.LaunchDelay),
            activities.HtaConventions);
    }

    private static LaunchRow Row(RankActivities activities, (int Activity, int Launcher, LaunchCallKind Kind) pair, long cpuStart, long cpuEnd,
        bool first, bool bound)
    {
        var trace = activities.Trace;
        var i = pair.Activity;
        var e = activities.Event[i];
        var correlation = e >= 0 ? trace.Gpu.Correlation[e] : trace.Cpu.Correlation[~e];
        return new LaunchRow(correlation, e, pair.Launcher, pair.Kind, cpuEnd - cpuStart, activities.End[i] - activities.Start[i],
            Math.Max(activities.Start[i] - cpuEnd, 0), activities.Start[i], first, bound);
    }

    private static LaunchOutliers Outliers(RankActivities activities, List<(int Activity, int Launcher, LaunchCallKind Kind)> pairs,
        List<(int Pair, long Delay, long GpuStart)> first, bool[] isBound, long[] callStart, long[] callEnd, DurationStats delay)
    {
        var trace = activities.Trace;
        var top = first.Where(r => r.Delay > 0).OrderByDescending(r => r.Delay).ThenBy(r => r.GpuStart).Take(TopDelayCount)
            .Select(r =>
            {
                var row = Row(activities, pairs[r.Pair], callStart[r.Pair], callEnd[r.Pair], true, isBound[r.Pair]);
                return new LaunchOutlier(row, ActivityName(trace, row.Event), trace.Strings[trace.Cpu.Name[row.Launcher]]);
            }).ToList();
        if (delay.Count == 0)
        {
            return new LaunchOutliers(top, double.NaN, 0, 0);
        }

        var fence = delay.P75Ns + (3 * Math.Max(delay.P75Ns - delay.P25Ns, MinimumFenceIqrNs));
        var above = first.Where(r => r.Delay > fence).ToList();
        return new LaunchOutliers(top, fence, above.Count, above.Sum(r => r.Delay));
    }

    private static string ActivityName(RankTrace trace, int e) => trace.Strings[e >= 0 ? trace.Gpu.Name[e] : trace.Cpu.Name[~e]];

    /// <summary>Headroom's pairs: each device activity with its recorded launcher, when that is a recognised launch call.</summary>
    private static (List<(int Activity, int Launcher, LaunchCallKind Kind)> Pairs, int Unrecognised) HeadroomPairs(RankActivities activities)
    {
        var trace = activities.Trace;
        var gpu = trace.Gpu;
        var kinds = new Dictionary<int, LaunchCallKind?>();
        var pairs = new List<(int, int, LaunchCallKind)>(activities.Count);
        var unrecognised = 0;
        for (var i = 0; i < activities.Count; i++)
        {
            var e = activities.Event[i];
            if (e < 0 || !gpu.IsActivity(e) || gpu.Launcher[e] < 0)
            {
                continue;
            }

            var launcher = gpu.Launcher[e];
            var name = trace.Cpu.Name[launcher];
            if (!kinds.TryGetValue(name, out var kind))
            {
                kind = LaunchCalls.Classify(trace.Strings[name]);
                kinds[name] = kind;
            }

            if (kind is LaunchCallKind k)
            {
                pairs.Add((i, launcher, k));
            }
            else
            {
                unrecognised++;
            }
        }

        return (pairs, unrecognised);
    }

    /// <summary>
    /// HTA's pairs: correlation ids of the calls named in <see cref="LaunchCalls.HtaNames"/>; every host row without a stream sharing such
    /// an id, joined with every device row with a stream (all of <see cref="RankActivities"/> under HTA conventions) sharing it.
    /// </summary>
    private static (List<(int Activity, int Launcher, LaunchCallKind Kind)> Pairs, int Unrecognised) HtaPairs(RankActivities activities)
    {
        var trace = activities.Trace;
        var byCorrelation = HostCalls.ByCorrelation(trace);
        var kinds = new Dictionary<int, LaunchCallKind?>();
        LaunchCallKind? KindOf(int cpuIndex)
        {
            var name = trace.Cpu.Name[cpuIndex];
            if (!kinds.TryGetValue(name, out var kind))
            {
                kind = LaunchCalls.ClassifyHta(trace.Strings[name]);
                kinds[name] = kind;
            }

            return kind;
        }

        var pairs = new List<(int, int, LaunchCallKind)>(activities.Count);
        var unrecognised = 0;
        for (var i = 0; i < activities.Count; i++)
        {
            var e = activities.Event[i];
            var correlation = e >= 0 ? trace.Gpu.Correlation[e] : trace.Cpu.Correlation[~e];
            if (correlation < 0 || !byCorrelation.TryGetValue(correlation, out var hosts))
            {
                continue;
            }

            // The id qualifies when any host row with it is a recognised call; each host row then joins, named by the recognised one.
            LaunchCallKind? kind = null;
            foreach (var h in hosts)
            {
                kind ??= KindOf(h);
            }

            if (kind is not LaunchCallKind k)
            {
                if (e >= 0 && trace.Gpu.IsActivity(e))
                {
                    unrecognised++;
                }

                continue;
            }

            foreach (var h in hosts)
            {
                pairs.Add((i, h, k));
            }
        }

        return (pairs, unrecognised);
    }
}
