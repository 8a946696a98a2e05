using Headroom.Analysis.Kernels;
using Headroom.Costs;
using Headroom.Hardware;
using Headroom.Model;
using CostUnit = Headroom.Costs.ComputeUnit;
using HardwareUnit = Headroom.Hardware.ComputeUnit;

namespace Headroom.Analysis.Roofline;

/// <summary>
/// The roofline of one rank: each device activity is charged to the op instance that launched it (the innermost op
/// around the launch, or the nearest enclosing op, that has a FLOP/byte estimate), instances are summed per op signature
/// (name + Input Dims + Input type), and each signature is placed against the device's ceilings for its dtype and unit.
/// Pure: reads the trace, never changes it; never yields NaN or infinity.
/// </summary>
public static class RooflineAnalysis
{
    /// <summary>An op whose mean kernel is shorter than this (5 µs) is latency-bound: too short to approach either ceiling.</summary>
    public const long LatencyThresholdNs = 5_000;

    /// <summary>Reason given for a point above the roofline whose kernels run Winograd or FFT algorithms.</summary>
    public const string WinogradReason =
        "model FLOPs exceed hardware FLOPs: the kernel's algorithm does fewer operations than the formula (e.g. Winograd/FFT convolution)";

    /// <summary>Reason given for a point above the roofline whose estimate rests on something the trace did not record.</summary>
    public const string AssumedReason =
        "above the roofline: the estimate rests on an assumption the trace did not record (see the formula, e.g. convolution stride taken as 1)";

    /// <summary>Reason given for a memory-bound point above the roofline that an L2-resident operand can explain.</summary>
    public const string CacheReason =
        "above the memory roofline by no more than an L2-resident operand explains (e.g. written by the previous kernel): served from cache, not memory";

    /// <summary>Reason given for any other point above the roofline.</summary>
    public const string AboveRooflineReason = "above the roofline: check formula, units or ceiling";

    /// <summary>Computes the roofline of every activity of <paramref name="activities"/> against <paramref name="device"/> (null: no ceilings).</summary>
    public static RooflineResult Compute(RankActivities activities, DeviceSpec? device) => Compute(Charge(activities), device);

