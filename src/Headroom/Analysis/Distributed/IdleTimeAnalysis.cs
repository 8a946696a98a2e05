using Headroom.Model;

namespace Headroom.Analysis.Distributed;

/// <summary>Why a stream sat idle between two consecutive device activities.</summary>
public enum IdleCategory
{
    /// <summary>The launch call of the next activity started after the previous activity ended: the device waited for the host.</summary>
    HostWait,
    /// <summary>Not host wait, and the gap is shorter than the threshold (30 µs): back-to-back launch overhead.</summary>
    KernelWait,
    /// <summary>Any other gap (e.g. waiting on another stream, an event, or a host synchronisation).</summary>
    Other,
}

/// <summary>The idle time of one category on one stream.</summary>
/// <param name="Category">The category.</param>
/// <param name="IdleNs">Sum of the category's gaps, ns (can be negative under HTA conventions, which keep negative gaps).</param>
/// <param name="Ratio">
/// <see cref="IdleNs"/> over the stream's <see cref="StreamIdleTime.IdleNs"/>, 0..1 (HTA's <c>idle_time_ratio</c>, unrounded).
/// When the stream has no idle time: NaN under HTA conventions, as HTA reports it; 0 under Headroom's.
/// </param>
/// <param name="Intervals">Statistics of the category's gaps (HTA's interval stats): count, mean, std, min, quartiles, max, in ns.</param>
public sealed record IdleCategoryTime(IdleCategory Category, long IdleNs, double Ratio, DurationStats Intervals);

/// <summary>The idle time of one device stream.</summary>
/// <param name="Device">Device index; -1 under HTA conventions when the stream's activities name several devices (HTA keys by stream only).</param>
/// <param name="Stream">Stream id.</param>
/// <param name="ActivityCount">Device activities on the stream.</param>
/// <param name="IdleNs">Sum of all the stream's gaps, ns.</param>
/// <param name="Categories">
/// Under Headroom's conventions always the three categories, in <see cref="IdleCategory"/> order (empty ones have count 0).
/// Under HTA conventions exactly HTA's rows: the categories that occur, in the same order, where <see cref="IdleCategory.Other"/>
/// always occurs because HTA files each stream's first activity there with a NaN gap (which adds nothing and is not counted).
/// </param>
public sealed record StreamIdleTime(int Device, int Stream, int ActivityCount, long IdleNs, IReadOnlyList<IdleCategoryTime> Categories)
{
    /// <summary>The row of <paramref name="category"/>, or null when the stream has none (HTA conventions only).</summary>
    public IdleCategoryTime? Get(IdleCategory category) => Categories.FirstOrDefault(c => c.Category == category);
}

/// <summary>The idle-time breakdown of one rank: per stream, per category.</summary>
/// <param name="Streams">
/// One row per stream with device activity. Headroom's conventions: ordered by device, then stream id.
/// HTA conventions: by the start of each stream's first activity. HTA lists streams by first appearance in its row order (file
/// order, regrouped by correlation id when its last-step filter runs), which the model does not keep; the approximation gives
/// HTA's order on 37 of the 42 reference ranks, and the values do not depend on it.
/// </param>
/// <param name="KernelWaitThresholdNs">Gaps shorter than this (and not host wait) are kernel wait: 30 µs, HTA's <c>consecutive_kernel_delay</c>.</param>
/// <param name="HtaConventions">True when computed under HTA's conventions.</param>
public sealed record IdleTimeResult(IReadOnlyList<StreamIdleTime> Streams, long KernelWaitThresholdNs, bool HtaConventions)
{
    /// <summary>Idle time of <paramref name="category"/> summed over streams, ns.</summary>
    public long IdleNs(IdleCategory category) => Streams.Sum(s => s.Get(category)?.IdleNs ?? 0);

    /// <summary>Idle time summed over streams and categories, ns.</summary>
    public long TotalIdleNs => Streams.Sum(s => s.IdleNs);
}

