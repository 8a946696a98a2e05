namespace Headroom.Analysis;

/// <summary>A half-open time interval [Start, End) in ns, tagged with a class index (0..7).</summary>
public readonly record struct ClassedInterval(long Start, long End, int Class);

/// <summary>
/// One sweep over tagged intervals gives, for every combination of classes (a bit mask), how long
/// exactly that combination was active. Unions, exclusive times and overlaps are sums over masks.
/// </summary>
public sealed class IntervalSweep
{
    private readonly long[] _byMask;

    private IntervalSweep(long[] byMask, long windowStart, long windowEnd)
    {
        _byMask = byMask;
        WindowStart = windowStart;
        WindowEnd = windowEnd;
    }

    /// <summary>Window start, ns.</summary>
    public long WindowStart { get; }

    /// <summary>Window end, ns.</summary>
    public long WindowEnd { get; }

    /// <summary>Window length, ns.</summary>
    public long WindowLength => WindowEnd - WindowStart;

    /// <summary>Time during which exactly the classes in <paramref name="mask"/> were active.</summary>
    public long Exactly(int mask) => _byMask[mask];

    /// <summary>Time during which any class was active (the union).</summary>
    public long Busy => Sum(m => m != 0);

    /// <summary>Time with no class active.</summary>
    public long Idle => WindowLength - Busy;

    /// <summary>Union of one class.</summary>
    public long Union(int cls) => Sum(m => (m & (1 << cls)) != 0);

    /// <summary>Time when all classes of <paramref name="mask"/> are active together.</summary>
    public long Together(int mask) => Sum(m => (m & mask) == mask);

    /// <summary>Total over masks matching <paramref name="predicate"/>.</summary>
    public long Sum(Func<int, bool> predicate)
    {
        long total = 0;
        for (var m = 0; m < _byMask.Length; m++)
        {
            if (predicate(m))
            {
                total += _byMask[m];
            }
        }

        return total;
    }

    /// <summary>Sweeps <paramref name="intervals"/> clipped to [<paramref name="windowStart"/>, <paramref name="windowEnd"/>).</summary>
    public static IntervalSweep Run(IReadOnlyList<ClassedInterval> intervals, long windowStart, long windowEnd)
    {
        var byMask = new long[256];
        var points = new List<(long Time, int Delta, int Class)>(intervals.Count * 2);
        foreach (var iv in intervals)
        {
            var s = Math.Max(iv.Start, windowStart);
            var e = Math.Min(iv.End, windowEnd);
            if (e > s)
            {
                points.Add((s, 1, iv.Class));
                points.Add((e, -1, iv.Class));
            }
        }

        points.Sort((a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : a.Delta.CompareTo(b.Delta));
        Span<int> active = stackalloc int[8];
        var mask = 0;
        var last = windowStart;
        foreach (var (time, delta, cls) in points)
        {
            if (time > last)
            {
                byMask[mask] += time - last;
                last = time;
            }

            active[cls] += delta;
            mask = active[cls] > 0 ? mask | (1 << cls) : mask & ~(1 << cls);
        }

        if (windowEnd > last)
        {
            byMask[mask] += windowEnd - last;
        }

        return new IntervalSweep(byMask, windowStart, Math.Max(windowEnd, windowStart));
    }
}
