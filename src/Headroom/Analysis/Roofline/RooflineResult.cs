using Headroom.Analysis.Kernels;
using CostUnit = Headroom.Costs.ComputeUnit;

namespace Headroom.Analysis.Roofline;

/// <summary>What limits an op: its arithmetic (compute), its memory traffic, its kernels' launch-scale duration, or the network.</summary>
public enum RooflineBound
{
    /// <summary>No device: no ceilings to compare with.</summary>
    Unknown,

    /// <summary>Arithmetic intensity at or above the ridge point (peak / bandwidth).</summary>
    Compute,

    /// <summary>Arithmetic intensity below the ridge point.</summary>
    Memory,

    /// <summary>Mean kernel duration under <see cref="RooflineAnalysis.LatencyThresholdNs"/>: too short to approach either ceiling.</summary>
    Latency,

    /// <summary>Communication kernels (collectives, send/recv).</summary>
    Communication,
}

/// <summary>
/// One op signature (name + Input Dims + Input type) on the roofline, summed over its instances. Every rate is finite;
/// values that need a device are null when there is none.
/// </summary>
/// <param name="Name">Op name, e.g. <c>aten::mm</c>.</param>
/// <param name="InputDims">Input Dims JSON text.</param>
/// <param name="InputTypes">Input type JSON text.</param>
/// <param name="DataType">Compute dtype from the cost model (fp32, bf16, ...).</param>
/// <param name="Unit">Matrix or vector units, from the cost model.</param>
/// <param name="Count">Op instances (calls) that launched at least one kernel.</param>
/// <param name="Kernels">Device activities charged to those instances.</param>
/// <param name="Flops">Model FLOPs, summed over instances.</param>
/// <param name="Bytes">Minimum bytes moved, summed over instances.</param>
/// <param name="TimeNs">Sum of the kernels' durations (ns); overlap between them is not removed.</param>
/// <param name="Intensity">FLOPs per byte; null when the op moves no bytes.</param>
/// <param name="AchievedFlopsPerSecond">FLOPs / time; 0 when the time is 0.</param>
/// <param name="AchievedBytesPerSecond">Bytes / time; 0 when the time is 0.</param>
/// <param name="PeakFlopsPerSecond">The compute ceiling used; null without a device or a peak.</param>
/// <param name="Peak">Which peak that is, with any fallback ("fp32 vector (no fp32 matrix peak)").</param>
/// <param name="CeilingFlopsPerSecond">min(peak, intensity × bandwidth): the attainable rate at this intensity.</param>
/// <param name="Efficiency">max(achieved FLOP/s / peak, achieved B/s / bandwidth), not clipped; null without a device.</param>
/// <param name="Bound">Compute, memory, latency, communication, or unknown.</param>
/// <param name="AboveRoofline">Efficiency above 1: the point lies above the roofline.</param>
/// <param name="Note">Why it is above the roofline (model vs hardware FLOPs for Winograd/FFT kernels), or "".</param>
/// <param name="KernelNames">The distinct kernel names charged to the op.</param>
/// <param name="Formula">The cost model's formula for the first instance.</param>
public sealed record RooflineOp(
    string Name, string InputDims, string InputTypes, string DataType, CostUnit Unit,
    int Count, int Kernels, double Flops, double Bytes, long TimeNs,
    double? Intensity, double AchievedFlopsPerSecond, double AchievedBytesPerSecond,
    double? PeakFlopsPerSecond, string Peak, double? CeilingFlopsPerSecond, double? Efficiency,
    RooflineBound Bound, bool AboveRoofline, string Note, IReadOnlyList<string> KernelNames, string Formula)
{
    /// <summary>
    /// The kernels' algorithm does fewer operations than the op's formula counts (Winograd or FFT convolutions): the
    /// FLOPs are model FLOPs, above the hardware FLOPs, and the point may lie above the roofline without a bug.
    /// </summary>
    public bool ModelFlopsAboveHardwareFlops => Note == RooflineAnalysis.WinogradReason;

    /// <summary>Mean kernel duration, ns.</summary>
    public double MeanKernelNs => Kernels == 0 ? 0 : (double)TimeNs / Kernels;

    /// <summary>
    /// The exposed part of <see cref="TimeNs"/>: kernel time during which no other stream of the rank was busy, ns. Only
    /// that part can shorten the step (docs/headroom.md). Equals <see cref="TimeNs"/> when exposure was not computed.
    /// </summary>
    public long ExposedNs { get; init; }
}

