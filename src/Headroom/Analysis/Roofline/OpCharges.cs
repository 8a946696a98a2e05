using Headroom.Analysis.Kernels;
using Headroom.Costs;
using Headroom.Model;

namespace Headroom.Analysis.Roofline;

/// <summary>
/// One op call with a FLOP/byte estimate and the device activities charged to it. Transient: built per rank by
/// <see cref="RooflineAnalysis.Charge"/> for the roofline, MFU and headroom, never kept in results.
/// </summary>
public sealed class ChargedOp
{
    internal ChargedOp(int op, OpCost cost, long firstStartNs)
    {
        Op = op;
        Cost = cost;
        FirstStartNs = firstStartNs;
    }

    /// <summary>Index of the op in <see cref="RankTrace.Cpu"/>; for a compiler-reported device op, −(its device activity's index + 2).</summary>
    public int Op { get; }

    /// <summary>The compiler-reported cost this call was charged by (XPlane's XLA ops); null for host ops with shapes.</summary>
    public DeviceOpCost? Device { get; init; }

    /// <summary>The op's estimate.</summary>
    public OpCost Cost { get; }

    /// <summary>Activities charged to it.</summary>
    public int Kernels { get; internal set; }

    /// <summary>Sum of their durations, ns.</summary>
    public long TimeNs { get; internal set; }

    /// <summary>Sum of their exposed parts (no other stream busy), ns; equals <see cref="TimeNs"/> when exposure was not computed.</summary>
    public long ExposedNs { get; internal set; }

    /// <summary>Start of its first activity, ns: which step the call belongs to.</summary>
    public long FirstStartNs { get; internal set; }

    /// <summary>Recomputation of a forward op inside a checkpointed backward (activation checkpointing): hardware FLOPs, not model FLOPs.</summary>
    public bool Recomputed { get; internal set; }

    /// <summary>Distinct kernel name ids (into the trace's strings).</summary>
    public HashSet<int> KernelNames { get; } = [];

    /// <summary>Kernel time per <see cref="KernelCategory"/> (indexed by the enum's value), ns.</summary>
    internal long[] CategoryTimeNs { get; } = new long[Enum.GetValues<KernelCategory>().Length];

    /// <summary>The kernel category with the most of the op's time: the group the op belongs to.</summary>
    public KernelCategory DominantCategory
    {
        get
        {
            var best = 0;
            for (var c = 1; c < CategoryTimeNs.Length; c++)
            {
                best = CategoryTimeNs[c] > CategoryTimeNs[best] ? c : best;
            }

            return (KernelCategory)best;
        }
    }
}

/// <summary>An op (by name) whose recorded shapes, dtypes or argument text did not fit its formula, with how many calls.</summary>
/// <param name="Name">Op name.</param>
/// <param name="Kind">Why there is no estimate.</param>
/// <param name="Calls">Calls that launched device work.</param>
/// <param name="Reason">The cost model's reason for the first such call.</param>
public sealed record NoEstimate(string Name, OpCostKind Kind, int Calls, string Reason);

/// <summary>A compiler-reported op cost beside the estimate from its HLO shapes.</summary>
/// <param name="Name">The op's name.</param>
/// <param name="Opcode">The HLO opcode.</param>
/// <param name="ReportedFlops">XLA's FLOPs per execution.</param>
/// <param name="ReportedBytes">XLA's bytes accessed per execution.</param>
/// <param name="ShapeFlops">FLOPs from the shapes, when the opcode has a formula.</param>
/// <param name="ShapeBytes">Bytes from the shapes (operands read once, results written once).</param>
/// <param name="Disagrees">True when either differs by more than 10%.</param>
public sealed record CostCheck(string Name, string Opcode, double ReportedFlops, double ReportedBytes, double? ShapeFlops, double? ShapeBytes, bool Disagrees);

/// <summary>The charging of one rank's device activities to op calls with estimates (see <see cref="RooflineAnalysis.Charge"/>).</summary>
public sealed class OpCharges
{
    internal OpCharges(RankTrace trace, IReadOnlyList<ChargedOp> ops, IReadOnlyDictionary<KernelCategory, (int Kernels, long TimeNs)> uncovered,
        long computation, long coveredComputation, long total, long covered, IReadOnlyList<NoEstimate> noEstimates,
        IReadOnlyDictionary<KernelCategory, long> matrixTime, IReadOnlyDictionary<KernelCategory, long> coveredMatrixTime)
    {
        Trace = trace;
        Ops = ops;
        Uncovered = uncovered;
        ComputationTimeNs = computation;
        CoveredComputationTimeNs = coveredComputation;
        TotalTimeNs = total;
        CoveredTimeNs = covered;
        NoEstimates = noEstimates;
        MatrixKernelTimeNs = matrixTime.Values.Sum();
        CoveredMatrixKernelTimeNs = coveredMatrixTime.Values.Sum();
    }

    /// <summary>The rank.</summary>
    public RankTrace Trace { get; }

    /// <summary>Op calls with an estimate that were charged device activities.</summary>
    public IReadOnlyList<ChargedOp> Ops { get; }

    /// <summary>Activities without an estimate, per kernel category.</summary>
    public IReadOnlyDictionary<KernelCategory, (int Kernels, long TimeNs)> Uncovered { get; }

    /// <summary>Device time of computation-class activities, ns.</summary>
    public long ComputationTimeNs { get; }

    /// <summary>The part of it charged to an op with an estimate, ns.</summary>
    public long CoveredComputationTimeNs { get; }

    /// <summary>
    /// Computation-class device time whose launching op recorded shapes (the nearest op with arguments has at least one
    /// dimension), or that has an estimate, ns: the denominator of "coverage where shapes were recorded".
    /// </summary>
    public long ShapedComputationTimeNs { get; init; }

    /// <summary>Device time of every activity, ns.</summary>
    public long TotalTimeNs { get; }

    /// <summary>The part of it charged to an op with an estimate, ns.</summary>
    public long CoveredTimeNs { get; }

    /// <summary>Compiler-reported costs checked against the op's shapes, disagreements first.</summary>
    public IReadOnlyList<CostCheck> CostChecks { get; init; } = [];

    /// <summary>Ops whose arguments did not fit their formula.</summary>
    public IReadOnlyList<NoEstimate> NoEstimates { get; }

    /// <summary>Device time of GEMM, convolution and attention kernels (the matrix units' work), ns.</summary>
    public long MatrixKernelTimeNs { get; }

    /// <summary>The part of it charged to an op with an estimate, ns: how much of the matrix work MFU can see.</summary>
    public long CoveredMatrixKernelTimeNs { get; }
}
