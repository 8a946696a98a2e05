using System.Globalization;
using System.Text.RegularExpressions;
using Headroom.Analysis.Breakdown;
using Headroom.Analysis.Distributed;
using Headroom.Analysis.Roofline;
using Headroom.Hardware;
using Headroom.Model;
using CostUnit = Headroom.Costs.ComputeUnit;

namespace Headroom.Analysis.Opportunities;

/// <summary>
/// The ranked list of opportunities of one rank: device idle, exposed communication and copies, ops below their roofline,
/// short kernels and fusable kernel chains, each as step time saved per step, net of overlap (docs/headroom.md). Pure.
/// </summary>
public static partial class HeadroomAnalysis
{
    /// <summary>Efficiency a well-tuned compute-bound op reaches: savings are measured up to 70% of the peak.</summary>
    public const double ComputeTarget = 0.7;

    /// <summary>Efficiency a well-tuned memory-bound (or fused short) op reaches: 80% of the memory bandwidth.</summary>
    public const double MemoryTarget = 0.8;

    /// <summary>Items saving less than this share of the step (0.5%) are not listed.</summary>
    public const double MinimumShare = 0.005;

    /// <summary>At most this many items per rank.</summary>
    public const int MaxItems = 15;

    /// <summary>The inputs: one rank's analysed window and the results already computed for it.</summary>
    /// <param name="Activities">The rank's activities.</param>
    /// <param name="StartNs">Analysed window start.</param>
    /// <param name="EndNs">Analysed window end.</param>
    /// <param name="Steps">Steps in the window (0: the trace has none; savings are per window).</param>
    /// <param name="Exposure">Exposed time per activity over the window.</param>
    /// <param name="Overall">Breakdown of the window.</param>
    /// <param name="Idle">Idle time per stream and cause.</param>
    /// <param name="Roofline">The roofline over the window, every op signature (not only the listed ones).</param>
    public sealed record Inputs(RankActivities Activities, long StartNs, long EndNs, int Steps, Exposure Exposure, GpuTimeBreakdown Overall,
        IdleTimeResult Idle, RooflineResult Roofline);

    /// <summary>The opportunities of one rank, largest saving first.</summary>
    public static HeadroomResult Compute(Inputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var window = inputs.Overall.WindowNs;
        if (window <= 0)
        {
            return HeadroomResult.Empty;
        }

        var steps = Math.Max(1, inputs.Steps);
        var step = window / steps;
        var items = new List<HeadroomItem>();
        HeadroomItem Item(HeadroomKind kind, string title, double totalSavingNs, HeadroomBound bound, string evidence, string suggestion, string method)
        {
            var perStep = (long)Math.Round(Math.Max(0, totalSavingNs) / steps);
            return new HeadroomItem(kind, title, perStep, step > 0 ? (double)perStep / step : 0, bound, evidence, suggestion, method);
        }

        DeviceIdle(inputs, steps, items, Item);
        Communication(inputs, step, steps, items, Item);
        Copies(inputs, steps, items, Item);
        BelowRoofline(inputs, step, steps, items, Item);
        ShortKernels(inputs, step, steps, items, Item);
        FusionChains(inputs, step, steps, items, Item);

        var ranked = items.Where(i => i.SavingNsPerStep > 0 && i.ShareOfStep >= MinimumShare)
            .OrderByDescending(i => i.SavingNsPerStep).ThenBy(i => i.Title, StringComparer.Ordinal).Take(MaxItems)
            .Select(i => inputs.Steps > 0 ? i : i with { Title = PerWindow(i.Title), Evidence = PerWindow(i.Evidence) }).ToList();
        return new HeadroomResult(ranked, steps, step, inputs.Steps == 0);
    }

    private delegate HeadroomItem MakeItem(HeadroomKind kind, string title, double totalSavingNs, HeadroomBound bound, string evidence,
        string suggestion, string method);

