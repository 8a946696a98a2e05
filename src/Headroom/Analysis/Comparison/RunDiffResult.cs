using Headroom.Analysis.Kernels;

namespace Headroom.Analysis.Comparison;

/// <summary>How an op signature or a kernel changed between two runs.</summary>
public enum DiffChange
{
    /// <summary>Only in the candidate.</summary>
    New,
    /// <summary>Only in the baseline.</summary>
    Removed,
    /// <summary>In both; more time per step, significantly (or with no interval to tell).</summary>
    Slower,
    /// <summary>In both; less time per step, significantly (or with no interval to tell).</summary>
    Faster,
    /// <summary>In both; the interval contains 0 (within noise), or no change at all.</summary>
    Unchanged,
}

/// <summary>One side of a comparison, as compared.</summary>
/// <param name="Name">How the run was named (label, id or paths).</param>
/// <param name="ToolVersion">Headroom version that analysed it.</param>
/// <param name="Ranks">Ranks.</param>
/// <param name="Samples">Samples per metric: one per (rank, step), or one per rank window for ranks without steps.</param>
/// <param name="HasSteps">Every rank has ProfilerSteps (else its whole window is one sample).</param>
/// <param name="Devices">Distinct device names.</param>
/// <param name="HardwareIds">Distinct catalog ids ("?" for a device not in the catalog).</param>
/// <param name="Vendors">Distinct vendors (catalog vendor, else from the device name).</param>
public sealed record DiffSide(string Name, string ToolVersion, int Ranks, int Samples, bool HasSteps, IReadOnlyList<string> Devices,
    IReadOnlyList<string> HardwareIds, IReadOnlyList<string> Vendors);

/// <summary>An op signature's change: device time it launched per (rank, step), baseline against candidate.</summary>
/// <param name="Name">Op name.</param>
/// <param name="InputDims">Input Dims ("" when not recorded).</param>
/// <param name="InputTypes">Input type ("" when not recorded).</param>
/// <param name="Change">New, removed, slower, faster or unchanged.</param>
/// <param name="PerStepNs">Mean device time per (rank, step), ns, with the interval of the change.</param>
/// <param name="BaselineCalls">Baseline calls (all ranks).</param>
/// <param name="CandidateCalls">Candidate calls (all ranks).</param>
public sealed record OpDiff(string Name, string InputDims, string InputTypes, DiffChange Change, DeltaEstimate PerStepNs, long BaselineCalls,
    long CandidateCalls);

/// <summary>A kernel's change by name (compared only within one vendor's kernels).</summary>
/// <param name="Name">Kernel name.</param>
/// <param name="Category">Kernel category.</param>
/// <param name="Change">New, removed, slower, faster or unchanged.</param>
/// <param name="PerStepNs">Mean time per (rank, step), ns, with the interval of the change.</param>
public sealed record KernelDiff(string Name, KernelCategory Category, DiffChange Change, DeltaEstimate PerStepNs);

/// <summary>
/// The step-time change split into rows that add up to it exactly (ns per step): op device time by group, the change in
/// idle time, and the rest — kernels overlapping each other (counted once per op but once in the step) and kernels
/// running past their step's end.
/// </summary>
/// <param name="NewNs">Time of new ops.</param>
/// <param name="RemovedNs">Time of removed ops (negative).</param>
/// <param name="SlowerNs">Change of slower ops.</param>
/// <param name="FasterNs">Change of faster ops (negative).</param>
/// <param name="UnchangedNs">Change of ops within noise.</param>
/// <param name="IdleNs">Change of idle time per step.</param>
/// <param name="OverlapAndRestNs">Step delta minus all the rows above.</param>
public sealed record StepDecomposition(double NewNs, double RemovedNs, double SlowerNs, double FasterNs, double UnchangedNs, double IdleNs,
    double OverlapAndRestNs)
{
    /// <summary>All op rows together: the change of device time launched per step.</summary>
    public double OpsNs => NewNs + RemovedNs + SlowerNs + FasterNs + UnchangedNs;
}

/// <summary>
/// Two runs compared: step time, MFU, exposed communication and idle per step, each with its 95% interval; the step-time
/// change decomposed by op signature; and the kernels by name when both runs are from the same vendor.
/// </summary>
/// <param name="Baseline">The baseline (A).</param>
/// <param name="Candidate">The candidate (B).</param>
/// <param name="SameHardware">Both runs ran on the same catalog devices.</param>
/// <param name="SameVendor">Both runs ran on one and the same vendor's devices (so kernel names compare).</param>
/// <param name="StepTime">Step time, ns.</param>
/// <param name="Mfu">MFU (0..1) per (rank, step); null unless both runs have a catalog device.</param>
/// <param name="ExposedCommunication">Exposed communication per step, ns.</param>
/// <param name="Idle">Idle per step, ns.</param>
/// <param name="Decomposition">The step-time delta split into rows that add up to it.</param>
/// <param name="Ops">Every op signature of either run, largest absolute change first.</param>
/// <param name="Kernels">Every kernel name of either run, largest absolute change first; null when the vendors differ.</param>
public sealed record RunDiffResult(DiffSide Baseline, DiffSide Candidate, bool SameHardware, bool SameVendor, DeltaEstimate StepTime, DeltaEstimate? Mfu,
    DeltaEstimate ExposedCommunication, DeltaEstimate Idle, StepDecomposition Decomposition, IReadOnlyList<OpDiff> Ops, IReadOnlyList<KernelDiff>? Kernels)
{
    /// <summary>Op signatures present in both runs.</summary>
    public int MatchedOps => Ops.Count(o => o.Change is not (DiffChange.New or DiffChange.Removed));

    /// <summary>Op signatures in group <paramref name="change"/>.</summary>
    public int OpCount(DiffChange change) => Ops.Count(o => o.Change == change);
}
