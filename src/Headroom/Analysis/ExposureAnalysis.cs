namespace Headroom.Analysis;

/// <summary>
/// How much of each device activity the step would actually lose if the activity were faster: its <b>exposed</b> time,
/// the part during which no activity on another stream of the rank runs. Time hidden by overlap (another stream busy at
/// the same moment) is not a saving of the step. Also the union of computation, for "communication not hidden under
/// computation".
/// </summary>
/// <param name="ExposedNs">Per activity of <see cref="RankActivities"/> (same index): the exposed part of it inside the window, ns.</param>
/// <param name="Computation">Union of the computation-class activities inside the window.</param>
public sealed record Exposure(long[] ExposedNs, IntervalSet Computation)
{
    /// <summary>The exposed time of activity <paramref name="i"/>, ns.</summary>
    public long Of(int i) => ExposedNs[i];
}

/// <summary>Computes <see cref="Exposure"/>: per stream unions, then the moments two or more streams are busy.</summary>
public static class ExposureAnalysis
{
    /// <summary>Exposure of the activities of <paramref name="activities"/> clipped to [<paramref name="start"/>, <paramref name="end"/>).</summary>
    public static Exposure Compute(RankActivities activities, long start, long end)
    {
        ArgumentNullException.ThrowIfNull(activities);
        var gpu = activities.Trace.Gpu;
        var events = activities.Event;
        var starts = activities.Start;
        var ends = activities.End;
        var classes = activities.Class;
        // Activities are sorted by start, and clipping to the window keeps that order: merge per stream on the fly.
        var perStream = new Dictionary<(int Device, int Stream), IntervalSet.Builder>();
        var computation = new IntervalSet.Builder();
        for (var i = 0; i < activities.Count; i++)
        {
            var s = Math.Max(start, starts[i]);
            var e = Math.Min(end, ends[i]);
            if (e <= s)
            {
                continue;
            }

            var g = events[i];
            var key = g >= 0 ? (gpu.Device[g], gpu.Stream[g]) : (-2, ~g); // host events with a stream (HTA mode): a stream of their own
            if (!perStream.TryGetValue(key, out var builder))
            {
                builder = new IntervalSet.Builder();
                perStream[key] = builder;
            }

            builder.Add(s, e);
            if (classes[i] == ActivityClass.Computation)
            {
                computation.Add(s, e);
            }
        }

        var shared = IntervalSet.AtLeastTwo([.. perStream.Values.Select(b => b.Build())]);
        var exposed = new long[activities.Count];
        for (var i = 0; i < activities.Count; i++)
        {
            var s = Math.Max(start, starts[i]);
            var e = Math.Min(end, ends[i]);
            exposed[i] = e <= s ? 0 : e - s - shared.Covered(s, e);
        }

        return new Exposure(exposed, computation.Build());
    }
}
