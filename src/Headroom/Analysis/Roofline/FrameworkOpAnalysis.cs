using System.Text.RegularExpressions;
using Headroom.Hardware;
using Headroom.Model;

namespace Headroom.Analysis.Roofline;

/// <summary>
/// A framework op (the JAX primitive or TensorFlow op an XLA op was lowered from: its <c>tf_op</c>) with the device
/// work of every XLA op lowered from it, as XProf's framework_op_stats counts it.
/// </summary>
/// <param name="Name">The op's full name, without its type suffix: <c>jit(train_step)/jit(main)/.../mlp/wi_0/dot_general[...]</c>, <c>model/dense/MatMul</c>.</param>
/// <param name="Type">Its type: the JAX primitive (<c>dot_general</c>) or the TensorFlow op type (<c>MatMul</c>).</param>
/// <param name="Occurrences">How many times it ran: the most executions of any one XLA op lowered from it.</param>
/// <param name="XlaOps">Distinct XLA ops lowered from it.</param>
/// <param name="TimeNs">Device time of those ops, ns (XLA ops do not nest: total time = self time).</param>
/// <param name="Flops">FLOPs those ops executed.</param>
/// <param name="ModelFlops">The model's FLOPs among them.</param>
/// <param name="Bytes">Bytes they accessed in device memory.</param>
/// <param name="DataType">The dtype of the XLA op with the most time.</param>
/// <param name="Matrix">That op ran on the matrix units.</param>
/// <param name="FlopsPerSecond">FLOPs ÷ time; null when no time.</param>
/// <param name="BytesPerSecond">Bytes ÷ time; null when no time.</param>
/// <param name="Intensity">FLOPs ÷ bytes; null when no bytes.</param>
/// <param name="Bound">Compute or memory by the ridge point of the dtype's peak; unknown when the ops neither compute nor move bytes, or without a device.</param>
/// <param name="Efficiency">XProf's roofline efficiency (the larger of compute and memory utilisation); null without a device.</param>
public sealed record FrameworkOpStats(string Name, string Type, long Occurrences, int XlaOps, long TimeNs, double Flops, double ModelFlops, double Bytes,
    string DataType, bool Matrix, double? FlopsPerSecond, double? BytesPerSecond, double? Intensity, RooflineBound Bound, double? Efficiency);

/// <summary>
/// The framework ops of a rank, longest first, and how much of the device time they account for.
/// </summary>
/// <param name="Ops">The longest framework ops (all of them when fewer than the limit).</param>
/// <param name="Count">Framework ops found (before the limit).</param>
/// <param name="TimeNs">Device time of XLA ops with a framework op, ns.</param>
/// <param name="UnattributedNs">Device time of activities with none (copies, collectives, kernels without an XLA op), ns.</param>
public sealed record FrameworkOpResult(IReadOnlyList<FrameworkOpStats> Ops, int Count, long TimeNs, long UnattributedNs)
{
    /// <summary>No framework ops (a trace that records none: Kineto traces, XSpaces without <c>tf_op</c>).</summary>
    public static FrameworkOpResult Empty { get; } = new([], 0, 0, 0);
}

/// <summary>
/// One XLA op's executions under a framework op: what <see cref="FrameworkOpAnalysis.Aggregate"/> sums.
/// </summary>
/// <param name="FrameworkOp">The <c>tf_op</c> (a trailing <c>:</c> allowed, as XLA writes it for JAX ops).</param>
/// <param name="XlaOp">The XLA op's name (one HLO instruction).</param>
/// <param name="Executions">How many times it ran.</param>
/// <param name="TimeNs">Its device time, ns.</param>
/// <param name="Flops">FLOPs over all its executions.</param>
/// <param name="ModelFlops">Model FLOPs over all its executions.</param>
/// <param name="Bytes">Bytes over all its executions.</param>
/// <param name="DataType">Its dtype.</param>
/// <param name="Matrix">It runs on the matrix units.</param>
public sealed record FrameworkOpSample(string FrameworkOp, string XlaOp, long Executions, long TimeNs, double Flops, double ModelFlops, double Bytes,
    string DataType, bool Matrix);

/// <summary>
/// Groups a rank's XLA ops by the framework op they were lowered from (<see cref="DeviceOpCost.FrameworkOp"/>), with
/// XProf's framework_op_stats definitions (checked on its golden output): time and FLOPs and bytes are sums; FLOP rate
/// and bandwidth are sums over the time; occurrences are the most executions of any one XLA op (a primitive lowered
/// into several HLO instructions ran once per step, not once per instruction). A pure function of the activities.
/// </summary>
public static partial class FrameworkOpAnalysis
{
    /// <summary>Framework ops kept per rank (the longest).</summary>
    public const int MaxOps = 50;