    /// <summary>
    /// Charges each device activity starting in [<paramref name="start"/>, <paramref name="end"/>) to the op call that
    /// launched it: the innermost op around its launch, or the nearest enclosing op, that has a FLOP/byte estimate
    /// (communication kernels are never charged). <paramref name="exposure"/>, when given, supplies each activity's
    /// exposed time (see <see cref="ExposureAnalysis"/>).
    /// </summary>
    public static OpCharges Charge(RankActivities activities, long start = long.MinValue, long end = long.MaxValue, Exposure? exposure = null)
    {
        ArgumentNullException.ThrowIfNull(activities);
        var trace = activities.Trace;
        var gpu = trace.Gpu;
        var costs = new Dictionary<(int, int, int, int, long), OpCost>();
        var hints = EmbeddingHintsOf(trace);
        var costed = new int[trace.Cpu.Count];
        Array.Fill(costed, int.MinValue);
        var instances = new Dictionary<int, ChargedOp>();
        var uncovered = new Dictionary<KernelCategory, (int Kernels, long Time)>();
        var noEstimates = new Dictionary<(int Name, OpCostKind Kind), (int Calls, string Reason)>();
        var shapeChecks = new Dictionary<string, CostCheck>(StringComparer.Ordinal);
        var matrixTime = new Dictionary<KernelCategory, long>();
        var coveredMatrixTime = new Dictionary<KernelCategory, long>();
        long total = 0, covered = 0, computation = 0, coveredComputation = 0, shapedComputation = 0;
        var shapedMemo = new sbyte[trace.Cpu.Count];

        var events = activities.Event;
        var starts = activities.Start;
        var ends = activities.End;
        var classes = activities.Class;
        var categories = activities.Category;
        var (first, last) = activities.StartingIn(start, end);
        for (var i = first; i < last; i++)
        {
            var g = events[i];
            if (g < 0)
            {
                continue; // host events HTA counts as GPU work: not device activities
            }

            var duration = Math.Max(0, ends[i] - starts[i]);
            var isComputation = classes[i] == ActivityClass.Computation;
            var isMatrix = categories[i] is KernelCategory.Gemm or KernelCategory.Convolution or KernelCategory.Attention;
            total += duration;
            computation += isComputation ? duration : 0;
            if (isMatrix)
            {
                matrixTime[categories[i]] = matrixTime.GetValueOrDefault(categories[i]) + duration;
            }

            // A compiler-reported cost (XLA's, in an XSpace) belongs to the activity itself: one call per execution.
            // Copies and collectives are not placed on the roofline, as for host ops.
            // A further kernel of an op execution is charged to the execution's first kernel's cost (one call, all the time).
            var costedKernel = trace.ExecutionStart(g);
            var device = trace.DeviceOpCosts.Count > 0 && categories[i] is not (KernelCategory.Communication or KernelCategory.Memory)
                && trace.DeviceOpCosts.TryGetValue(costedKernel, out var reported) ? reported : null;
            var op = device is not null ? -(costedKernel + 2)
                : categories[i] == KernelCategory.Communication ? -1 : CostedOp(trace, gpu.Op[g], costed, costs, hints, noEstimates);
            if (isComputation && (op != -1 || HasRecordedShapes(trace, gpu.Op[g], shapedMemo)))
            {
                shapedComputation += duration;
            }

            if (op == -1)
            {
                var u = uncovered.GetValueOrDefault(categories[i]);
                uncovered[categories[i]] = (u.Kernels + 1, u.Time + duration);
                continue;
            }

            covered += duration;
            coveredComputation += isComputation ? duration : 0;
            if (isMatrix)
            {
                coveredMatrixTime[categories[i]] = coveredMatrixTime.GetValueOrDefault(categories[i]) + duration;
            }

            if (device is not null)
            {
                CheckAgainstShapes(trace.Strings[gpu.Name[g]], device, shapeChecks);
            }

            if (!instances.TryGetValue(op, out var instance))
            {
                instance = device is not null ? new ChargedOp(op, Reported(device), starts[i]) { Device = device }
                    : new ChargedOp(op, CostOf(trace, op, costs, hints)!, starts[i]);
                instances[op] = instance;
            }

            instance.Kernels++;
            instance.TimeNs += duration;
            instance.ExposedNs += exposure is null ? duration : exposure.Of(i);
            instance.KernelNames.Add(gpu.Name[g]);
            instance.CategoryTimeNs[(int)categories[i]] += duration;
        }

        MergeNested(trace, instances);
        foreach (var instance in instances.Values.Where(c => c.Op >= 0))
        {
            instance.Recomputed = IsRecomputed(trace, instance.Op);
        }

        var noEstimateList = noEstimates
            .Select(kv => new NoEstimate(trace.Strings[kv.Key.Name], kv.Key.Kind, kv.Value.Calls, kv.Value.Reason))
            .OrderByDescending(n => n.Calls).ThenBy(n => n.Name, StringComparer.Ordinal).ToList();
        return new OpCharges(trace, [.. instances.Values.OrderBy(c => c.FirstStartNs).ThenBy(c => c.Op)], uncovered, computation, coveredComputation,
            total, covered, noEstimateList, matrixTime, coveredMatrixTime)
        {
            ShapedComputationTimeNs = shapedComputation,
            CostChecks = [.. shapeChecks.Values.OrderByDescending(c => c.Disagrees).ThenBy(c => c.Name, StringComparer.Ordinal)],
        };
    }

