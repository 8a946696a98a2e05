namespace Headroom.Analysis.Breakdown;

/// <summary>
/// Where device time went in one window. The five exclusive fields partition the window
/// (<c>Computation + Communication + Memcpy + Memset + Idle = Window</c>) by priority: any computation
/// running makes the moment computation; otherwise communication; otherwise copy; otherwise set.
/// So <see cref="CommunicationNs"/> is exposed communication (not hidden under any computation on any stream).
/// The <c>*TotalNs</c> fields are each class's own union, overlaps included.
/// </summary>
/// <param name="WindowStartNs">Window start, ns.</param>
/// <param name="WindowNs">Window length, ns.</param>
/// <param name="BusyNs">Union of all device activity, ns.</param>
/// <param name="ComputationNs">Time any computation ran.</param>
/// <param name="CommunicationNs">Time communication ran with no computation (exposed communication).</param>
/// <param name="MemcpyNs">Time a copy ran with no computation or communication.</param>
/// <param name="MemsetNs">Time a set ran with nothing else.</param>
/// <param name="IdleNs">Time no device activity ran.</param>
/// <param name="OtherNs">Time only HTA-type OTHER events (syncs on a stream) ran; always 0 outside <c>--hta-compatible</c>.</param>
/// <param name="CommunicationTotalNs">Union of communication.</param>
/// <param name="MemcpyTotalNs">Union of copies.</param>
/// <param name="MemsetTotalNs">Union of sets.</param>
/// <param name="CommunicationOverlappedNs">Communication hidden under computation.</param>
public sealed record GpuTimeBreakdown(long WindowStartNs, long WindowNs, long BusyNs, long ComputationNs, long CommunicationNs,
    long MemcpyNs, long MemsetNs, long IdleNs, long OtherNs, long CommunicationTotalNs, long MemcpyTotalNs, long MemsetTotalNs, long CommunicationOverlappedNs)
{
    /// <summary>Share of the window, 0..1.</summary>
    public double Share(long ns) => WindowNs > 0 ? (double)ns / WindowNs : 0;

    /// <summary>Percent of communication hidden under computation (HTA's comm/comp overlap); null without communication.</summary>
    public double? CommunicationOverlapPercent => CommunicationTotalNs > 0 ? 100.0 * CommunicationOverlappedNs / CommunicationTotalNs : null;
}

/// <summary>One row of HTA's kernel-type table: a combination of types and how long exactly that combination ran.</summary>
/// <param name="Type">"COMPUTATION", or e.g. "COMPUTATION overlapping COMMUNICATION".</param>
public sealed record KernelTypeTime(string Type, long Ns);

/// <summary>Computes <see cref="GpuTimeBreakdown"/> and the kernel-type overlap table over a window.</summary>
public static class GpuTimeBreakdownAnalysis
{
    private const int C = 1 << (int)ActivityClass.Computation;
    private const int N = 1 << (int)ActivityClass.Communication;
    private const int Cp = 1 << (int)ActivityClass.Memcpy;
    private const int S = 1 << (int)ActivityClass.Memset;
    private const int O = 1 << (int)ActivityClass.Other;

    /// <summary>The breakdown of <paramref name="activities"/> clipped to [start, end).</summary>
    public static GpuTimeBreakdown Compute(RankActivities activities, long start, long end) =>
        From(IntervalSweep.Run(activities.Intervals(start, end), start, end));

    /// <summary>The breakdown from a finished sweep.</summary>
    public static GpuTimeBreakdown From(IntervalSweep sweep) => new(
        sweep.WindowStart,
        sweep.WindowLength,
        sweep.Busy,
        sweep.Union((int)ActivityClass.Computation),
        sweep.Sum(m => (m & N) != 0 && (m & C) == 0),
        sweep.Sum(m => (m & Cp) != 0 && (m & (C | N)) == 0),
        sweep.Sum(m => (m & S) != 0 && (m & (C | N | Cp)) == 0),
        sweep.Idle,
        sweep.Sum(m => m == O),
        sweep.Union((int)ActivityClass.Communication),
        sweep.Union((int)ActivityClass.Memcpy),
        sweep.Union((int)ActivityClass.Memset),
        sweep.Together(C | N));

    /// <summary>HTA's kernel-type table: time of each exact combination of COMPUTATION, COMMUNICATION and MEMORY (copies and sets together).</summary>
    public static IReadOnlyList<KernelTypeTime> KernelTypes(IntervalSweep sweep)
    {
        var byCombination = new long[8];
        for (var m = 1; m < 32; m++)
        {
            var combo = ((m & C) != 0 ? 1 : 0) | ((m & N) != 0 ? 2 : 0) | ((m & (Cp | S)) != 0 ? 4 : 0);
            byCombination[combo] += sweep.Exactly(m);
        }

        var rows = new List<KernelTypeTime>();
        for (var combo = 1; combo < 8; combo++)
        {
            if (byCombination[combo] == 0)
            {
                continue;
            }

            var parts = new List<string>(3);
            if ((combo & 1) != 0) parts.Add("COMPUTATION");
            if ((combo & 2) != 0) parts.Add("COMMUNICATION");
            if ((combo & 4) != 0) parts.Add("MEMORY");
            rows.Add(new KernelTypeTime(string.Join(" overlapping ", parts), byCombination[combo]));
        }

        return rows;
    }
}
