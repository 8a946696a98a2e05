using System.Globalization;
using System.Text.Json;

namespace Headroom.Costs;

/// <summary>
/// Library custom calls beyond GEMMs and forward convolutions (docs/cost-model.md, "HLO instructions"): cuDNN/MIOpen
/// backward convolutions, and fused attention, from TransformerEngine's JAX FFI calls and from XLA's cuDNN fMHA calls.
/// Every dimension is read from the operand shapes and cross-checked with the call's own attributes; a reading that is
/// not certain (an unknown layout, a padding or sliding-window mask whose work depends on run-time lengths, dimensions
/// that disagree) gives no cost rather than a guess.
/// </summary>
public sealed partial class HloModuleCost
{
    // XLA's targets (xla/service/gpu/cublas_cudnn.cc); ROCm's XLA keeps the same names for its MIOpen calls
    private const string CudnnConvBackwardInput = "__cudnn$convBackwardInput";
    private const string CudnnConvBackwardFilter = "__cudnn$convBackwardFilter";

    private enum AttentionSource
    {
        TransformerEngine,
        Cudnn,
    }

    private readonly record struct AttentionCall(AttentionSource Source, bool Backward);

    /// <summary>(B, H, Lq, Lk, D, Dv) and the mask's share of the score matrix that is computed (1, or ½ when causal).</summary>
    private readonly record struct AttentionDims(double B, double H, double Lq, double Lk, double D, double Dv, double Mask);

    /// <summary>
    /// A backward convolution's FLOPs: those of the forward convolution it differentiates, 2 · forward-output elements ·
    /// kernel elements per output feature. The dimension numbers describe that forward convolution (input x, kernel w,
    /// output y; XLA's gpu_conv_runner): convBackwardInput reads (dy, w) and writes dx, convBackwardFilter reads (x, dy)
    /// and writes dw. Null when a shape does not fit the dimension numbers.
    /// </summary>
    private static double? BackwardConvolutionFlops(bool filter, HloConvolutionDimensions? dn, HloShape result, List<HloShape> operands)
    {
        if (dn is null || operands.Count < 2)
        {
            return null;
        }

        var (x, w, y) = filter ? (operands[0], result, operands[1]) : (result, operands[1], operands[0]);
        if (x.Tuple.Count > 0 || w.Tuple.Count > 0 || y.Tuple.Count > 0
            || !FitsConvolution(x.Dims, dn.InputBatch, dn.InputFeature, dn.InputSpatial)
            || !FitsConvolution(w.Dims, dn.KernelOutputFeature, dn.KernelInputFeature, dn.KernelSpatial)
            || !FitsConvolution(y.Dims, dn.OutputBatch, dn.OutputFeature, dn.OutputSpatial)
            || y.Dims[(int)dn.OutputFeature] != w.Dims[(int)dn.KernelOutputFeature]
            || x.Dims[(int)dn.InputBatch] != y.Dims[(int)dn.OutputBatch])
        {
            return null;
        }

        return 2 * y.Elements * (w.Elements / w.Dims[(int)dn.KernelOutputFeature]);
    }

    /// <summary>The dimensions are a convolution operand's: 2 + spatial of them, all positive, each named once by the dimension numbers.</summary>
    private static bool FitsConvolution(IReadOnlyList<long> dims, long a, long b, IReadOnlyList<long> spatial)
    {
        var rank = dims.Count;
        if (rank != 2 + spatial.Count || dims.Any(d => d <= 0))
        {
            return false;
        }

        var seen = new HashSet<long>();
        return spatial.Append(a).Append(b).All(d => d >= 0 && d < rank && seen.Add(d));
    }