    private static void DeviceIdle(Inputs inputs, int steps, List<HeadroomItem> items, MakeItem item)
    {
        var o = inputs.Overall;
        if (o.IdleNs <= 0)
        {
            return;
        }

        var idle = inputs.Idle;
        var total = Math.Max(1, idle.TotalIdleNs);
        var host = (double)idle.IdleNs(IdleCategory.HostWait) / total;
        var kernel = (double)idle.IdleNs(IdleCategory.KernelWait) / total;
        var other = (double)idle.IdleNs(IdleCategory.Other) / total;
        var share = o.Share(o.IdleNs);
        var cause = host >= 0.5 ? " waiting on the host" : other >= 0.5 ? " between dependent work (syncs, events, other streams)" : "";
        var xla = inputs.Activities.Trace.Metadata.Format == "XSpace";
        var suggestion = host >= 0.5 && xla
            ? "keep the device fed: the host enqueues the next XLA program too late; jit larger units (the whole step, lax.scan over layers or microbatches), keep the Python loop from synchronising (block_until_ready, device_get, float() or printing of arrays) so dispatch runs ahead, and prefetch inputs to the device"
            : host >= 0.5
            ? "keep the device fed: cut Python and launch overhead (CUDA graphs, torch.compile mode='reduce-overhead'), take data loading and host work off the critical path (pinned memory, non_blocking copies, more DataLoader workers), and remove host synchronisations (.item(), .cpu(), printing tensors)"
            : other >= 0.5
                ? "find what the device waits for between kernels: host synchronisations (cudaDeviceSynchronize, cudaStreamSynchronize), event waits, or work serialised on another stream; overlap or remove them"
                : "reduce launch gaps: fewer, larger kernels (fusion, torch.compile) or CUDA graphs";
        var device = inputs.Activities.Trace.DeviceName.StartsWith("TPU", StringComparison.Ordinal) ? "TPU" : "GPU";
        items.Add(item(HeadroomKind.DeviceIdle, F($"{device} idle {Pc(share)} of the step{cause}"), o.IdleNs, HeadroomBound.Host,
            F($"no stream busy for {Ms(o.IdleNs / steps)} per step ({Pc1(share)}); of the streams' idle time {Pc(host)} is host wait, {Pc(kernel)} kernel wait (gaps under 30 µs), {Pc(other)} other"),
            suggestion, "device idle time (no stream busy) per step; an upper bound, reached only if the device never waits"));
    }

    private static void Communication(Inputs inputs, long step, int steps, List<HeadroomItem> items, MakeItem item)
    {
        var a = inputs.Activities;
        var trace = a.Trace;
        var byKind = new Dictionary<string, (int Count, long Time, long Exposed)>(StringComparer.Ordinal);
        var names = new Dictionary<int, string>();
        var (first, last) = a.StartingIn(inputs.StartNs, inputs.EndNs);
        for (var i = first; i < last; i++)
        {
            var g = a.Event[i];
            if (g < 0 || a.Class[i] != ActivityClass.Communication)
            {
                continue;
            }

            // The recorded collective (record_param_comms) names what the kernel implements: PyTorch runs all_to_all
            // as NCCL send/recv kernels. Else the kernel name says.
            var c = trace.Gpu.Collective[g];
            var kind = c >= 0 && c < trace.Collectives.Count && CollectiveNames.Normalize(trace.Collectives[c].Name) is { } recorded
                ? recorded
                : CollectiveOp(trace, trace.Gpu.Op[g]);
            var nameId = trace.Gpu.Name[g];
            if (kind is null && !names.TryGetValue(nameId, out kind))
            {
                kind = CollectiveNames.FromKernelName(trace.Strings[nameId]) ?? "communication";
                names[nameId] = kind;
            }

            var s = Math.Max(inputs.StartNs, a.Start[i]);
            var e = Math.Min(inputs.EndNs, a.End[i]);
            var exposed = e > s ? e - s - inputs.Exposure.Computation.Covered(s, e) : 0;
            var v = byKind.GetValueOrDefault(kind);
            byKind[kind] = (v.Count + 1, v.Time + Math.Max(0, a.End[i] - a.Start[i]), v.Exposed + exposed);
        }

        // Collectives overlapping each other would be counted twice: scale to the breakdown's exposed communication.
        var sum = byKind.Values.Sum(v => v.Exposed);
        var scale = sum > inputs.Overall.CommunicationNs && sum > 0 ? (double)inputs.Overall.CommunicationNs / sum : 1;
        foreach (var (kind, v) in byKind)
        {
            var exposed = v.Exposed * scale;
            var share = step > 0 ? exposed / steps / step : 0;
            var mean = v.Count > 0 ? (double)v.Time / v.Count : 0;
            var suggestion = kind switch
            {
                "all_reduce" => "overlap it with the backward pass (DDP buckets: bucket_cap_mb; no_sync during gradient accumulation)",
                "all_gather" or "reduce_scatter" => "prefetch the next layer's collective while this one computes (FSDP forward_prefetch / backward_prefetch), or shard across fewer ranks (hybrid sharding)",
                "all_to_all" => "overlap the exchange with dense computation (pipeline the embedding or expert all-to-all), or shrink its payload (fp16/fp8)",
                _ => "overlap it with computation on another stream, or move less data",
            };
            if (mean < 100_000 && v.Count >= 2 * steps)
            {
                suggestion += F($"; {v.Count / steps:N0} calls per step of {Ms(mean)} on average: bucket them into fewer, larger calls");
            }

            items.Add(item(HeadroomKind.ExposedCommunication, F($"exposed {kind} is {Pc(share)} of the step: overlap or bucket it"), exposed,
                HeadroomBound.Communication,
                F($"{v.Count / (double)steps:0.#} kernels per step, {Ms(v.Time / steps)} per step of which {Ms((long)(exposed / steps))} not hidden under computation; mean {Ms(mean)} per kernel"),
                suggestion, "communication time with no computation on any stream, per step; an upper bound, reached if fully overlapped"));
        }
    }

