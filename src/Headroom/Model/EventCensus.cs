namespace Headroom.Model;

/// <summary>What became of the events of one category and phase.</summary>
public enum EventDisposition
{
    /// <summary>Kept as a host-side event.</summary>
    Cpu,
    /// <summary>Kept as a device-side event.</summary>
    Gpu,
    /// <summary>A flow endpoint (s/t/f) used to link launches to device work.</summary>
    Flow,
    /// <summary>A metadata event (ph M): process and thread names.</summary>
    Metadata,
    /// <summary>An instant event (ph i/I), counted, e.g. memory allocation records.</summary>
    Instant,
    /// <summary>A counter sample (ph C), counted.</summary>
    Counter,
    /// <summary>The profiler's own span (cat Trace) covering the capture window.</summary>
    TraceSpan,
    /// <summary>Not usable; a diagnostic says why.</summary>
    Dropped,
    /// <summary>Counted, not analysed: an XPlane line that summarises other events (XLA Modules and Ops over GPU kernels) or that Headroom does not map.</summary>
    Derived,
}

/// <summary>One row of the census: events with this phase and category, and what became of them.</summary>
public sealed record CensusRow(string Phase, string Category, EventDisposition Disposition, long Count);

/// <summary>
/// Every event read from a trace is counted in exactly one row, so that nothing is dropped silently:
/// <see cref="Total"/> equals the number of objects in <c>traceEvents</c>.
/// </summary>
public sealed record EventCensus(IReadOnlyList<CensusRow> Rows)
{
    /// <summary>All events.</summary>
    public long Total => Rows.Sum(r => r.Count);

    /// <summary>Events with the given disposition.</summary>
    public long Count(EventDisposition disposition) => Rows.Where(r => r.Disposition == disposition).Sum(r => r.Count);
}