    /// <summary>
    /// True when the nearest op around the launch that recorded arguments recorded at least one tensor dimension
    /// ("Input Dims" with a number in it; <c>[]</c>, <c>[[]]</c> or a TensorList recorded as <c>[[], []]</c> do not count).
    /// Memoised per host event (0 unknown, 1 yes, -1 no).
    /// </summary>
    private static bool HasRecordedShapes(RankTrace trace, int op, sbyte[] memo)
    {
        var cpu = trace.Cpu;
        var path = new List<int>();
        var result = false;
        for (var o = op; o >= 0; o = cpu.Parent[o])
        {
            if (memo[o] != 0)
            {
                result = memo[o] > 0;
                break;
            }

            path.Add(o);
            if (cpu.Args[o] >= 0 && trace.OpArgs[cpu.Args[o]].InputDims != 0)
            {
                result = trace.Strings[trace.OpArgs[cpu.Args[o]].InputDims].AsSpan().IndexOfAnyInRange('1', '9') >= 0;
                break;
            }
        }

        foreach (var o in path)
        {
            memo[o] = result ? (sbyte)1 : (sbyte)-1;
        }

        return result;
    }

    /// <summary>Disagreement above which a compiler-reported cost and the shape-based estimate are flagged (10%).</summary>
    public const double CostCheckTolerance = 0.10;

    /// <summary>
    /// Compares a compiler-reported cost with the estimate from the HLO instruction's shapes (<see cref="HloCostModel"/>),
    /// once per op name: FLOPs where the opcode has a formula, bytes where every shape could be read.
    /// </summary>
    private static void CheckAgainstShapes(string instruction, DeviceOpCost reported, Dictionary<string, CostCheck> checks)
    {
        // The embedded HLO module's estimate when there is one (it costs fusions' inner ops), else the instruction text's.
        var estimate = reported.ShapeOpcode.Length > 0 ? new HloCostModel.Estimate(reported.ShapeFlops, reported.ShapeBytes, reported.ShapeOpcode)
            : HloCostModel.Of(instruction);
        if (checks.ContainsKey(reported.Name) || estimate is null || (estimate.Flops is null && estimate.Bytes is null))
        {
            return;
        }

        static bool Differs(double? shape, double xla) => shape is { } v && Math.Abs(v - xla) > CostCheckTolerance * Math.Max(Math.Abs(v), Math.Abs(xla));
        checks[reported.Name] = new CostCheck(reported.Name, estimate.Opcode, reported.Flops, reported.Bytes, estimate.Flops, estimate.Bytes,
            Differs(estimate.Flops, reported.Flops) || Differs(estimate.Bytes, reported.Bytes));
    }