    /// <summary>The collective named by the launching op or one of its ancestors (<c>c10d::alltoall_base_</c>, <c>nccl:all_to_all</c>), or null.</summary>
    private static string? CollectiveOp(RankTrace trace, int op)
    {
        for (var o = op; o >= 0; o = trace.Cpu.Parent[o])
        {
            if (CollectiveNames.FromOpName(trace.Strings[trace.Cpu.Name[o]]) is { } name)
            {
                return name;
            }
        }

        return null;
    }

    private static void Copies(Inputs inputs, int steps, List<HeadroomItem> items, MakeItem item)
    {
        var o = inputs.Overall;
        var exposed = o.MemcpyNs + o.MemsetNs;
        if (exposed <= 0)
        {
            return;
        }

        items.Add(item(HeadroomKind.ExposedCopy, F($"copies and sets with nothing else running are {Pc(o.Share(exposed))} of the step"), exposed,
            HeadroomBound.Memory,
            F($"copies {Ms(o.MemcpyNs / steps)} and sets {Ms(o.MemsetNs / steps)} per step ran with no kernel alongside (copies in total {Ms(o.MemcpyTotalNs / steps)})"),
            inputs.Activities.Trace.Metadata.Format == "XSpace"
                // XLA programs: the copies are XLA's own (async copy-start/done, host offload, infeed/outfeed).
                ? "the device waits on XLA copies: keep what fits in HBM instead of offloading it to host memory (remat and offload policies), start host transfers earlier so the copy-done waits overlap compute (prefetch, async dispatch), and move fewer bytes (smaller dtypes)"
                : "overlap host-device copies with computation: pinned memory and non_blocking=True, prefetch the next batch on a side stream; avoid device-to-device copies (.contiguous(), dtype conversions) and zero-fills you do not need",
            "copy and set time with no kernel or collective running, per step; an upper bound"));
    }