/// <summary>
/// Why each device stream of a rank sat idle (HTA's <c>get_idle_time_breakdown</c> with interval statistics). Per stream,
/// activities are taken in start order and each gap between consecutive ones is classified: <b>host wait</b> when the
/// launching runtime call of the later activity started after the stream's previous activity ended (the device had
/// nothing queued: it waited for the host); else <b>kernel wait</b> when the gap is under 30 µs; else <b>other</b>.
/// </summary>
/// <remarks>
/// <para><b>Headroom's conventions</b> (the default):</para>
/// <list type="bullet">
/// <item>Events: device activities (kernels, copies, sets) of <see cref="RankActivities"/>; a stream is a (device, stream) pair, since
/// stream ids repeat across devices (the default stream is 7 on each).</item>
/// <item>A gap is measured from the latest end so far on the stream, not only the previous activity's end, so an activity nested
/// inside a longer one does not open a spurious gap. Activities that overlap or touch the previous work on the stream
/// (gap ≤ 0: possible with clock skew or nested records) are not idle intervals: they add nothing and are not counted.</item>
/// <item>A stream's first activity has no gap and is counted nowhere.</item>
/// <item>Host wait compares the exact start of the activity's launcher (<see cref="GpuEventTable.Launcher"/>, any runtime or driver call).
/// An activity without a recorded launch (graph replays, GPU-only captures) can only be kernel wait or other. In a CUDA graph every kernel
/// shares the graph launch, which started before the previous kernel ended, so only the first kernel of a replay can be host wait.</item>
/// <item>The threshold is 30 µs, strict (a 30 µs gap is other), as in HTA.</item>
/// </list>
/// <para><b>HTA conventions</b> (<see cref="RankActivities.HtaConventions"/>) reproduce HTA 0.6.1 exactly:</para>
/// <list type="bullet">
/// <item>Events: device activities with a stream (HTA's categories kernel/Kernel/gpu_memcpy/Memcpy/gpu_memset/Memset/mtia_ccp_events);
/// not <c>cuda_sync</c> events and not host ops with a stream, although HTA counts both as GPU time elsewhere; HTA's rounding and
/// last-step filter as applied by <see cref="RankActivities.Select"/>. Streams are keyed by stream id alone.</item>
/// <item>Per stream, a stable sort by (rounded) start; the gap is start minus the previous activity's end; negative gaps are kept.</item>
/// <item>The first activity of each stream is an "other" row with a NaN gap: it adds nothing and is not counted, but the row exists.</item>
/// <item>Host wait compares the rounded start of the last host row sharing the activity's correlation id (HTA's <c>index_correlation</c>);
/// an activity whose correlation id no host row has is compared with the file's first event, as HTA does (its <c>index_correlation</c>
/// stays 0); the model keeps no file order, so Headroom takes the first host event of the first host thread seen.</item>
/// </list>
/// </remarks>
public static class IdleTimeAnalysis
{
    /// <summary>Gaps shorter than this are kernel wait (HTA's <c>consecutive_kernel_delay</c> = 30, in µs).</summary>
    public const long KernelWaitThresholdNs = 30_000;

    /// <summary>The idle-time breakdown of <paramref name="activities"/>.</summary>
    public static IdleTimeResult Compute(RankActivities activities)
    {
        var hta = activities.HtaConventions;
        var trace = activities.Trace;
        var gpu = trace.Gpu;

        // Streams in order of first appearance in start order; activities of each stream in start order.
        var streams = new Dictionary<(int Device, int Stream), List<int>>();
        var devices = new Dictionary<(int Device, int Stream), int>();
        for (var i = 0; i < activities.Count; i++)
        {
            var e = activities.Event[i];
            if (e < 0 || !gpu.IsActivity(e) || (hta && gpu.Stream[e] == -1))
            {
                continue;
            }

            var key = hta ? (-1, gpu.Stream[e]) : (gpu.Device[e], gpu.Stream[e]);
            if (!streams.TryGetValue(key, out var list))
            {
                list = [];
                streams[key] = list;
                devices[key] = gpu.Device[e];
            }
            else if (devices[key] != gpu.Device[e])
            {
                devices[key] = -1;
            }

            list.Add(i);
        }

        var launchStart = hta ? HtaLaunchStarts(activities) : null;
        var keys = hta ? streams.Keys.ToList() : [.. streams.Keys.Order()];
        var rows = new List<StreamIdleTime>(keys.Count);
        foreach (var key in keys)
        {
            var members = streams[key];
            rows.Add(hta
                ? HtaStream(activities, members, devices[key], key.Stream, launchStart!)
                : HeadroomStream(activities, members, devices[key], key.Stream));
        }

        return new IdleTimeResult(rows, KernelWaitThresholdNs, hta);
    }