    private static AttentionCall? AttentionKind(string target) => target switch
    {
        // TransformerEngine's JAX extension (transformer_engine/jax/csrc/extensions/attention.cpp), NVIDIA's and ROCm's
        "te_fused_attn_forward_ffi" => new AttentionCall(AttentionSource.TransformerEngine, false),
        "te_fused_attn_backward_ffi" => new AttentionCall(AttentionSource.TransformerEngine, true),

        // XLA's cuDNN flash attention (xla/service/gpu/cublas_cudnn.cc), as JAX's dot_product_attention emits them
        "__cudnn$fmhaSoftmax" or "__cudnn$fmhaSoftmaxDropout" or "__cudnn$fmhaScaleBiasSoftmax"
            or "__cudnn$fmhaScaleBiasSoftmaxDropout" or "__cudnn$fmhaSoftmaxF8" => new AttentionCall(AttentionSource.Cudnn, false),
        "__cudnn$fmhaSoftmaxBackward" or "__cudnn$fmhaSoftmaxDropoutBackward" or "__cudnn$fmhaScaleBiasSoftmaxBackward"
            or "__cudnn$fmhaScaleBiasSoftmaxDropoutBackward" or "__cudnn$fmhaSoftmaxBackwardF8" => new AttentionCall(AttentionSource.Cudnn, true),
        _ => null,
    };

    /// <summary>
    /// A fused attention call, with the convention of the PyTorch attention ops (OpCostModel.Attention): forward QKᵀ and
    /// PV, 2·B·H·Lq·Lk·(D+Dv); backward five matmuls (S = QKᵀ recomputed, dV = PᵀdO, dP = dO·Vᵀ, dQ = dS·K, dK = dSᵀ·Q),
    /// 2·B·H·Lq·Lk·(3D+2Dv), 2.5× the forward when Dv = D; a causal mask halves both; softmax, scaling, dropout and bias
    /// are not counted. Bytes written: every result but the workspace (the last, a u8 array: the backward's dK and dV are
    /// separate results unless Q, K and V are packed).
    /// </summary>
    private static (double Flops, string Category, double ResultBytes)? Attention(HloInstruction instruction, List<HloShape> operands, AttentionCall call)
    {
        var results = instruction.Shape.Tuple;
        if (operands.Count < 3 || results.Count < 2 || results[^1] is not { Tuple.Count: 0, Dims.Count: 1, ElementType: "u8" or "s8" })
        {
            return null;
        }

        var dims = call.Source == AttentionSource.TransformerEngine
            ? TransformerEngineAttention(instruction.BackendConfig, operands)
            : CudnnAttention(instruction.BackendConfig, operands, call.Backward);
        if (dims is not { } a)
        {
            return null;
        }

        var flops = call.Backward
            ? a.Mask * 2 * a.B * a.H * a.Lq * a.Lk * ((3 * a.D) + (2 * a.Dv))
            : a.Mask * 2 * a.B * a.H * a.Lq * a.Lk * (a.D + a.Dv);
        double written = 0;
        for (var i = 0; i < results.Count - 1; i++)
        {
            var b = results[i].Bytes;
            if (b < 0)
            {
                return null;
            }

            written += b;
        }

        return (flops, call.Backward ? "attention backward custom-call" : "attention custom-call", written);
    }