    /// <summary>The framework ops of the activities starting in [start, end).</summary>
    public static FrameworkOpResult Compute(RankActivities activities, long start, long end, DeviceSpec? device, int limit = MaxOps)
    {
        ArgumentNullException.ThrowIfNull(activities);
        var trace = activities.Trace;
        if (trace.DeviceOpCosts.Count == 0)
        {
            return FrameworkOpResult.Empty;
        }

        var events = activities.Event;
        var starts = activities.Start;
        var ends = activities.End;
        var (first, last) = activities.StartingIn(start, end);
        // One sample per XLA op: a cost object stands for one HLO instruction (the reader makes one per instruction).
        var samples = new Dictionary<DeviceOpCost, (long Executions, long Time, double Flops, double Model, double Bytes)>(ReferenceEqualityComparer.Instance);
        long unattributed = 0;
        for (var i = first; i < last; i++)
        {
            var g = events[i];
            if (g < 0)
            {
                continue;
            }

            var duration = Math.Max(0, ends[i] - starts[i]);
            var firstKernel = trace.ExecutionStart(g);
            if (!trace.DeviceOpCosts.TryGetValue(firstKernel, out var cost) || cost.FrameworkOp.Length == 0)
            {
                unattributed += duration;
                continue;
            }

            var s = samples.GetValueOrDefault(cost);
            var execution = firstKernel == g; // a further kernel of an execution adds time, not another execution or its cost
            samples[cost] = execution
                ? (s.Executions + 1, s.Time + duration, s.Flops + cost.Flops, s.Model + cost.ModelFlops, s.Bytes + cost.Bytes)
                : s with { Time = s.Time + duration };
        }

        var result = Aggregate(samples.Select(kv => new FrameworkOpSample(kv.Key.FrameworkOp, kv.Key.Name, kv.Value.Executions, kv.Value.Time,
            kv.Value.Flops, kv.Value.Model, kv.Value.Bytes, kv.Key.DataType, kv.Key.Matrix)), device, limit);
        return result with { UnattributedNs = unattributed };
    }

    /// <summary>Sums XLA ops' samples into framework ops, longest first, keeping <paramref name="limit"/>.</summary>
    public static FrameworkOpResult Aggregate(IEnumerable<FrameworkOpSample> samples, DeviceSpec? device, int limit = MaxOps)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var ops = new List<FrameworkOpStats>();
        foreach (var group in samples.Select(s => (Sample: s, Op: Parse(s.FrameworkOp))).GroupBy(x => x.Op.Name, StringComparer.Ordinal))
        {
            var members = group.Select(x => x.Sample).ToList();
            var (main, (_, type)) = group.OrderByDescending(x => x.Sample.TimeNs).ThenBy(x => x.Sample.XlaOp, StringComparer.Ordinal).First();
            long time = members.Sum(m => m.TimeNs);
            double flops = members.Sum(m => m.Flops), model = members.Sum(m => m.ModelFlops), bytes = members.Sum(m => m.Bytes);
            double? flopRate = time > 0 ? flops / (time / 1e9) : null;
            double? byteRate = time > 0 ? bytes / (time / 1e9) : null;
            double? intensity = bytes > 0 ? flops / bytes : null;
            var bound = RooflineBound.Unknown;
            double? efficiency = null;
            if (device is not null && (flops > 0 || bytes > 0))
            {
                var (peak, _) = RooflineAnalysis.PeakFor(device, main.DataType, main.Matrix ? Costs.ComputeUnit.Matrix : Costs.ComputeUnit.Vector);
                var bw = device.MemoryBandwidth;
                if (peak is { } p && bw.BytesPerSecond > 0)
                {
                    bound = RooflineAnalysis.Bound(intensity, p.PerSecond, bw.BytesPerSecond);
                    efficiency = RooflineAnalysis.Efficiency(flopRate ?? 0, byteRate ?? 0, p.PerSecond, bw.BytesPerSecond);
                }
            }

            ops.Add(new FrameworkOpStats(group.Key, type, members.Max(m => m.Executions), members.Count, time, flops, model, bytes,
                main.DataType, main.Matrix, flopRate, byteRate, intensity, bound, efficiency));
        }

        var ordered = ops.OrderByDescending(o => o.TimeNs).ThenBy(o => o.Name, StringComparer.Ordinal).ToList();
        return new FrameworkOpResult([.. ordered.Take(limit)], ordered.Count, ordered.Sum(o => o.TimeNs), 0);
    }

    /// <summary>
    /// A <c>tf_op</c>'s name and type, as XProf parses it: TensorFlow's <c>name:Type</c> (a type is an identifier starting
    /// with a capital or <c>_</c>); else a JAX op path whose last segment names the primitive, <c>dot_general[...]</c> →
    /// <c>dot_general</c> (a segment that is no primitive name, <c>scatter-add[...]</c> or <c>state.params[...]</c>, is its
    /// own type). A trailing <c>:</c> (JAX ops have no type) is dropped.
    /// </summary>
    public static (string Name, string Type) Parse(string tfOp)
    {
        ArgumentNullException.ThrowIfNull(tfOp);
        var name = tfOp.EndsWith(':') ? tfOp[..^1] : tfOp;
        var colon = name.LastIndexOf(':');
        if (colon > 0 && TensorFlowType().IsMatch(name.AsSpan(colon + 1)))
        {
            return (name[..colon], name[(colon + 1)..]);
        }

        var segment = LastSegment(name);
        var jax = JaxPrimitive().Match(segment);
        return (name, jax.Success ? jax.Groups[1].Value : segment);
    }

    /// <summary>The part after the last <c>/</c> outside brackets and parentheses.</summary>
    private static string LastSegment(string name)
    {
        var depth = 0;
        for (var i = name.Length - 1; i >= 0; i--)
        {
            switch (name[i])
            {
                case ']' or ')':
                    depth++;
                    break;
                case '[' or '(':
                    depth--;
                    break;
                case '/' when depth == 0:
                    return name[(i + 1)..];
                default:
                    break;
            }
        }

        return name;
    }

    [GeneratedRegex(@"^[A-Z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex TensorFlowType();

    [GeneratedRegex(@"^([a-z_][a-z0-9_]*)(\[.*\])?$", RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex JaxPrimitive();
}