    private static StreamIdleTime HeadroomStream(RankActivities activities, List<int> members, int device, int stream)
    {
        var trace = activities.Trace;
        var gpu = trace.Gpu;
        var gaps = new[] { new List<long>(), new List<long>(), new List<long>() };
        var busyUntil = long.MinValue;
        foreach (var i in members)
        {
            var start = activities.Start[i];
            var end = activities.End[i];
            if (busyUntil != long.MinValue && start > busyUntil)
            {
                var launcher = gpu.Launcher[activities.Event[i]];
                var gap = start - busyUntil;
                var category = launcher >= 0 && trace.Cpu.Start[launcher] > busyUntil ? IdleCategory.HostWait
                    : gap < KernelWaitThresholdNs ? IdleCategory.KernelWait
                    : IdleCategory.Other;
                gaps[(int)category].Add(gap);
            }

            busyUntil = Math.Max(busyUntil, end);
        }

        var total = gaps.Sum(g => g.Sum());
        var categories = new IdleCategoryTime[3];
        for (var c = 0; c < 3; c++)
        {
            var stats = DurationStats.Of(gaps[c]);
            categories[c] = new IdleCategoryTime((IdleCategory)c, stats.TotalNs, total > 0 ? (double)stats.TotalNs / total : 0, stats);
        }

        return new StreamIdleTime(device, stream, members.Count, total, categories);
    }

    private static StreamIdleTime HtaStream(RankActivities activities, List<int> members, int device, int stream, Func<int, long?> launchStart)
    {
        var gaps = new[] { new List<long>(), new List<long>(), new List<long>() };
        var present = new bool[3];
        long? previousEnd = null;

        // RankActivities is sorted by (rounded start, selection order): HTA's stable sort by ts within the stream.
        foreach (var i in members)
        {
            if (previousEnd is not long prev)
            {
                present[(int)IdleCategory.Other] = true;
            }
            else
            {
                var gap = activities.Start[i] - prev;
                var category = launchStart(i) is long runtime && runtime > prev ? IdleCategory.HostWait
                    : gap < KernelWaitThresholdNs ? IdleCategory.KernelWait
                    : IdleCategory.Other;
                gaps[(int)category].Add(gap);
                present[(int)category] = true;
            }

            previousEnd = activities.End[i];
        }

        var total = gaps.Sum(g => g.Sum());
        var categories = new List<IdleCategoryTime>(3);
        for (var c = 0; c < 3; c++)
        {
            if (present[c])
            {
                var stats = DurationStats.Of(gaps[c]);
                categories.Add(new IdleCategoryTime((IdleCategory)c, stats.TotalNs, total != 0 ? (double)stats.TotalNs / total : double.NaN, stats));
            }
        }

        return new StreamIdleTime(device, stream, members.Count, total, categories);
    }

    /// <summary>
    /// HTA's <c>ts_runtime</c> of activity i: the (rounded) start of the row whose file position is the activity's
    /// <c>index_correlation</c>, i.e. the last host row with the activity's correlation id. HTA looks the row up among the rows
    /// kept by its last-step filter; a device row is kept only when a kept host row shares its correlation id, and correlation
    /// ids are unique per host call, so that row is always kept.
    /// </summary>
    /// <remarks>
    /// HTA quirk: a device row with a correlation id that no host row has keeps <c>index_correlation</c> = 0, so it is compared
    /// with the first event of the file (when that event has a duration and a category). The model does not keep file order;
    /// Headroom uses the first host event of the first host thread seen (<c>Cpu[0]</c>), which is that event when the file starts
    /// with host events, as PyTorch's Kineto files do. Under the last-step filter such device rows are dropped anyway.
    /// (param-v100-dlrm-8rank ranks 1 and 3 have 64 such kernels; the file's first event starts late, so HTA calls them host wait.)
    /// </remarks>
    private static Func<int, long?> HtaLaunchStarts(RankActivities activities)
    {
        var trace = activities.Trace;
        var round = trace.TimestampsWrittenAsFloats;
        var byCorrelation = HostCalls.ByCorrelation(trace);
        long? firstRow = trace.Cpu.Count > 0 ? HostCalls.Span(trace, 0, round).Start : null;
        return i =>
        {
            var correlation = trace.Gpu.Correlation[activities.Event[i]];
            if (correlation < 0)
            {
                return null;
            }

            return byCorrelation.TryGetValue(correlation, out var rows) ? HostCalls.Span(trace, rows[^1], round).Start : firstRow;
        };
    }
}
