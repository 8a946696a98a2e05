using System.Runtime.InteropServices;
using Headroom.Analysis.Kernels;
using Headroom.Hardware;

namespace Headroom.Analysis.Comparison;

/// <summary>
/// Compares two runs (docs/diff.md). Every metric is a mean over samples, one per (rank, step) — or one per rank window
/// for a rank without steps — so runs with different rank or step counts compare; each change carries Welch's 95%
/// interval (<see cref="WelchInterval"/>). Ops are matched by signature (name, Input Dims, Input type), which holds across
/// vendors; kernels by name, only within one vendor. Pure.
/// </summary>
public static class RunDiffAnalysis
{
    /// <summary>Compares <paramref name="baseline"/> (A) with <paramref name="candidate"/> (B).</summary>
    public static RunDiffResult Compare(ComparableRun baseline, ComparableRun candidate)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(candidate);
        var a = Samples.Of(baseline, kernels: true);
        var b = Samples.Of(candidate, kernels: true);
        var sideA = SideOf(baseline, a);
        var sideB = SideOf(candidate, b);
        // devices outside the catalog ("?") compare by their names
        var sameHardware = sideA.HardwareIds.SequenceEqual(sideB.HardwareIds, StringComparer.Ordinal)
            && (!sideA.HardwareIds.Contains("?") || sideA.Devices.SequenceEqual(sideB.Devices, StringComparer.Ordinal));
        var sameVendor = sideA.Vendors.Count == 1 && sideA.Vendors.SequenceEqual(sideB.Vendors, StringComparer.Ordinal);

        var ops = new List<OpDiff>(a.Ops.Count + b.Ops.Count);
        foreach (var (key, accA) in a.Ops)
        {
            b.Ops.TryGetValue(key, out var accB);
            ops.Add(OpOf(key, accA, accB, a.Count, b.Count));
        }

        foreach (var (key, accB) in b.Ops)
        {
            if (!a.Ops.ContainsKey(key))
            {
                ops.Add(OpOf(key, null, accB, a.Count, b.Count));
            }
        }

        ops.Sort((x, y) => Math.Abs(y.PerStepNs.Delta).CompareTo(Math.Abs(x.PerStepNs.Delta)) is var c && c != 0 ? c
            : string.CompareOrdinal(x.Name, y.Name) is var n && n != 0 ? n : string.CompareOrdinal(x.InputDims, y.InputDims));

        List<KernelDiff>? kernels = null;
        if (sameVendor)
        {
            kernels = new List<KernelDiff>(a.Kernels.Count + b.Kernels.Count);
            foreach (var name in a.Kernels.Keys.Union(b.Kernels.Keys))
            {
                a.Kernels.TryGetValue(name, out var ka);
                b.Kernels.TryGetValue(name, out var kb);
                var estimate = Estimate(ka?.Samples, a.Count, kb?.Samples, b.Count);
                kernels.Add(new KernelDiff(name, (ka ?? kb)!.Category, ChangeOf(ka is not null, kb is not null, estimate), estimate));
            }

            kernels.Sort((x, y) => Math.Abs(y.PerStepNs.Delta).CompareTo(Math.Abs(x.PerStepNs.Delta)) is var c && c != 0 ? c : string.CompareOrdinal(x.Name, y.Name));
        }