    private static void BelowRoofline(Inputs inputs, long step, int steps, List<HeadroomItem> items, MakeItem item)
    {
        var device = inputs.Roofline.Device;
        if (device is null)
        {
            return;
        }

        foreach (var op in inputs.Roofline.Ops)
        {
            if (op.Efficiency is not { } eff || op.Bound is not (RooflineBound.Compute or RooflineBound.Memory) || op.ExposedNs <= 0)
            {
                continue;
            }

            var target = op.Bound == RooflineBound.Compute ? ComputeTarget : MemoryTarget;
            if (eff >= target)
            {
                continue;
            }

            var saving = op.ExposedNs * (1 - eff / target);
            var bandwidth = device.MemoryBandwidth.BytesPerSecond;
            var evidence = F($"{op.Count / (double)steps:0.#} calls per step, {Ms(op.TimeNs / steps)} per step ({Ms(op.ExposedNs / steps)} exposed); {Tflops(op.AchievedFlopsPerSecond)} of {op.Peak} {Tflops(op.PeakFlopsPerSecond ?? 0)}, {op.AchievedBytesPerSecond / 1e9:0.#} GB/s of {bandwidth / 1e9:0} GB/s, intensity {op.Intensity ?? 0:0.#} FLOP/B; {op.Formula}");
            var (title, suggestion) = op.Bound == RooflineBound.Compute
                ? ComputeAdvice(op, eff, device)
                : MemoryAdvice(op, eff);
            items.Add(item(HeadroomKind.BelowRoofline, title, saving,
                op.Bound == RooflineBound.Compute ? HeadroomBound.Compute : HeadroomBound.Memory, evidence, suggestion,
                F($"exposed time × (1 − efficiency / {Pc(target)}): the step time saved if the op reached {Pc(target)} of its {(op.Bound == RooflineBound.Compute ? "peak" : "memory bandwidth")}"))
                with
            { Op = op.Name });
        }
    }

    private static void ShortKernels(Inputs inputs, long step, int steps, List<HeadroomItem> items, MakeItem item)
    {
        if (inputs.Roofline.Device is null)
        {
            return;
        }

        var latency = inputs.Roofline.Ops.Where(o => o.Bound == RooflineBound.Latency && o.Efficiency is < MemoryTarget).ToList();
        if (latency.Count == 0)
        {
            return;
        }

        var saving = latency.Sum(o => o.ExposedNs * (1 - (o.Efficiency ?? 0) / MemoryTarget));
        var kernels = latency.Sum(o => o.Kernels);
        var time = latency.Sum(o => o.TimeNs);
        var top = string.Join(", ", latency.OrderByDescending(o => o.ExposedNs).Take(3).Select(o => F($"{o.Name} ({o.Kernels / (double)steps:0.#}/step, mean {Ms(o.MeanKernelNs)})")));
        items.Add(item(HeadroomKind.ShortKernels,
            F($"{kernels / (double)steps:N0} kernels per step run under {RooflineAnalysis.LatencyThresholdNs / 1000} µs ({Pc((double)time / steps / Math.Max(1, step))} of the step): fuse them or capture the step in a CUDA graph"),
            saving, HeadroomBound.Latency,
            F($"{latency.Count} op signatures whose mean kernel is under {RooflineAnalysis.LatencyThresholdNs / 1000} µs, {Ms(time / steps)} per step; most exposed: {top}"),
            "fuse these small ops with their neighbours (torch.compile), batch them (foreach / multi-tensor kernels), or capture the step with CUDA graphs so launch and ramp-up costs are paid once",
            F($"exposed time × (1 − efficiency / {Pc(MemoryTarget)}) summed over the ops: the time left if their work ran at {Pc(MemoryTarget)} of memory bandwidth; an upper bound")));
    }

