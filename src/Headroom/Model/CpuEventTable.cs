namespace Headroom.Model;

/// <summary>
/// Host-side complete events of one rank, column by column (struct of arrays), sorted by
/// thread, then start time, then longest first (an enclosing event precedes what it encloses).
/// Times are int64 nanoseconds on the rank's clock; docs/model.md lists every column and unit.
/// </summary>
public sealed class CpuEventTable
{
    private readonly long[] _start, _duration, _correlation, _externalId;
    private readonly int[] _name, _category, _thread, _parent, _args;
    private readonly CpuEventKind[] _kind;

    internal CpuEventTable(long[] start, long[] duration, int[] name, int[] category, CpuEventKind[] kind,
        int[] thread, long[] correlation, long[] externalId, int[] parent, int[] args)
    {
        _start = start; _duration = duration; _name = name; _category = category; _kind = kind;
        _thread = thread; _correlation = correlation; _externalId = externalId; _parent = parent; _args = args;
    }

    /// <summary>Number of events.</summary>
    public int Count => _start.Length;
    /// <summary>Start, ns.</summary>
    public ReadOnlySpan<long> Start => _start;
    /// <summary>Duration, ns (never negative).</summary>
    public ReadOnlySpan<long> Duration => _duration;
    /// <summary>Event name: id into <see cref="RankTrace.Strings"/>.</summary>
    public ReadOnlySpan<int> Name => _name;
    /// <summary>The trace's own category text (<c>cat</c>): string id.</summary>
    public ReadOnlySpan<int> Category => _category;
    /// <summary>Normalised kind.</summary>
    public ReadOnlySpan<CpuEventKind> Kind => _kind;
    /// <summary>Index into <see cref="RankTrace.Threads"/>.</summary>
    public ReadOnlySpan<int> Thread => _thread;
    /// <summary>Runtime correlation id linking a launch to its device activity; -1 when none.</summary>
    public ReadOnlySpan<long> Correlation => _correlation;
    /// <summary>Profiler external id (links ops, runtime calls and kernels); -1 when none.</summary>
    public ReadOnlySpan<long> ExternalId => _externalId;
    /// <summary>Index of the innermost enclosing <see cref="CpuEventKind.Op"/> on the same thread; -1 at top level.</summary>
    public ReadOnlySpan<int> Parent => _parent;
    /// <summary>Index into <see cref="RankTrace.OpArgs"/>; -1 when the event recorded no arguments of interest.</summary>
    public ReadOnlySpan<int> Args => _args;

    /// <summary>End (start + duration) of event <paramref name="i"/>, ns.</summary>
    public long End(int i) => _start[i] + _duration[i];

    /// <summary>Approximate bytes held by the columns.</summary>
    public long ColumnBytes => (long)Count * (4 * sizeof(long) + 5 * sizeof(int) + 1);
}