        var step = WelchInterval.Compute(a.Step.ToArray(), b.Step.ToArray());
        var idle = WelchInterval.Compute(a.Idle.ToArray(), b.Idle.ToArray());
        double Group(DiffChange change) => ops.Where(o => o.Change == change).Sum(o => o.PerStepNs.Delta);
        var groups = (New: Group(DiffChange.New), Removed: Group(DiffChange.Removed), Slower: Group(DiffChange.Slower), Faster: Group(DiffChange.Faster),
            Unchanged: Group(DiffChange.Unchanged));
        var rest = step.Delta - groups.New - groups.Removed - groups.Slower - groups.Faster - groups.Unchanged - idle.Delta;
        var decomposition = new StepDecomposition(groups.New, groups.Removed, groups.Slower, groups.Faster, groups.Unchanged, idle.Delta, rest);
        var mfu = a.Mfu.Count > 0 && b.Mfu.Count > 0 ? WelchInterval.Compute(a.Mfu.ToArray(), b.Mfu.ToArray()) : null;
        return new RunDiffResult(sideA, sideB, sameHardware, sameVendor, step, mfu, WelchInterval.Compute(a.Exposed.ToArray(), b.Exposed.ToArray()),
            idle, decomposition, ops, kernels);
    }

    /// <summary>
    /// The change of one gate metric (<see cref="GateMetric"/>), or null when it cannot be compared (an op name in neither
    /// run; MFU when a run has no catalog device).
    /// </summary>
    public static DeltaEstimate? Metric(ComparableRun baseline, ComparableRun candidate, GateMetric metric)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(metric);
        var a = Samples.Of(baseline, kernels: false);
        var b = Samples.Of(candidate, kernels: false);
        switch (metric.Kind)
        {
            case GateMetricKind.StepTime:
                return WelchInterval.Compute(a.Step.ToArray(), b.Step.ToArray());
            case GateMetricKind.Mfu:
                return a.Mfu.Count > 0 && b.Mfu.Count > 0 ? WelchInterval.Compute(a.Mfu.ToArray(), b.Mfu.ToArray()) : null;
            case GateMetricKind.ExposedCommunication:
                return WelchInterval.Compute(a.Exposed.ToArray(), b.Exposed.ToArray());
            default:
                var opA = a.OpByName(metric.OpName!);
                var opB = b.OpByName(metric.OpName!);
                return opA is null && opB is null ? null : Estimate(opA, a.Count, opB, b.Count);
        }
    }

    private static OpDiff OpOf(OpKey key, OpSamples? a, OpSamples? b, int countA, int countB)
    {
        var estimate = Estimate(a?.Samples, countA, b?.Samples, countB);
        return new OpDiff(key.Name, key.Dims, key.Types, ChangeOf(a is not null, b is not null, estimate), estimate, a?.Calls ?? 0, b?.Calls ?? 0);
    }

    /// <summary>An absent side is that many samples of 0.</summary>
    private static DeltaEstimate Estimate(double[]? a, int countA, double[]? b, int countB) =>
        WelchInterval.FromMoments(a is null ? (countA, 0, 0) : WelchInterval.Moments(a), b is null ? (countB, 0, 0) : WelchInterval.Moments(b));

    private static DiffChange ChangeOf(bool inA, bool inB, DeltaEstimate e) =>
        !inA ? DiffChange.New
        : !inB ? DiffChange.Removed
        : e.Delta == 0 || e.Significant == false ? DiffChange.Unchanged
        : e.Delta > 0 ? DiffChange.Slower
        : DiffChange.Faster;

    private static DiffSide SideOf(ComparableRun run, Samples s) => new(run.Name, run.ToolVersion, run.Ranks.Count, s.Count,
        run.Ranks.Count > 0 && run.Ranks.All(r => r.Tables.StepNumbers.Count > 0),
        [.. run.Ranks.Select(r => r.Device).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
        [.. run.Ranks.Select(r => r.HardwareId ?? "?").Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
        [.. run.Ranks.Select(VendorOf).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]);

    /// <summary>The catalog's vendor for the rank's device, else a guess from the device name, else the name itself.</summary>
    private static string VendorOf(ComparableRunRank rank)
    {
        if (rank.HardwareId is { } id && HardwareCatalog.BuiltIn.Find(id) is { Vendor.Length: > 0 } spec)
        {
            return spec.Vendor;
        }

        var d = rank.Device;
        return d.Contains("NVIDIA", StringComparison.OrdinalIgnoreCase) || d.Contains("Tesla", StringComparison.OrdinalIgnoreCase)
            || d.Contains("GeForce", StringComparison.OrdinalIgnoreCase) || d.Contains("Quadro", StringComparison.OrdinalIgnoreCase) ? "NVIDIA"
            : d.Contains("AMD", StringComparison.OrdinalIgnoreCase) || d.Contains("Instinct", StringComparison.OrdinalIgnoreCase)
              || d.Contains("Radeon", StringComparison.OrdinalIgnoreCase) ? "AMD"
            : d;
    }

    private readonly record struct OpKey(string Name, string Dims, string Types);

    private sealed class OpSamples(int count)
    {
        public readonly double[] Samples = new double[count];
        public long Calls;
    }

    private sealed class KernelSamples(int count, KernelCategory category)
    {
        public readonly double[] Samples = new double[count];
        public readonly KernelCategory Category = category;
    }

    /// <summary>One run as samples: one slot per (rank, step), or per rank window for a rank without steps.</summary>
    private sealed class Samples
    {
        public int Count;
        public readonly List<double> Step = [], Idle = [], Exposed = [], Mfu = [];
        public readonly Dictionary<OpKey, OpSamples> Ops = [];
        public readonly Dictionary<string, KernelSamples> Kernels = new(StringComparer.Ordinal);

        public static Samples Of(ComparableRun run, bool kernels)
        {
            var s = new Samples { Count = run.Ranks.Sum(r => Math.Max(1, r.Tables.StepNumbers.Count)) };
            var offset = 0;
            foreach (var rank in run.Ranks)
            {
                var t = rank.Tables;
                var steps = t.StepNumbers.Count;
                var idleShare = rank.WindowNs > 0 ? (double)rank.IdleNs / rank.WindowNs : 0;
                var exposedShare = rank.WindowNs > 0 ? (double)rank.ExposedCommunicationNs / rank.WindowNs : 0;
                var meanStep = steps > 0 ? t.StepNs.Average() : rank.WindowNs;
                for (var k = 0; k < Math.Max(1, steps); k++)
                {
                    double ns = steps > 0 ? t.StepNs[k] : rank.WindowNs;
                    s.Step.Add(ns);
                    s.Idle.Add(idleShare * ns);
                    s.Exposed.Add(exposedShare * ns);
                    if (rank.Mfu is { } mfu && ns > 0)
                    {
                        // A step's FLOPs are taken as the rank's mean, so its MFU scales with 1 / its time.
                        s.Mfu.Add(mfu * meanStep / ns);
                    }
                }

                foreach (var op in t.Ops)
                {
                    ref var acc = ref CollectionsMarshal.GetValueRefOrAddDefault(s.Ops, new OpKey(op.Name, op.InputDims, op.InputTypes), out _);
                    acc ??= new OpSamples(s.Count);
                    acc.Calls += op.Calls;
                    Fill(acc.Samples, offset, steps, op.PerStepNs, op.TotalNs);
                }

                if (kernels)
                {
                    foreach (var kernel in t.Kernels)
                    {
                        ref var acc = ref CollectionsMarshal.GetValueRefOrAddDefault(s.Kernels, kernel.Name, out _);
                        acc ??= new KernelSamples(s.Count, kernel.Category);
                        Fill(acc.Samples, offset, steps, kernel.PerStepNs, kernel.TotalNs);
                    }
                }

                offset += Math.Max(1, steps);
            }

            return s;
        }

        /// <summary>Per-(rank, step) time of every signature of the op named <paramref name="name"/>; null when the run has none.</summary>
        public double[]? OpByName(string name)
        {
            double[]? sum = null;
            foreach (var (key, acc) in Ops)
            {
                if (key.Name == name)
                {
                    sum ??= new double[Count];
                    for (var i = 0; i < Count; i++)
                    {
                        sum[i] += acc.Samples[i];
                    }
                }
            }

            return sum;
        }

        private static void Fill(double[] samples, int offset, int steps, IReadOnlyList<long> perStep, long total)
        {
            if (steps == 0)
            {
                samples[offset] += total;
                return;
            }

            for (var k = 0; k < steps && k < perStep.Count; k++)
            {
                samples[offset + k] += perStep[k];
            }
        }
    }
}
