namespace Headroom.Analysis;

/// <summary>
/// A union of half-open intervals [start, end) in ns, kept sorted and disjoint with running totals, so the covered
/// length of any query interval is two binary searches away. Immutable once built.
/// </summary>
public sealed class IntervalSet
{
    private readonly long[] _start, _end, _before; // _before[i]: total length of intervals 0..i-1

    private IntervalSet(long[] start, long[] end)
    {
        _start = start;
        _end = end;
        _before = new long[start.Length + 1];
        for (var i = 0; i < start.Length; i++)
        {
            _before[i + 1] = _before[i] + (end[i] - start[i]);
        }
    }

    /// <summary>
    /// Builds a set from intervals added in order of start (as <see cref="RankActivities"/> holds them), merging on the
    /// fly: no list of the raw intervals is kept.
    /// </summary>
    public sealed class Builder
    {
        private readonly List<long> _starts = [], _ends = [];

        /// <summary>Adds [start, end); starts must not decrease. Empty intervals are ignored.</summary>
        public void Add(long start, long end)
        {
            if (end <= start)
            {
                return;
            }

            if (_starts.Count > 0 && start < _starts[^1])
            {
                throw new ArgumentException("intervals must be added in order of start", nameof(start));
            }

            if (_ends.Count > 0 && start <= _ends[^1])
            {
                _ends[^1] = Math.Max(_ends[^1], end);
            }
            else
            {
                _starts.Add(start);
                _ends.Add(end);
            }
        }

        /// <summary>The set.</summary>
        public IntervalSet Build() => new([.. _starts], [.. _ends]);
    }

    /// <summary>An empty set.</summary>
    public static IntervalSet Empty { get; } = new([], []);

    /// <summary>Disjoint intervals in the set.</summary>
    public int Count => _start.Length;

    /// <summary>Total length, ns.</summary>
    public long Length => _before[^1];

    /// <summary>The union of <paramref name="intervals"/> (any order, overlaps allowed; empty or inverted ones ignored).</summary>
    public static IntervalSet Union(IEnumerable<(long Start, long End)> intervals)
    {
        ArgumentNullException.ThrowIfNull(intervals);
        var list = intervals.Where(i => i.End > i.Start).ToList();
        list.Sort((a, b) => a.Start.CompareTo(b.Start));
        var starts = new List<long>(list.Count);
        var ends = new List<long>(list.Count);
        foreach (var (s, e) in list)
        {
            if (ends.Count > 0 && s <= ends[^1])
            {
                ends[^1] = Math.Max(ends[^1], e);
            }
            else
            {
                starts.Add(s);
                ends.Add(e);
            }
        }

        return new IntervalSet([.. starts], [.. ends]);
    }

    /// <summary>
    /// The moments when at least two of <paramref name="sets"/> are active together. Each set is already a union (one
    /// per stream, say), so this is "covered by another set" seen from any one of them.
    /// </summary>
    public static IntervalSet AtLeastTwo(IReadOnlyList<IntervalSet> sets)
    {
        ArgumentNullException.ThrowIfNull(sets);

        // A k-way sweep over the sets' edges: memory O(k), not O(edges). Each set is disjoint, so it contributes at
        // most one to the count at any moment. Ends sort before starts at the same instant: touching is not overlapping.
        var queue = new PriorityQueue<int, (long Time, int IsStart)>(sets.Count);
        var next = new int[sets.Count];
        var inside = new bool[sets.Count];
        for (var k = 0; k < sets.Count; k++)
        {
            if (sets[k].Count > 0)
            {
                queue.Enqueue(k, (sets[k]._start[0], 1));
            }
        }

        var result = new Builder();
        var active = 0;
        long openedAt = 0;
        while (queue.TryDequeue(out var k, out var edge))
        {
            var set = sets[k];
            var before = active;
            if (inside[k])
            {
                active--;
                inside[k] = false;
                if (++next[k] < set.Count)
                {
                    queue.Enqueue(k, (set._start[next[k]], 1));
                }
            }
            else
            {
                active++;
                inside[k] = true;
                queue.Enqueue(k, (set._end[next[k]], 0));
            }

            if (before < 2 && active >= 2)
            {
                openedAt = edge.Time;
            }
            else if (before >= 2 && active < 2)
            {
                result.Add(openedAt, edge.Time);
            }
        }

        return result.Build();
    }

    /// <summary>Length of [<paramref name="start"/>, <paramref name="end"/>) covered by the set, ns.</summary>
    public long Covered(long start, long end)
    {
        if (end <= start || Count == 0)
        {
            return 0;
        }

        return Prefix(end) - Prefix(start);
    }

    /// <summary>Covered length of (-∞, t).</summary>
    private long Prefix(long t)
    {
        // First interval whose start is >= t: every interval before it starts before t.
        int lo = 0, hi = _start.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_start[mid] < t)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        if (lo == 0)
        {
            return 0;
        }

        var last = lo - 1;
        return _before[last] + (Math.Min(t, _end[last]) - _start[last]);
    }
}