/// <summary>The roofline of one kernel group: the op calls whose time is mostly in kernels of <paramref name="Category"/>.</summary>
/// <param name="Category">Kernel category.</param>
/// <param name="Calls">Op calls in the group.</param>
/// <param name="Kernels">Their kernels.</param>
/// <param name="Flops">Model FLOPs.</param>
/// <param name="Bytes">Minimum bytes.</param>
/// <param name="TimeNs">Sum of kernel durations, ns.</param>
/// <param name="ExposedNs">The part with no other stream busy, ns.</param>
/// <param name="Intensity">FLOPs per byte; null without bytes.</param>
/// <param name="AchievedFlopsPerSecond">Flops / time.</param>
/// <param name="AchievedBytesPerSecond">Bytes / time.</param>
/// <param name="Peak">The peak used: the dtype holding most of the group's time, on the group's unit.</param>
/// <param name="PeakFlopsPerSecond">That peak; null without a device.</param>
/// <param name="CeilingFlopsPerSecond">min(peak, intensity × bandwidth); null without a device.</param>
/// <param name="Efficiency">max(compute, memory) utilisation; null without a device.</param>
/// <param name="Bound">Compute, memory, latency or unknown.</param>
public sealed record RooflineGroup(KernelCategory Category, int Calls, int Kernels, double Flops, double Bytes, long TimeNs, long ExposedNs,
    double? Intensity, double AchievedFlopsPerSecond, double AchievedBytesPerSecond, string Peak, double? PeakFlopsPerSecond,
    double? CeilingFlopsPerSecond, double? Efficiency, RooflineBound Bound);

/// <summary>Device activities of one kernel category whose launching op has no FLOP/byte estimate.</summary>
/// <param name="Category">Kernel category.</param>
/// <param name="Kernels">Number of activities.</param>
/// <param name="TimeNs">Sum of their durations, ns.</param>
/// <param name="Bound">Communication for communication kernels, else unknown.</param>
public sealed record RooflineUncovered(KernelCategory Category, int Kernels, long TimeNs, RooflineBound Bound);

/// <summary>The roofline of one rank.</summary>
/// <param name="Device">The device whose ceilings were used; null when unknown.</param>
/// <param name="Ops">Op signatures with an estimate, longest device time first.</param>
/// <param name="Uncovered">Activities without an estimate, per kernel category, longest first.</param>
/// <param name="ComputationTimeNs">Device time of the activities of class Computation (kernels on the compute units), ns.</param>
/// <param name="CoveredComputationTimeNs">The part of it charged to an op with an estimate, ns.</param>
/// <param name="TotalTimeNs">Device time of every activity (kernels, copies, sets, collectives), ns.</param>
/// <param name="CoveredTimeNs">The part of it charged to an op with an estimate, ns.</param>
/// <param name="Notes">Conventions and fallbacks that apply to this result, stated once each.</param>
public sealed record RooflineResult(
    Headroom.Hardware.DeviceSpec? Device, IReadOnlyList<RooflineOp> Ops, IReadOnlyList<RooflineUncovered> Uncovered,
    long ComputationTimeNs, long CoveredComputationTimeNs, long TotalTimeNs, long CoveredTimeNs, IReadOnlyList<string> Notes)
{
    /// <summary>Cost coverage: the share of Computation-class device time with a FLOP/byte estimate (1 when there is none).</summary>
    public double Coverage => ComputationTimeNs == 0 ? 1 : (double)CoveredComputationTimeNs / ComputationTimeNs;

    /// <summary>Computation-class device time launched by ops that recorded shapes (or charged to an estimate), ns.</summary>
    public long ShapedComputationTimeNs { get; init; }

    /// <summary>
    /// Cost coverage where shapes were recorded: covered computation time ÷ <see cref="ShapedComputationTimeNs"/> (1 when
    /// there is none). Kernels with no host op, or whose op recorded no dimensions (graph replays, TensorLists recorded
    /// empty, autograd nodes without arguments), are left out of the denominator: nothing could estimate them.
    /// </summary>
    public double CoverageWhereShapesRecorded => ShapedComputationTimeNs == 0 ? 1 : Math.Min(1, (double)CoveredComputationTimeNs / ShapedComputationTimeNs);

    /// <summary>The roofline per kernel group (category), longest first.</summary>
    public IReadOnlyList<RooflineGroup> Groups { get; init; } = [];

    /// <summary>Ops whose recorded shapes, dtypes or argument text did not fit their formula ("no estimate"), most calls first.</summary>
    public IReadOnlyList<NoEstimate> NoEstimates { get; init; } = [];

    /// <summary>
    /// Compiler-reported costs (XLA's, in an XSpace) next to the estimate from the op's HLO shapes, one per op name,
    /// disagreements first: both numbers are kept, XLA's are used (docs/model.md, "XPlane").
    /// </summary>
    public IReadOnlyList<CostCheck> CostChecks { get; init; } = [];

    /// <summary>The same share over every device activity (copies, sets and collectives included).</summary>
    public double CoverageOfAll => TotalTimeNs == 0 ? 1 : (double)CoveredTimeNs / TotalTimeNs;
}