    /// <summary>
    /// TransformerEngine's <c>te_fused_attn_forward_ffi</c> / <c>te_fused_attn_backward_ffi</c>: operands q, k, v first
    /// (then bias, seed or softmax statistics, ...), attributes in the FFI dictionary (the backend config text
    /// <c>{attn_heads = 16 : i64, ...}</c>). <c>qkv_layout</c> is NVTE_QKV_Layout (transformer_engine/fused_attn.h):
    /// 5 BS3HD (q holds packed [B, S, 3, H, D], k and v are empty), 7 BSHD_BS2HD (k holds packed [B, S, 2, Hkv, D]),
    /// 9 BSHD_BSHD_BSHD, the layouts TE's JAX side emits for padded batches; the ragged THD layouts (whose work follows
    /// run-time sequence lengths), SBHD and paged layouts give no cost. <c>mask_type</c> is NVTE_Mask_Type: 0 none,
    /// 2 causal (top left), 4 causal (bottom right), halved when Lq = Lk; the padding masks (1, 3, 5), a sliding window
    /// or several segments per sequence give no cost. The shapes must agree with input_batch, attn_heads,
    /// num_gqa_groups, q_max_seqlen, kv_max_seqlen and the head dimensions.
    /// </summary>
    private static AttentionDims? TransformerEngineAttention(string config, List<HloShape> operands)
    {
        if (FfiAttributes.Parse(FfiAttributes.TextOf(config)) is not { } attrs
            || Int(attrs, "qkv_layout") is not { } layout || Int(attrs, "mask_type") is not { } mask
            || Int(attrs, "input_batch") is not { } batch || Int(attrs, "attn_heads") is not { } heads
            || Int(attrs, "num_gqa_groups") is not { } groups || Int(attrs, "q_max_seqlen") is not { } qLength
            || Int(attrs, "kv_max_seqlen") is not { } kvLength
            || (Int(attrs, "qk_head_dim") ?? Int(attrs, "head_dim")) is not { } qkHead
            || (Int(attrs, "v_head_dim") ?? Int(attrs, "head_dim")) is not { } vHead)
        {
            return null;
        }

        if (TransformerEngineLayout(layout, operands[0], operands[1], operands[2]) is not { } s
            || s.B != batch || s.H != heads || s.Hkv != groups || s.Lq != qLength || s.Lk != kvLength || s.D != qkHead || s.Dv != vHead
            || s.H % s.Hkv != 0)
        {
            return null;
        }

        var causal = mask is 2 or 4;
        if ((mask != 0 && !causal) || (causal && s.Lq != s.Lk))
        {
            return null; // padding masks: the work follows the run-time lengths; causal over Lq ≠ Lk: not a half
        }

        // (-1, -1) is no window; TE writes causal as (-1, 0) too. Attributes absent: a TE without sliding windows.
        var (left, right) = (Int(attrs, "window_size_left") ?? -1, Int(attrs, "window_size_right") ?? -1);
        if (left != -1 || (right != -1 && !(causal && right == 0)) || Int(attrs, "max_segments_per_seq") is > 1)
        {
            return null;
        }

        return new AttentionDims(s.B, s.H, s.Lq, s.Lk, s.D, s.Dv, causal ? 0.5 : 1);
    }

    /// <summary>(B, H, Hkv, Lq, Lk, D, Dv) from q, k and v as <paramref name="layout"/> (NVTE_QKV_Layout) lays them out; leading dimensions before S are batch.</summary>
    private static (long B, long H, long Hkv, long Lq, long Lk, long D, long Dv)? TransformerEngineLayout(long layout, HloShape q, HloShape k, HloShape v)
    {
        if (q.Tuple.Count > 0 || k.Tuple.Count > 0 || v.Tuple.Count > 0 || q.Dims.Any(d => d <= 0))
        {
            return null;
        }

        var qd = q.Dims;
        switch (layout)
        {
            case 5 when qd.Count >= 5 && qd[^3] == 3: // BS3HD: q = qkv [B..., S, 3, H, D]
                return Batch(qd, qd.Count - 4) is { } b3 ? (b3, qd[^2], qd[^2], qd[^4], qd[^4], qd[^1], qd[^1]) : null;
            case 7 when qd.Count >= 4 && k.Dims.Count == qd.Count + 1 && k.Dims[^3] == 2 && k.Dims.All(d => d > 0)
                && SameBatch(qd, k.Dims, qd.Count - 3) && k.Dims[^1] == qd[^1]: // BSHD_BS2HD: q [B..., Sq, H, D], k = kv [B..., Skv, 2, Hkv, D]
                return Batch(qd, qd.Count - 3) is { } b2 ? (b2, qd[^2], k.Dims[^2], qd[^3], k.Dims[^4], qd[^1], qd[^1]) : null;
            case 9 when qd.Count >= 4 && k.Dims.Count == qd.Count && v.Dims.Count == qd.Count && k.Dims.All(d => d > 0) && v.Dims.All(d => d > 0)
                && SameBatch(qd, k.Dims, qd.Count - 3) && SameBatch(qd, v.Dims, qd.Count - 3)
                && k.Dims[^3] == v.Dims[^3] && k.Dims[^2] == v.Dims[^2] && k.Dims[^1] == qd[^1]: // BSHD_BSHD_BSHD
                return Batch(qd, qd.Count - 3) is { } b1 ? (b1, qd[^2], k.Dims[^2], qd[^3], k.Dims[^3], qd[^1], v.Dims[^1]) : null;
            default:
                return null;
        }
    }

