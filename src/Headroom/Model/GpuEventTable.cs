namespace Headroom.Model;

/// <summary>
/// Device-side events of one rank (kernels, copies, sets, GPU annotations), column by column,
/// sorted by start time then longest first. Times are int64 nanoseconds on the rank's clock.
/// </summary>
public sealed class GpuEventTable
{
    private readonly long[] _start, _duration, _correlation, _externalId;
    private readonly int[] _name, _device, _stream, _launcher, _op, _collective;
    private readonly GpuEventKind[] _kind;

    internal GpuEventTable(long[] start, long[] duration, int[] name, GpuEventKind[] kind, int[] device, int[] stream,
        long[] correlation, long[] externalId, int[] launcher, int[] op, int[] collective)
    {
        _start = start; _duration = duration; _name = name; _kind = kind; _device = device; _stream = stream;
        _correlation = correlation; _externalId = externalId; _launcher = launcher; _op = op; _collective = collective;
    }

    /// <summary>Number of events.</summary>
    public int Count => _start.Length;
    /// <summary>Start, ns.</summary>
    public ReadOnlySpan<long> Start => _start;
    /// <summary>Duration, ns (never negative).</summary>
    public ReadOnlySpan<long> Duration => _duration;
    /// <summary>Kernel or activity name: id into <see cref="RankTrace.Strings"/>.</summary>
    public ReadOnlySpan<int> Name => _name;
    /// <summary>Normalised kind.</summary>
    public ReadOnlySpan<GpuEventKind> Kind => _kind;
    /// <summary>Device index as the trace gives it (<c>args.device</c>, else <c>pid</c>); -1 when unknown.</summary>
    public ReadOnlySpan<int> Device => _device;
    /// <summary>Stream (queue) id: <c>args.stream</c> when the event has one (-1 when it is not a number); else the event's <c>tid</c>, except for syncs; -1 when unknown.</summary>
    public ReadOnlySpan<int> Stream => _stream;
    /// <summary>Correlation id shared with the launching runtime call; -1 when none.</summary>
    public ReadOnlySpan<long> Correlation => _correlation;
    /// <summary>Profiler external id; -1 when none.</summary>
    public ReadOnlySpan<long> ExternalId => _externalId;
    /// <summary>Index into <see cref="RankTrace.Cpu"/> of the runtime call that launched this activity; -1 when none was recorded.</summary>
    public ReadOnlySpan<int> Launcher => _launcher;
    /// <summary>Index into <see cref="RankTrace.Cpu"/> of the innermost CPU op enclosing the launcher; -1 when none.</summary>
    public ReadOnlySpan<int> Op => _op;
    /// <summary>Index into <see cref="RankTrace.Collectives"/> for communication activity; -1 otherwise.</summary>
    public ReadOnlySpan<int> Collective => _collective;

    /// <summary>End (start + duration) of event <paramref name="i"/>, ns.</summary>
    public long End(int i) => _start[i] + _duration[i];

    /// <summary>True for device work (kernels, copies, sets), false for syncs, annotations and profiler ranges.</summary>
    public bool IsActivity(int i) => _kind[i] <= GpuEventKind.Memset;

    /// <summary>Approximate bytes held by the columns.</summary>
    public long ColumnBytes => (long)Count * (4 * sizeof(long) + 6 * sizeof(int) + 1);
}
