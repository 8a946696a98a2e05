namespace Headroom.Analysis.Opportunities;

/// <summary>What limits the time an opportunity would save.</summary>
public enum HeadroomBound
{
    /// <summary>Arithmetic: the op is below its compute ceiling.</summary>
    Compute,

    /// <summary>Memory traffic: the op is below its bandwidth ceiling, or copies are exposed.</summary>
    Memory,

    /// <summary>Kernels too short to approach either ceiling: launch and ramp-up dominate.</summary>
    Latency,

    /// <summary>Communication not hidden under computation.</summary>
    Communication,

    /// <summary>The device waited for the host.</summary>
    Host,

    /// <summary>Ranks wait for a slower rank.</summary>
    Imbalance,
}

/// <summary>The rule that found an opportunity.</summary>
public enum HeadroomKind
{
    /// <summary>No stream of the device was busy.</summary>
    DeviceIdle,

    /// <summary>A collective's time not hidden under computation.</summary>
    ExposedCommunication,

    /// <summary>Copies and sets with nothing else running.</summary>
    ExposedCopy,

    /// <summary>One op signature below its roofline ceiling.</summary>
    BelowRoofline,

    /// <summary>Ops whose kernels are shorter than the latency threshold.</summary>
    ShortKernels,

    /// <summary>Back-to-back elementwise, reduction or norm kernels on one stream that one fused kernel could replace.</summary>
    FusionChain,

    /// <summary>A rank the others wait for in collectives.</summary>
    Straggler,
}

/// <summary>One opportunity: time the step could save, why, and what to do.</summary>
/// <param name="Kind">The rule that found it.</param>
/// <param name="Title">One line: what and how big ("exposed all_reduce is 18% of the step: overlap or bucket it").</param>
/// <param name="SavingNsPerStep">Step time saved if the gap were closed, ns per step; net of overlap (docs/headroom.md).</param>
/// <param name="ShareOfStep">SavingNsPerStep / the mean step time, 0..1.</param>
/// <param name="Bound">What limits it.</param>
/// <param name="Evidence">The measured facts behind it.</param>
/// <param name="Suggestion">A concrete fix.</param>
/// <param name="Method">How the saving was computed.</param>
public sealed record HeadroomItem(HeadroomKind Kind, string Title, long SavingNsPerStep, double ShareOfStep, HeadroomBound Bound, string Evidence,
    string Suggestion, string Method)
{
    /// <summary>The rank it concerns; null for a rank's own list (job-level items name the straggler).</summary>
    public int? Rank { get; init; }

    /// <summary>The op signature it concerns (name), or null.</summary>
    public string? Op { get; init; }
}

/// <summary>The ranked opportunities of one rank, or of the job (stragglers).</summary>
/// <param name="Items">Largest saving first.</param>
/// <param name="Steps">Steps the savings are divided over (1 for a trace without steps: then "per step" is per window).</param>
/// <param name="StepTimeNs">Mean step time, ns (the window divided by <paramref name="Steps"/>).</param>
/// <param name="PerWindow">True when the trace has no steps and savings are per analysed window.</param>
public sealed record HeadroomResult(IReadOnlyList<HeadroomItem> Items, int Steps, long StepTimeNs, bool PerWindow)
{
    /// <summary>No items.</summary>
    public static HeadroomResult Empty { get; } = new([], 0, 0, true);
}