    private static long? Batch(IReadOnlyList<long> dims, int count)
    {
        long b = 1;
        for (var i = 0; i < count; i++)
        {
            if (dims[i] > (long)MaxValue / b)
            {
                return null;
            }

            b *= dims[i];
        }

        return count > 0 ? b : null;
    }

    private static bool SameBatch(IReadOnlyList<long> a, IReadOnlyList<long> b, int count) =>
        Enumerable.Range(0, count).All(i => a[i] == b[i]);

    private static long? Int(IReadOnlyDictionary<string, string> attrs, string name) =>
        attrs.TryGetValue(name, out var text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : null;

    /// <summary>
    /// XLA's cuDNN fMHA calls: the backend config is a GpuBackendConfig whose <c>cudnn_fmha_backend_config</c>
    /// (CudnnfMHABackendConfig, xla/service/gpu/backend_configs.proto) gives the dot dimensions of each matmul, the
    /// score matrix shape [B, H, Lq, Lk] (<c>intermediate_tensor_shape</c>) and the mask. Operands 0, 1, 2 are Q, K, V
    /// in both directions (xla/service/gpu/transforms/cudnn_custom_call_compiler.cc): forward Q and K are bmm1's lhs
    /// and rhs, V bmm2's rhs; backward Q is bmm1_grad_gemm1's rhs (dK = dSᵀ·Q), K bmm1_grad_gemm2's (dQ = dS·K), V
    /// bmm2_grad_gemm2's (dP = dO·Vᵀ). Each must be rank 4: two batch dimensions (B and its heads), one contracted,
    /// one free. Masks: NO_MASK, CAUSAL (halved when Lq = Lk); PADDING, PADDING_CAUSAL, ALIBI, a sliding window,
    /// packed segments or paged attention give no cost.
    /// </summary>
    private static AttentionDims? CudnnAttention(string config, List<HloShape> operands, bool backward)
    {
        try
        {
            using var document = JsonDocument.Parse(config);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var fmha = root.TryGetProperty("cudnn_fmha_backend_config", out var inner) ? inner : root;
            if (fmha.ValueKind != JsonValueKind.Object || CudnnMask(fmha) is not { } mask
                || JsonInt(fmha, "sliding_window_length") is > 0 || JsonInt(fmha, "max_seg_per_batch") is > 1
                || (fmha.TryGetProperty("is_paged_attention", out var paged) && paged.ValueKind == JsonValueKind.True)
                || !fmha.TryGetProperty("intermediate_tensor_shape", out var intermediate) || intermediate.ValueKind != JsonValueKind.Object
                || JsonInts(intermediate, "dimensions") is not [var b, var h, var lq, var lk])
            {
                return null;
            }

            var (q, k, v) = (operands[0], operands[1], operands[2]);
            (long[] Batch, long Contracted, long Free)? qs, ks, vs;
            if (backward)
            {
                qs = Operand(q, Dot(fmha, "bmm1_grad_gemm1_dot_dimension_numbers"), lhs: false); // contracts Lq, leaves D
                ks = Operand(k, Dot(fmha, "bmm1_grad_gemm2_dot_dimension_numbers"), lhs: false); // contracts Lk, leaves D
                vs = Operand(v, Dot(fmha, "bmm2_grad_gemm2_dot_dimension_numbers"), lhs: false); // contracts Dv, leaves Lk
            }
            else
            {
                qs = Operand(q, Dot(fmha, "bmm1_dot_dimension_numbers"), lhs: true); // contracts D, leaves Lq
                ks = Operand(k, Dot(fmha, "bmm1_dot_dimension_numbers"), lhs: false); // contracts D, leaves Lk
                vs = Operand(v, Dot(fmha, "bmm2_dot_dimension_numbers"), lhs: false); // contracts Lk, leaves Dv
            }

            if (qs is not { } qd || ks is not { } kd || vs is not { } vd)
            {
                return null;
            }

            // Head dimensions (D of q and of k, Dv) and sequence lengths (Lq of q, Lk of k and of v), as each matmul reads them
            var (qHead, kHead, vHead, qLength, kLength, vLength) = backward
                ? (qd.Free, kd.Free, vd.Contracted, qd.Contracted, kd.Contracted, vd.Free)
                : (qd.Contracted, kd.Contracted, vd.Free, qd.Free, kd.Free, vd.Contracted);
            if (qHead != kHead || kLength != vLength || qLength != lq || kLength != lk || qd.Batch[0] != b || qd.Batch[1] != h
                || kd.Batch[0] != b || vd.Batch[0] != b || kd.Batch[1] != vd.Batch[1] || h % kd.Batch[1] != 0)
            {
                return null;
            }

            if (mask < 1 && lq != lk)
            {
                return null; // causal over Lq ≠ Lk is not a half
            }

            return new AttentionDims(b, h, lq, lk, qHead, vHead, mask);
        }
        catch (JsonException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>1 for NO_MASK, ½ for CAUSAL (the proto's enum by name or number, else the older is_causal_mask); null for any other mask.</summary>
    private static double? CudnnMask(JsonElement fmha)
    {
        if (fmha.TryGetProperty("mask_type", out var mask))
        {
            var name = mask.ValueKind switch
            {
                JsonValueKind.String => mask.GetString(),
                JsonValueKind.Number when mask.TryGetInt64(out var n) => n switch { 0 => "NO_MASK", 2 => "CAUSAL", _ => "" },
                _ => "",
            };
            return name switch { "NO_MASK" => 1, "CAUSAL" => 0.5, _ => null };
        }

        return fmha.TryGetProperty("is_causal_mask", out var causal) ? causal.ValueKind switch
        {
            JsonValueKind.True => 0.5,
            JsonValueKind.False => 1,
            _ => null,
        } : null;
    }

    /// <summary>One operand of a matmul: the sizes of its two batch dimensions, of its contracted dimension and of its one free dimension.</summary>
    private static (long[] Batch, long Contracted, long Free)? Operand(HloShape shape, (long[] LhsBatch, long[] LhsContracting, long[] RhsBatch, long[] RhsContracting)? dot, bool lhs)
    {
        if (dot is not { } d || shape.Tuple.Count > 0 || shape.Dims.Count != 4 || shape.Dims.Any(x => x <= 0))
        {
            return null;
        }

        var (batch, contracting) = lhs ? (d.LhsBatch, d.LhsContracting) : (d.RhsBatch, d.RhsContracting);
        if (batch.Length != 2 || contracting.Length != 1)
        {
            return null;
        }

        var named = batch.Append(contracting[0]).ToList();
        if (named.Any(i => i < 0 || i >= 4) || named.Distinct().Count() != 3)
        {
            return null;
        }

        var free = Enumerable.Range(0, 4).Single(i => !named.Contains(i));
        return ([shape.Dims[(int)batch[0]], shape.Dims[(int)batch[1]]], shape.Dims[(int)contracting[0]], shape.Dims[free]);
    }

    private static (long[] LhsBatch, long[] LhsContracting, long[] RhsBatch, long[] RhsContracting)? Dot(JsonElement fmha, string name) =>
        fmha.TryGetProperty(name, out var dot) && dot.ValueKind == JsonValueKind.Object
        && JsonInts(dot, "lhs_batch_dimensions") is { } lb && JsonInts(dot, "lhs_contracting_dimensions") is { } lc
        && JsonInts(dot, "rhs_batch_dimensions") is { } rb && JsonInts(dot, "rhs_contracting_dimensions") is { } rc
            ? (lb, lc, rb, rc)
            : null;

    /// <summary>An integer field, written as a JSON number or (int64, in proto3 JSON) a string; null when absent or not an integer.</summary>
    private static long? JsonInt(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var e) ? JsonLong(e) : null;

    private static long? JsonLong(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number when e.TryGetInt64(out var n) => n,
        JsonValueKind.String when long.TryParse(e.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) => n,
        _ => null,
    };

    /// <summary>A repeated integer field; null when absent or when an element is not an integer.</summary>
    private static long[]? JsonInts(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var array) || array.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var values = new List<long>();
        foreach (var e in array.EnumerateArray())
        {
            if (JsonLong(e) is not { } v)
            {
                return null;
            }

            values.Add(v);
        }

        return [.. values];
    }
}