    private static (string Title, string Suggestion) ComputeAdvice(RooflineOp op, double eff, DeviceSpec device)
    {
        var dims = Dims(op.Formula);
        var name = op.Name;
        var peak = op.Peak.Split(" (", 2)[0]; // "fp32 vector (no fp32 matrix peak)": the fallback is in the evidence
        var title = F($"{name}{Shape(IsGemm(name) ? dims : [])} at {Pc(eff)} of {peak} peak");
        var hints = new List<string>();
        if (op.Unit == CostUnit.Matrix)
        {
            title += GemmShapeHints(op, dims, hints);
            if (op.DataType == "fp32" && !op.Peak.StartsWith("tf32", StringComparison.Ordinal))
            {
                var fp32 = op.PeakFlopsPerSecond ?? 0;
                var faster = new[] { Precision.Tf32, Precision.Bf16 }.Select(p => (p, device.Peak(p, Hardware.ComputeUnit.Matrix)))
                    .Where(x => x.Item2 is { } r && r.PerSecond >= 2 * fp32).Select(x => x.p).ToList();
                if (faster.Count > 0 && fp32 > 0)
                {
                    var best = device.Peak(faster[^1], Hardware.ComputeUnit.Matrix)!.Value.PerSecond;
                    hints.Add(F($"it runs in fp32: allow TF32 (torch.backends.cuda.matmul.allow_tf32 = True) or autocast to bf16, whose peak is {best / fp32:0.#}× the fp32 one"));
                }
            }

            if (name.Contains("conv", StringComparison.Ordinal))
            {
                hints.Add("use channels_last and torch.backends.cudnn.benchmark = True so cuDNN picks its fastest algorithm");
            }
            else if (name.Contains("attention", StringComparison.Ordinal))
            {
                hints.Add("use a fused attention kernel (FlashAttention, cuDNN SDPA) with a supported head dimension");
            }
            else if (hints.Count == 0)
            {
                hints.Add("check the kernel choice: torch.compile(mode='max-autotune') or cuBLASLt heuristics, and transposed or non-contiguous operands");
            }
        }
        else
        {
            hints.Add("compute-bound on the vector units: move the work to the matrix units where possible, or lower its precision");
        }

        return (title, string.Join("; ", hints));
    }

    /// <summary>
    /// Shape hints for a GEMM-family op: the smallest of M, N, K under 128 under-fills the matrix units' tiles (returns
    /// " with K=64" for the title); K or N not a multiple of 8 in a 16-bit dtype misses tensor-core tiles.
    /// </summary>
    private static string GemmShapeHints(RooflineOp op, List<KeyValuePair<string, double>> dims, List<string> hints)
    {
        if (!IsGemm(op.Name))
        {
            return "";
        }

        var suffix = "";
        var smallest = dims.Where(d => d.Key is "M" or "N" or "K").OrderBy(d => d.Value).FirstOrDefault();
        if (smallest.Key is not null && smallest.Value < 128)
        {
            suffix = F($" with {smallest.Key}={smallest.Value:0}");
            hints.Add(F($"{smallest.Key}={smallest.Value:0} under-fills the matrix units' tiles: batch these calls (bmm, grouped GEMM) or grow the batch"));
        }

        var misaligned = op.DataType is "bf16" or "fp16"
            ? dims.Where(d => d.Key is "K" or "N" && d.Value % 8 != 0).Select(d => F($"{d.Key}={d.Value:0}")).ToList()
            : [];
        if (misaligned.Count > 0)
        {
            hints.Add("pad " + string.Join(" and ", misaligned) + " to a multiple of 8 so tensor-core tiles apply");
        }

        return suffix;
    }