    /// <summary>The cost model's form of a compiler-reported cost: the FLOPs the hardware runs and the bytes accessed.</summary>
    private static OpCost Reported(DeviceOpCost d) =>
        new(OpCostKind.Estimate, d.Flops, (long)Math.Min(d.Bytes, long.MaxValue), 0, d.DataType.Length > 0 ? d.DataType : "fp32",
            d.Matrix ? CostUnit.Matrix : CostUnit.Vector,
            string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{d.Source} ({d.Category}): flops {d.Flops:G6}, model_flops {d.ModelFlops:G6}, bytes_accessed {d.Bytes:G6}"), "");

    /// <summary>Places the charged ops of one rank against <paramref name="device"/> (null: no ceilings).</summary>
    public static RooflineResult Compute(OpCharges charges, DeviceSpec? device)
    {
        ArgumentNullException.ThrowIfNull(charges);
        var notes = new List<string>
        {
            "each kernel is charged to one op: the innermost op around its launch that has a FLOP/byte estimate, unless an enclosing op with an estimate also launched kernels itself: then all go to the outermost such op, whose estimate covers the nested work (nested ops are never summed)",
            "time is the sum of kernel durations; efficiency = max(achieved FLOP/s / peak, achieved B/s / bandwidth) (XProf), not clipped",
            $"latency-bound: mean kernel duration under {LatencyThresholdNs / 1000} µs",
            "cost coverage = device time of Computation-class activities charged to an op with an estimate / all Computation-class device time",
        };
        if (device is null)
        {
            notes.Add("no device: no ceilings, efficiency and bound unknown; name the device with --hardware NAME or add one with --hardware-file FILE");
        }

        var ops = Aggregate(charges, device, notes);
        var uncoveredList = charges.Uncovered
            .Select(kv => new RooflineUncovered(kv.Key, kv.Value.Kernels, kv.Value.TimeNs,
                kv.Key == KernelCategory.Communication ? RooflineBound.Communication : RooflineBound.Unknown))
            .OrderByDescending(u => u.TimeNs).ThenBy(u => u.Category).ToList();
        return new RooflineResult(device, ops, uncoveredList, charges.ComputationTimeNs, charges.CoveredComputationTimeNs,
            charges.TotalTimeNs, charges.CoveredTimeNs, notes)
        {
            ShapedComputationTimeNs = charges.ShapedComputationTimeNs,
            NoEstimates = charges.NoEstimates,
            Groups = Groups(charges, device),
            CostChecks = charges.CostChecks,
        };
    }

    /// <summary>
    /// The roofline per kernel group: each op call joins the kernel category that holds most of its time (a convolution
    /// with a small bias kernel is a convolution), with its FLOPs, bytes and time; the group is placed like an op, at the
    /// dtype holding most of its time, on the matrix units for GEMM, convolution and attention groups.
    /// </summary>
    private static List<RooflineGroup> Groups(OpCharges charges, DeviceSpec? device)
    {
        var strings = charges.Trace.Strings;
        var groups = new List<RooflineGroup>();
        foreach (var g in charges.Ops.GroupBy(o => o.DominantCategory))
        {
            var flops = g.Sum(o => o.Cost.Flops);
            var bytes = g.Sum(o => (double)o.Cost.Bytes);
            var time = g.Sum(o => o.TimeNs);
            var kernels = g.Sum(o => o.Kernels);
            var unit = g.Key is KernelCategory.Gemm or KernelCategory.Convolution or KernelCategory.Attention ? CostUnit.Matrix : CostUnit.Vector;
            var dtype = g.GroupBy(o => ExecutedDataType(o.Cost.DataType, unit, [.. o.KernelNames.Select(n => strings[n])]))
                .OrderByDescending(d => d.Sum(o => o.TimeNs)).ThenBy(d => d.Key, StringComparer.Ordinal).First().Key;
            var (peak, label) = device is null ? (null, "") : PeakFor(device, dtype, unit);
            var placed = Place(g.Key.ToString(), "", "", dtype, unit, g.Count(), kernels, flops, bytes, time, peak?.PerSecond, label,
                device?.MemoryBandwidth.BytesPerSecond, [], "");
            groups.Add(new RooflineGroup(g.Key, g.Count(), kernels, placed.Flops, placed.Bytes, time, g.Sum(o => o.ExposedNs), placed.Intensity,
                placed.AchievedFlopsPerSecond, placed.AchievedBytesPerSecond, placed.Peak, placed.PeakFlopsPerSecond, placed.CeilingFlopsPerSecond,
                placed.Efficiency, placed.Bound));
        }

        return [.. groups.OrderByDescending(g => g.TimeNs).ThenBy(g => g.Category)];
    }

    /// <summary>
    /// True when the op runs inside a checkpointed region's backward (activation checkpointing recomputing the
    /// forward): an ancestor is PyTorch's <c>CheckpointFunctionBackward</c> node or a frame of <c>torch/utils/checkpoint.py</c>.
    /// </summary>
    private static bool IsRecomputed(RankTrace trace, int op)
    {
        var cpu = trace.Cpu;
        for (var o = cpu.Parent[op]; o >= 0; o = cpu.Parent[o])
        {
            var name = trace.Strings[cpu.Name[o]];
            if (name.Contains("CheckpointFunctionBackward", StringComparison.Ordinal)
                || name.Contains("utils/checkpoint.py", StringComparison.Ordinal)
                || name.Contains("recompute", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// An estimated op that launched kernels itself and encloses another estimated op that launched kernels (PyTorch's
    /// cudnn_convolution_backward running the weight pass itself around a cudnn_convolution_backward_input child) would
    /// be charged its full estimate for part of the time: the nested instance is merged into the outermost such op.
    /// </summary>
    private static void MergeNested(RankTrace trace, Dictionary<int, ChargedOp> instances)
    {
        var parent = trace.Cpu.Parent;
        foreach (var op in instances.Keys.Where(k => k >= 0).ToList())
        {
            var target = -1;
            for (var o = parent[op]; o >= 0; o = parent[o])
            {
                if (instances.ContainsKey(o))
                {
                    target = o;
                }
            }

            if (target >= 0)
            {
                var from = instances[op];
                var to = instances[target];
                to.Kernels += from.Kernels;
                to.TimeNs += from.TimeNs;
                to.ExposedNs += from.ExposedNs;
                to.FirstStartNs = Math.Min(to.FirstStartNs, from.FirstStartNs);
                to.KernelNames.UnionWith(from.KernelNames);
                for (var c = 0; c < to.CategoryTimeNs.Length; c++)
                {
                    to.CategoryTimeNs[c] += from.CategoryTimeNs[c];
                }

                from.Kernels = -1;
            }
        }

        foreach (var op in instances.Where(kv => kv.Value.Kernels < 0).Select(kv => kv.Key).ToList())
        {
            instances.Remove(op);
        }
    }

    private sealed class Signature
    {
        public int Count, Kernels;
        public double Flops, Bytes;
        public long Time, Exposed;
        public OpCost? First;
        public bool Assumed;
        public readonly HashSet<int> KernelNames = [];
    }

    /// <summary>The innermost op at or above <paramref name="op"/> with an estimate, or -1; memoised per host event.</summary>
    private static int CostedOp(RankTrace trace, int op, int[] memo, Dictionary<(int, int, int, int, long), OpCost> costs, EmbeddingHints hints,
        Dictionary<(int Name, OpCostKind Kind), (int Calls, string Reason)> noEstimates)
    {
        var path = new List<int>();
        var result = -1;
        for (var o = op; o >= 0; o = trace.Cpu.Parent[o])
        {
            if (memo[o] != int.MinValue)
            {
                result = memo[o];
                break;
            }

            path.Add(o);
            var cost = CostOf(trace, o, costs, hints);
            if (cost is { HasEstimate: true })
            {
                result = o;
                break;
            }

            if (cost is { Kind: OpCostKind.ShapeMismatch or OpCostKind.UnknownDtype or OpCostKind.BadDims or OpCostKind.Malformed })
            {
                var key = (trace.Cpu.Name[o], cost.Kind);
                var seen = noEstimates.GetValueOrDefault(key, (Calls: 0, cost.Reason));
                noEstimates[key] = (seen.Calls + 1, seen.Reason);
            }
        }

        foreach (var o in path)
        {
            memo[o] = result;
        }

        return result;
    }

    private static OpCost? CostOf(RankTrace trace, int o, Dictionary<(int, int, int, int, long), OpCost> costs, EmbeddingHints hints)
    {
        var cpu = trace.Cpu;
        if (cpu.Kind[o] != CpuEventKind.Op || cpu.Args[o] < 0)
        {
            return null;
        }

        var args = trace.OpArgs[cpu.Args[o]];
        if (args.InputDims == 0)
        {
            return null;
        }

        var link = hints.For(o);
        var key = (cpu.Name[o], args.InputDims, args.InputTypes, args.ConcreteInputs, link?.CacheKey ?? -1);
        if (!costs.TryGetValue(key, out var cost))
        {
            var s = trace.Strings;
            cost = link is null
                ? OpCostModel.Estimate(s[cpu.Name[o]], s[args.InputDims], s[args.InputTypes], s[args.ConcreteInputs])
                : OpCostModel.Estimate(s[cpu.Name[o]], s[args.InputDims], s[args.InputTypes], s[args.ConcreteInputs], link);
            costs[key] = cost;
        }

        return cost;
    }

    /// <summary>
    /// Links the rank's fbgemm table-batched embedding lookups with their backward nodes (see <see cref="EmbeddingHints"/>):
    /// a pre-pass over the host ops whose name is one of them, before any op is charged.
    /// </summary>
    private static EmbeddingHints EmbeddingHintsOf(RankTrace trace)
    {
        var cpu = trace.Cpu;
        var s = trace.Strings;
        var isTableBatched = new Dictionary<int, bool>();
        List<EmbeddingOpRecord>? ops = null;
        for (var o = 0; o < cpu.Count; o++)
        {
            if (cpu.Kind[o] != CpuEventKind.Op || cpu.Args[o] < 0)
            {
                continue;
            }

            var name = cpu.Name[o];
            if (!isTableBatched.TryGetValue(name, out var tableBatched))
            {
                tableBatched = EmbeddingHints.IsTableBatched(s[name]);
                isTableBatched[name] = tableBatched;
            }

            var args = trace.OpArgs[cpu.Args[o]];
            if (tableBatched && args.InputDims != 0)
            {
                (ops ??= []).Add(new EmbeddingOpRecord(o, s[name], s[args.InputDims], s[args.InputTypes], s[args.ConcreteInputs], cpu.Start[o]));
            }
        }

        return ops is null ? EmbeddingHints.Empty : EmbeddingHints.Build(ops);
    }

    private static List<RooflineOp> Aggregate(OpCharges charges, DeviceSpec? device, List<string> notes)
    {
        var trace = charges.Trace;
        var cpu = trace.Cpu;
        var signatures = new Dictionary<(string Name, string Dims, string Types), Signature>();
        foreach (var instance in charges.Ops)
        {
            var op = instance.Op;
            var cost = instance.Cost;
            (string, string, string) key;
            if (instance.Device is { } d)
            {
                key = (d.Name, d.Shape, d.Category);
            }
            else
            {
                var args = trace.OpArgs[cpu.Args[op]];
                key = (trace.Strings[cpu.Name[op]], trace.Strings[args.InputDims], trace.Strings[args.InputTypes]);
            }

            if (!signatures.TryGetValue(key, out var sig))
            {
                sig = new Signature { First = cost };
                signatures[key] = sig;
            }

            sig.Count++;
            sig.Kernels += instance.Kernels;
            sig.Time += instance.TimeNs;
            sig.Exposed += instance.ExposedNs;
            sig.Assumed |= cost.Assumed;
            sig.Flops += cost.Flops;
            sig.Bytes += cost.Bytes;
            sig.KernelNames.UnionWith(instance.KernelNames);
        }

        var fallbacks = new SortedSet<string>(StringComparer.Ordinal);
        var list = new List<RooflineOp>(signatures.Count);
        foreach (var (key, sig) in signatures)
        {
            var cost = sig.First!;
            var names = sig.KernelNames.Select(n => trace.Strings[n]).Order(StringComparer.Ordinal).ToList();
            var (peak, label) = device is null ? (null, "") : PeakFor(device, ExecutedDataType(cost.DataType, cost.Unit, names), cost.Unit);
            if (label.Contains('(', StringComparison.Ordinal))
            {
                fallbacks.Add($"{cost.DataType} {Describe(cost.Unit)}: {label}");
            }

            var bandwidth = device?.MemoryBandwidth.BytesPerSecond;
            list.Add(Place(key.Name, key.Dims, key.Types, cost.DataType, cost.Unit,
                sig.Count, sig.Kernels, sig.Flops, sig.Bytes, sig.Time, peak?.PerSecond, label, bandwidth, names, cost.Formula, assumed: sig.Assumed,
                cacheBytes: device is not null && device.OnChip.TryGetValue("l2", out var l2) ? l2.Bytes : null) with
            { ExposedNs = sig.Exposed });
        }

        foreach (var f in fallbacks)
        {
            notes.Add("peak fallback: " + f);
        }

        return [.. list.OrderByDescending(o => o.TimeNs).ThenBy(o => o.Name, StringComparer.Ordinal)
            .ThenBy(o => o.InputDims, StringComparer.Ordinal).ThenBy(o => o.InputTypes, StringComparer.Ordinal)];
    }

    /// <summary>
    /// Places one aggregated op on the roofline. <paramref name="peak"/> and <paramref name="bandwidth"/> null (or not
    /// positive) mean no device: no ceiling, no efficiency, bound unknown (or communication). Exposed for tests and renderers.
    /// </summary>
    public static RooflineOp Place(string name, string inputDims, string inputTypes, string dataType, CostUnit unit,
        int count, int kernels, double flops, double bytes, long timeNs, double? peak, string peakLabel, double? bandwidth,
        IReadOnlyList<string> kernelNames, string formula, bool communication = false, bool assumed = false, double? cacheBytes = null)
    {
        flops = Finite(flops);
        bytes = Finite(bytes);
        timeNs = Math.Max(0, timeNs);
        var seconds = timeNs / 1e9;
        double? intensity = bytes > 0 ? flops / bytes : null;
        var achievedFlops = seconds > 0 ? flops / seconds : 0;
        var achievedBytes = seconds > 0 ? bytes / seconds : 0;
        var hasDevice = peak is > 0 && bandwidth is > 0;
        double? ceiling = hasDevice ? Ceiling(intensity, peak!.Value, bandwidth!.Value) : null;
        double? efficiency = hasDevice ? Efficiency(achievedFlops, achievedBytes, peak!.Value, bandwidth!.Value) : null;
        var meanKernelNs = kernels > 0 ? (double)timeNs / kernels : 0;
        var bound = communication ? RooflineBound.Communication
            : !hasDevice || (flops == 0 && bytes == 0) ? RooflineBound.Unknown // nothing to place (XProf: "Unknown")
            : meanKernelNs < LatencyThresholdNs ? RooflineBound.Latency
            : Bound(intensity, peak!.Value, bandwidth!.Value);
        var above = efficiency is > 1;
        // Explained by the cache when, even with one L2 of each call's bytes already resident, the rest of the traffic
        // stays within the memory bandwidth: achieved B/s × (1 − L2 / bytes per call) ≤ bandwidth.
        var fitsInCache = hasDevice && cacheBytes is > 0 && count > 0 && bytes > 0
            && Bound(intensity, peak!.Value, bandwidth!.Value) == RooflineBound.Memory
            && achievedBytes * Math.Max(0, 1 - cacheBytes.Value * count / bytes) <= bandwidth!.Value;
        var note = above ? AboveReason(kernelNames, assumed, fitsInCache) : "";
        return new RooflineOp(name, inputDims, inputTypes, dataType, unit, count, kernels, flops, bytes, timeNs, intensity,
            achievedFlops, achievedBytes, hasDevice ? peak : null, hasDevice ? peakLabel : "", ceiling, efficiency, bound, above, note,
            kernelNames, formula);
    }

    /// <summary>min(peak, intensity × bandwidth); an op that moves no bytes (intensity null) is capped by the peak alone.</summary>
    public static double Ceiling(double? intensity, double peak, double bandwidth) =>
        intensity is { } i ? Math.Min(peak, Finite(i * bandwidth)) : peak;

    /// <summary>max(achieved FLOP/s / peak, achieved B/s / bandwidth): XProf's larger of compute and memory utilisation.</summary>
    public static double Efficiency(double achievedFlopsPerSecond, double achievedBytesPerSecond, double peak, double bandwidth) =>
        peak > 0 && bandwidth > 0
            ? Finite(Math.Max(achievedFlopsPerSecond / peak, achievedBytesPerSecond / bandwidth))
            : 0;

    /// <summary>Compute when the intensity reaches the ridge point (peak / bandwidth), memory below it (and when no bytes are moved: compute).</summary>
    public static RooflineBound Bound(double? intensity, double peak, double bandwidth) =>
        intensity is not { } i || i >= peak / bandwidth ? RooflineBound.Compute : RooflineBound.Memory;

    /// <summary>
    /// The reason for a point above the roofline: Winograd/FFT kernels do fewer operations than the formula counts; else
    /// an estimate resting on an unrecorded assumption; else a memory-bound call whose bytes fit in L2; else a formula,
    /// unit or ceiling to check.
    /// </summary>
    public static string AboveReason(IEnumerable<string> kernelNames, bool assumed = false, bool fitsInCache = false) =>
        kernelNames.Any(n => n.Contains("winograd", StringComparison.OrdinalIgnoreCase) || n.Contains("fft", StringComparison.OrdinalIgnoreCase))
            ? WinogradReason
            : assumed ? AssumedReason : fitsInCache ? CacheReason : AboveRooflineReason;

    /// <summary>
    /// The compute peak for a cost-model dtype and unit: the unit's peak for the dtype; else the vector peak for the dtype;
    /// else fp32 (matrix then vector) — dtypes without a peak of their own (int64, bool, uint8, ...) are compared with fp32.
    /// The label names the peak used and, in parentheses, any fallback taken.
    /// </summary>
    public static (FlopRate? Peak, string Label) PeakFor(DeviceSpec device, string dataType, CostUnit unit)
    {
        ArgumentNullException.ThrowIfNull(device);
        var hw = unit == CostUnit.Matrix ? HardwareUnit.Matrix : HardwareUnit.Vector;
        var precision = PrecisionOf(dataType);
        if (precision is { } p)
        {
            if (device.Peak(p, hw) is { } r)
            {
                return (r, $"{dataType} {Describe(unit)}");
            }

            if (hw == HardwareUnit.Matrix && device.Peak(p, HardwareUnit.Vector) is { } v)
            {
                return (v, $"{dataType} vector (no {dataType} matrix peak)");
            }
        }

        var why = precision is null ? $"no peak for {dataType}" : $"no {dataType} peak";
        if (device.Peak(Precision.Fp32, hw) is { } f)
        {
            return (f, $"fp32 {Describe(unit)} ({why})");
        }

        if (device.Peak(Precision.Fp32, HardwareUnit.Vector) is { } fv)
        {
            return (fv, $"fp32 vector ({why})");
        }

        // Devices without fp32 peaks (TPUs: XLA runs f32 math on the MXU in bf16 passes by default): the bf16 peak.
        var none = precision == Precision.Fp32 ? "no fp32 peak" : $"{why}, no fp32 peak";
        return device.Peak(Precision.Bf16, hw) is { } b ? (b, $"bf16 {Describe(unit)} ({none})")
            : device.Peak(Precision.Bf16, HardwareUnit.Matrix) is { } bm ? (bm, $"bf16 matrix ({none})") : (null, "");
    }

    /// <summary>
    /// The dtype the hardware ran: an fp32 matrix op whose kernels are TF32 tensor-core kernels (<c>tensorop_s1688gemm</c>,
    /// <c>…tf32…</c>, as PyTorch runs fp32 matmuls and convolutions on Ampere and later when TF32 is allowed) runs at
    /// the TF32 peak, not the fp32 one; the kernel name is the evidence. Anything else keeps the op's own dtype.
    /// </summary>
    public static string ExecutedDataType(string dataType, CostUnit unit, IReadOnlyList<string> kernelNames)
    {
        ArgumentNullException.ThrowIfNull(kernelNames);
        return dataType == "fp32" && unit == CostUnit.Matrix && kernelNames.Any(IsTf32Kernel) ? "tf32" : dataType;
    }

    private static bool IsTf32Kernel(string name) =>
        name.Contains("tf32", StringComparison.OrdinalIgnoreCase) || name.Contains("s1688gemm", StringComparison.OrdinalIgnoreCase);

    /// <summary>The catalog precision of a cost-model dtype name, or null for dtypes the catalog has no peaks for.</summary>
    public static Precision? PrecisionOf(string dataType) => dataType switch
    {
        "fp64" => Precision.Fp64,
        "fp32" => Precision.Fp32,
        "tf32" => Precision.Tf32,
        "bf16" => Precision.Bf16,
        "fp16" => Precision.Fp16,
        "fp8" => Precision.Fp8,
        "int8" => Precision.Int8,
        "fp4" => Precision.Fp4,
        _ => null,
    };

    private static string Describe(CostUnit unit) => unit == CostUnit.Matrix ? "matrix" : "vector";

    private static double Finite(double v) => double.IsFinite(v) && v > 0 ? v : 0;
}
