namespace Headroom.Costs;

public static partial class OpCostModel
{
    /// <summary>Forward attention ops and the position of their is_causal argument (-1: none).</summary>
    private static readonly Dictionary<string, int> AttentionForwardCausalIndex = new(StringComparer.Ordinal)
    {
        ["scaled_dot_product_attention"] = 5,
        ["_scaled_dot_product_flash_attention"] = 4,
        ["_scaled_dot_product_flash_attention_for_cpu"] = 4,
        ["_scaled_dot_product_efficient_attention"] = 6,
        ["_scaled_dot_product_cudnn_attention"] = 6,
        ["_scaled_dot_product_fused_attention_overrideable"] = 6,
        ["_flash_attention_forward"] = 8,
        ["_efficient_attention_forward"] = 9,
    };

    /// <summary>Backward attention ops and the position of their is_causal argument.</summary>
    private static readonly Dictionary<string, int> AttentionBackwardCausalIndex = new(StringComparer.Ordinal)
    {
        ["_scaled_dot_product_flash_attention_backward"] = 11,
        ["_scaled_dot_product_efficient_attention_backward"] = 11,
        ["_scaled_dot_product_cudnn_attention_backward"] = 14,
        ["_flash_attention_backward"] = 11,
    };

    /// <summary>(B, H, Lq, Lk, D, Dv) from q, k, v; the flash/efficient primitives take [B, L, H, D], the rest [B, H, L, D].</summary>
    private static (double B, double H, double Lq, double Lk, double D, double Dv) AttentionDims(string name, TensorArg q, TensorArg k, TensorArg v)
    {
        Require(q.Rank == 4 && k.Rank == 4 && v.Rank == 4, $"attention needs 4-d q, k, v, got {S(q.Shape)}, {S(k.Shape)}, {S(v.Shape)}");
        var blhd = name is "_flash_attention_forward" or "_efficient_attention_forward" or "_flash_attention_backward";
        int h = blhd ? 2 : 1, l = blhd ? 1 : 2;
        Require(q[0] == k[0] && k[0] == v[0] && q[3] == k[3] && k[l] == v[l] && k[h] == v[h] && k[h] > 0 && q[h] % k[h] == 0,
            $"attention shapes do not fit: q {S(q.Shape)}, k {S(k.Shape)}, v {S(v.Shape)}");
        return (q[0], q[h], q[l], k[l], q[3], v[3]);
    }

    private static (double Factor, string Text) Causal(OpArguments a, int index)
    {
        return a.Bool(index) switch
        {
            true => (0.5, "causal: ½ (upper triangle skipped)"),
            false => (1, "non-causal"),
            _ => (1, "is_causal not recorded: counted non-causal"),
        };
    }

    // Forward: QKᵀ 2·B·H·Lq·Lk·D + PV 2·B·H·Lq·Lk·Dv (= 4·B·H·Lq·Lk·D when Dv = D); causal ½; softmax not counted
    private static OpCost AttentionForward(string name, OpArguments a)
    {
        var q = a.Tensor(0, "query");
        var k = a.Tensor(1, "key");
        var v = a.Tensor(2, "value");
        var (b, h, lq, lk, d, dv) = AttentionDims(name, q, k, v);
        var (factor, causal) = Causal(a, AttentionForwardCausalIndex[name]);
        var flops = factor * 2 * b * h * lq * lk * (d + dv);
        double read = q.Bytes + k.Bytes + v.Bytes;
        if (name is "scaled_dot_product_attention" or "_scaled_dot_product_efficient_attention" or "_scaled_dot_product_cudnn_attention")
        {
            read += a.OptionalTensor(3, "attn_mask")?.Bytes ?? 0;
        }

        var written = b * h * lq * dv * q.Type.Size;
        return Make(flops, read, written, q.Type, ComputeUnit.Matrix,
            $"attention forward: 2·B·H·Lq·Lk·(D+Dv) (= 4·B·H·Lq·Lk·D), {causal}, B={b} H={h} Lq={lq} Lk={lk} D={d} Dv={dv}");
    }

    // Backward: five matmuls — S = QKᵀ recomputed (2·Lq·Lk·D), dV = PᵀdO (2·Lq·Lk·Dv), dP = dO·Vᵀ (2·Lq·Lk·Dv),
    // dQ = dS·K (2·Lq·Lk·D), dK = dSᵀ·Q (2·Lq·Lk·D): 2·B·H·Lq·Lk·(3D + 2Dv) = 10·B·H·Lq·Lk·D (2.5× forward); causal ½
    private static OpCost AttentionBackward(string name, OpArguments a)
    {
        var dout = a.Tensor(0, "grad_out");
        var q = a.Tensor(1, "query");
        var k = a.Tensor(2, "key");
        var v = a.Tensor(3, "value");
        var (b, h, lq, lk, d, dv) = AttentionDims(name, q, k, v);
        var (factor, causal) = Causal(a, AttentionBackwardCausalIndex[name]);
        var flops = factor * 2 * b * h * lq * lk * ((3 * d) + (2 * dv));
        var outIndex = name == "_scaled_dot_product_efficient_attention_backward" ? 5 : 4;
        var output = a.OptionalTensor(outIndex, "out");
        var read = dout.Bytes + q.Bytes + k.Bytes + v.Bytes + (output?.Bytes ?? 0);
        var written = q.Bytes + k.Bytes + v.Bytes;
        return Make(flops, read, written, q.Type, ComputeUnit.Matrix,
            $"attention backward: 5 matmuls 2·B·H·Lq·Lk·(3D+2Dv) (= 10·B·H·Lq·Lk·D), {causal}, B={b} H={h} Lq={lq} Lk={lk} D={d} Dv={dv}");
    }
}