    private static (string Title, string Suggestion) MemoryAdvice(RooflineOp op, double eff)
    {
        var ridge = op.PeakFlopsPerSecond is { } peak && op.CeilingFlopsPerSecond is > 0 && op.Intensity is > 0
            ? peak / (op.CeilingFlopsPerSecond.Value / op.Intensity.Value)
            : 0;
        var name = op.Name.StartsWith("aten::", StringComparison.Ordinal) ? op.Name[6..] : op.Name;
        var title = F($"{op.Name}{Shape(IsGemm(op.Name) ? Dims(op.Formula) : [])} memory-bound at {Pc(eff)} of memory bandwidth");
        var suggestion = name switch
        {
            _ when op.Unit == CostUnit.Matrix && name.Contains("conv", StringComparison.Ordinal) =>
                F($"at {op.Intensity ?? 0:0.#} FLOP/B this convolution is below the ridge point ({ridge:0} FLOP/B): few channels or a small batch move more bytes than they compute; use channels_last, a larger batch, or fuse it with its neighbours"),
            _ when op.Unit == CostUnit.Matrix && name.Contains("attention", StringComparison.Ordinal) =>
                F($"at {op.Intensity ?? 0:0.#} FLOP/B this attention is below the ridge point ({ridge:0} FLOP/B): short sequences make it memory-bound; batch more sequences or heads per call"),
            _ when op.Unit == CostUnit.Matrix => string.Join("; ", GemmHints(op).Append(
                F($"at {op.Intensity ?? 0:0.#} FLOP/B this matrix op is below the ridge point ({ridge:0} FLOP/B) and waits on memory: process more rows per call (larger M: batch requests or tokens) or fuse it with its neighbours"))),
            _ when name.Contains("norm", StringComparison.Ordinal) =>
                "use a fused normalisation kernel (e.g. Apex / Transformer Engine / Liger fused LayerNorm or RMSNorm) or let torch.compile fuse it with its neighbours",
            _ when name.Contains("softmax", StringComparison.Ordinal) =>
                "fuse the softmax into attention (scaled_dot_product_attention) or with its neighbours",
            "copy_" or "to" or "_to_copy" or "clone" or "contiguous" =>
                "avoid the copy: keep tensors in the layout and dtype they are used in (channels_last end to end, create tensors in the target dtype and device)",
            _ when name.StartsWith("embedding", StringComparison.Ordinal) || name.StartsWith("_embedding", StringComparison.Ordinal) =>
                "lookups are memory-bound by nature: use fused embedding-bag kernels (FBGEMM TBE), cache hot rows, or store the tables in a smaller dtype",
            _ when name.StartsWith("_fused_", StringComparison.Ordinal) || name.StartsWith("_foreach_", StringComparison.Ordinal) =>
                "the optimizer step streams every parameter and state: use the fused optimizer (fused=True), keep states in a smaller dtype, or step less often",
            _ => "fuse it with its producer or consumer (torch.compile) so its tensors make one trip through memory instead of several",
        };
        return (title, suggestion);
    }

    [GeneratedRegex(@"\b([BMKN])=(\d+(?:\.\d+)?)")]
    private static partial Regex DimPattern();

    private static List<string> GemmHints(RooflineOp op)
    {
        var hints = new List<string>();
        GemmShapeHints(op, Dims(op.Formula), hints);
        return hints;
    }

    /// <summary>GEMM-family ops, whose formulas name M, K, N (and B).</summary>
    private static bool IsGemm(string op) => (op.StartsWith("aten::", StringComparison.Ordinal) ? op[6..] : op)
        is "mm" or "addmm" or "bmm" or "baddbmm" or "matmul" or "linear" or "_scaled_mm";

    /// <summary>" [M=512 K=64 N=768]" from the sizes a formula names, or "".</summary>
    private static string Shape(List<KeyValuePair<string, double>> dims) =>
        dims.Count == 0 ? "" : " [" + string.Join(" ", dims.Select(d => F($"{d.Key}={d.Value:0}"))) + "]";

    /// <summary>The B, M, K, N sizes a matrix formula names ("mm: 2·M·K·N, M=512 K=64 N=768").</summary>
    internal static List<KeyValuePair<string, double>> Dims(string formula) =>
        [.. DimPattern().Matches(formula ?? "").Select(m => new KeyValuePair<string, double>(m.Groups[1].Value,
            double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)))];

    internal static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    /// <summary>Without steps the unit is the analysed window: "of the step" and "per step" say so.</summary>
    private static string PerWindow(string text) =>
        text.Replace(" of the step", " of the window", StringComparison.Ordinal).Replace(" per step", " per window", StringComparison.Ordinal);

    /// <summary>A share as a whole percent, "18%".</summary>
    internal static string Pc(double share) => F($"{share * 100:0}%");

    /// <summary>A share as a percent with one decimal, "18.3%".</summary>
    internal static string Pc1(double share) => F($"{share * 100:0.0}%");

    /// <summary>A duration in ms from 1 ms, else in µs.</summary>
    internal static string Ms(double ns) => ns >= 1e6 ? F($"{ns / 1e6:0.##} ms") : F($"{ns / 1e3:0.#} µs");

    internal static string Tflops(double perSecond) => F($"{perSecond / 1e12:0.##} TFLOP/s");
}
