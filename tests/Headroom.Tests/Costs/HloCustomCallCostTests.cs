using System.Globalization;
using Headroom.Analysis;
using Headroom.Analysis.Kernels;
using Headroom.Costs;
using Headroom.Ingest;
using Headroom.Tests.Support;
using Xunit;

namespace Headroom.Tests.Costs;

/// <summary>
/// Library custom calls of XSpace HLO modules (<see cref="HloModuleCost"/>): fused attention (TransformerEngine's JAX
/// FFI calls, XLA's cuDNN fMHA calls) and cuDNN/MIOpen backward convolutions. Each figure is worked by hand in its
/// comment from the shapes; attention follows the PyTorch convention of OpCostModel.Attention: forward
/// 2·B·H·Lq·Lk·(D+Dv), backward 2·B·H·Lq·Lk·(3D+2Dv) (2.5× the forward when Dv = D), causal ×½.
/// </summary>
public sealed class HloCustomCallCostTests
{
    private const string Te = "te_fused_attn_forward_ffi";
    private const string TeBackward = "te_fused_attn_backward_ffi";

    // ---- TransformerEngine, on the MI355X run --------------------------------------------------------------------

    [Fact]
    public void Costs_te_fused_attention_of_the_MI355X_run_from_its_shapes_and_covers_all_its_computation_time()
    {
        // Given the MI355X TransformerEngine run: jit_loss_fn holds two forward and two backward TE attention calls over a
        // packed qkv bf16[2,2048,3,16,128] (qkv_layout = 5, BS3HD: B = 2, S = 2048, H = 16, D = Dv = 128) with
        // mask_type = 2 (causal) and no window (-1, -1), each run as ck_tile FMHA kernels
        var load = TraceLoader.Load([SharedData.Require("traces/xplane/tracelens-mi355x-jax-te-fused-attn.xplane.pb")]);
        Assert.Empty(load.Errors);
        var costs = load.Run!.Ranks[0].DeviceOpCosts.Values.DistinctBy(c => c.Name).ToDictionary(c => c.Name);

        // Then each forward costs ½ · 2·B·H·Lq·Lk·(D+Dv) = ½ · 2·2·16·2048·2048·256 = 34,359,738,368 FLOPs, and bytes
        // 67,371,072: operands qkv 2·2048·3·16·128·2 = 50,331,648, empty k, v, bias, seed u32[2] 8, two s32[3]
        // sequence offsets 24, six empty f32[0]; results out bf16[2,2048,16,128] 16,777,216 + softmax statistics
        // f32[2,16,2048,1] 262,144 + rng state u32[2,4] 32 (the u8[1] workspace is not counted)
        foreach (var name in new[] { "te_fused_attn_forward_ffi.10", "te_fused_attn_forward_ffi.15" })
        {
            var forward = costs[name];
            Assert.Equal(34_359_738_368d, forward.Flops);
            Assert.Equal(50_331_648d + 8 + 24 + 16_777_216 + 262_144 + 32, forward.Bytes);
            Assert.Equal(("attention custom-call", "bf16[2,2048,16,128]", "bf16", true, "HLO shapes"),
                (forward.Category, forward.Shape, forward.DataType, forward.Matrix, forward.Source));
        }

        // Each backward costs ½ · 2·B·H·Lq·Lk·(3D+2Dv) = ½ · 2·2·16·2048·2048·640 = 85,899,345,920 FLOPs (2.5× the
        // forward), and bytes 134,479,928: operands qkv 50,331,648, softmax statistics 262,144, rng state 32, out and
        // dout 2 · 16,777,216, offsets 24; results dqkv 50,331,648 (dk, dv, dbias empty; the u8[33816576] workspace not counted)
        foreach (var name in new[] { "te_fused_attn_backward_ffi.12", "te_fused_attn_backward_ffi.18" })
        {
            var backward = costs[name];
            Assert.Equal(85_899_345_920d, backward.Flops);
            Assert.Equal(2.5 * 34_359_738_368d, backward.Flops);
            Assert.Equal(50_331_648d + 262_144 + 32 + (2 * 16_777_216) + 24 + 50_331_648, backward.Bytes);
            Assert.Equal(("attention backward custom-call", "bf16[2,2048,3,16,128]", true), (backward.Category, backward.Shape, backward.Matrix));
        }

        // And the cost model now covers all its computation time (45.1% before: the attention kernels had no formula)
        var roofline = TraceAnalysis.Analyze(load.Run, new AnalysisOptions()).Ranks[0].Roofline;
        Assert.Equal(1.0, roofline.CoveredComputationTimeNs / (double)roofline.ComputationTimeNs, 9);
        Assert.All(roofline.Uncovered, u => Assert.Equal(KernelCategory.Memory, u.Category)); // copies: not computation
        var attention = roofline.Ops.Where(o => o.Name.StartsWith("te_fused_attn", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, attention.Count);
        Assert.All(attention, o => Assert.InRange(o.Efficiency!.Value, 0, 1));
    }

    // ---- TransformerEngine, synthetic ------------------------------------------------------------------------------

    /// <summary>
    /// A TE call's attributes as the HLO keeps them (an MLIR dictionary in the backend config, the MI355X trace's form).
    /// </summary>
    private static string TeAttributes(long layout, long mask, long batch, long heads, long groups, long qLength, long kvLength, long qkHead,
        long vHead, string window = "window_size_left = -1 : i64, window_size_right = -1 : i64")
    {
        var w = window.Length > 0 ? ", " + window : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"{{attn_heads = {heads} : i64, bias_batch = 0 : i64, bias_heads = 0 : i64, bias_type = 0 : i64, deterministic = false, dropout_probability = 0.000000e+00 : f64, input_batch = {batch} : i64, is_training = true, kv_max_seqlen = {kvLength} : i64, mask_type = {mask} : i64, max_segments_per_seq = 1 : i64, num_gqa_groups = {groups} : i64, q_max_seqlen = {qLength} : i64, qk_head_dim = {qkHead} : i64, qkv_layout = {layout} : i64, scaling_factor = 0.125 : f64, v_head_dim = {vHead} : i64{w}}}");
    }

    /// <summary>A TE forward call on q, k, v: operands q, k, v, bias, seed, two cu_seqlens and two offsets; results out, softmax statistics, rng state, workspace.</summary>
    private static HloInstructionCost? TeForward(string config, string q, string k, string v, string output, long batch = 2) =>
        Cost(Te, config, Tuple(output, "f32[1]", "u32[2,4]", "u8[1]"),
            q, k, v, "bf16[0]", "u32[2]", $"s32[{batch + 1}]", $"s32[{batch + 1}]", "s32[0]", "s32[0]");

    /// <summary>A TE backward call: operands q, k, v, bias, softmax statistics, rng state, out, dout, cu_seqlens and offsets; results dq, dk, dv, dbias, workspace.</summary>
    private static HloInstructionCost? TeBackwardCall(string config, string q, string k, string v, string output) =>
        Cost(TeBackward, config, Tuple(q, k, v, "bf16[0]", "u8[4096]"),
            q, k, v, "bf16[0]", "f32[1]", "u32[2,4]", output, output, "s32[3]", "s32[3]", "s32[0]", "s32[0]");

    public static TheoryData<string, string, double, string> TeCases() => new()
    {
        // BS3HD (5), causal (2): packed qkv [B=2, S=1024, 3, H=8, D=64]: ½ · 2·2·8·1024·1024·(64+64) = 2,147,483,648
        { "BS3HD causal forward", Te, 2_147_483_648d, "attention custom-call" },

        // the same backward: ½ · 2·2·8·1024·1024·(3·64+2·64) = 5,368,709,120 = 2.5 × 2,147,483,648
        { "BS3HD causal backward", TeBackward, 5_368_709_120d, "attention backward custom-call" },

        // BSHD_BS2HD (7), no mask (0), grouped-query: q [2, 512, 16, 128], packed kv [2, 1024, 2, 4, 128]:
        // 2·B·H·Lq·Lk·(D+Dv) = 2·2·16·512·1024·256 = 8,589,934,592 (the query heads count, 16, not the 4 kv groups)
        { "BSHD_BS2HD grouped-query forward", Te, 8_589_934_592d, "attention custom-call" },

        // BSHD_BSHD_BSHD (9), no mask, Dv ≠ D: q, k [1, 256, 4, 64], v [1, 256, 4, 32]: 2·1·4·256·256·(64+32) = 50,331,648
        { "BSHD_BSHD_BSHD forward with Dv = D/2", Te, 50_331_648d, "attention custom-call" },

        // the same backward: 2·1·4·256·256·(3·64 + 2·32) = 134,217,728
        { "BSHD_BSHD_BSHD backward with Dv = D/2", TeBackward, 134_217_728d, "attention backward custom-call" },

        // causal aligned bottom right (4) over Lq = Lk = 256, D = Dv = 64, B = 1, H = 4: ½ · 2·4·256·256·128 = 33,554,432
        { "bottom-right causal forward", Te, 33_554_432d, "attention custom-call" },

        // causal written with the window (-1, 0), as TE does for causal masks: the same 33,554,432
        { "causal with window (-1, 0)", Te, 33_554_432d, "attention custom-call" },

        // the attributes inside a GpuBackendConfig's custom_call_backend_config.attributes: as the BS3HD forward, 2,147,483,648
        { "attributes in a JSON backend config", Te, 2_147_483_648d, "attention custom-call" },

        // an older TE: one head_dim, no window attributes: as the BS3HD forward, 2,147,483,648
        { "older attributes (head_dim, no window)", Te, 2_147_483_648d, "attention custom-call" },

        // two leading batch dimensions: q, k, v [2, 3, 128, 4, 64], input_batch 6: 2·6·4·128·128·128 = 100,663,296
        { "two batch dimensions", Te, 100_663_296d, "attention custom-call" },
    };

    [Theory]
    [MemberData(nameof(TeCases))]
    public void Costs_te_fused_attention_from_its_shapes_layout_and_mask(string name, string target, double flops, string category)
    {
        // Given a TE attention call of that layout and mask
        var cost = TeCase(name, target);

        // Then its FLOPs are the hand-worked figure, on the matrix units
        Assert.NotNull(cost);
        Assert.Equal((flops, category, true), (cost.Flops, cost.Category, cost.Matrix));
    }

    private static HloInstructionCost? TeCase(string name, string target)
    {
        const string packed = "bf16[2,1024,3,8,64]", output = "bf16[2,1024,8,64]";
        var backward = target == TeBackward;
        return name switch
        {
            "BS3HD causal forward" or "BS3HD causal backward" => backward
                ? TeBackwardCall(TeAttributes(5, 2, 2, 8, 8, 1024, 1024, 64, 64), packed, "bf16[0]", "bf16[0]", output)
                : TeForward(TeAttributes(5, 2, 2, 8, 8, 1024, 1024, 64, 64), packed, "bf16[0]", "bf16[0]", output),
            "BSHD_BS2HD grouped-query forward" =>
                TeForward(TeAttributes(7, 0, 2, 16, 4, 512, 1024, 128, 128), "bf16[2,512,16,128]", "bf16[2,1024,2,4,128]", "bf16[0]", "bf16[2,512,16,128]"),
            "BSHD_BSHD_BSHD forward with Dv = D/2" or "BSHD_BSHD_BSHD backward with Dv = D/2" => backward
                ? TeBackwardCall(TeAttributes(9, 0, 1, 4, 4, 256, 256, 64, 32), "bf16[1,256,4,64]", "bf16[1,256,4,64]", "bf16[1,256,4,32]", "bf16[1,256,4,32]")
                : TeForward(TeAttributes(9, 0, 1, 4, 4, 256, 256, 64, 32), "bf16[1,256,4,64]", "bf16[1,256,4,64]", "bf16[1,256,4,32]", "bf16[1,256,4,32]", 1),
            "bottom-right causal forward" =>
                TeForward(TeAttributes(9, 4, 1, 4, 4, 256, 256, 64, 64), "bf16[1,256,4,64]", "bf16[1,256,4,64]", "bf16[1,256,4,64]", "bf16[1,256,4,64]", 1),
            "causal with window (-1, 0)" =>
                TeForward(TeAttributes(9, 2, 1, 4, 4, 256, 256, 64, 64, "window_size_left = -1 : i64, window_size_right = 0 : i64"),
                    "bf16[1,256,4,64]", "bf16[1,256,4,64]", "bf16[1,256,4,64]", "bf16[1,256,4,64]", 1),
            "attributes in a JSON backend config" => TeForward(
                "{\"operation_queue_id\":\"0\",\"wait_on_operation_queues\":[],\"custom_call_backend_config\":{\"attributes\":\""
                    + TeAttributes(5, 2, 2, 8, 8, 1024, 1024, 64, 64) + "\"},\"force_earliest_schedule\":false}",
                packed, "bf16[0]", "bf16[0]", output),
            "older attributes (head_dim, no window)" => TeForward(
                "{attn_heads = 8 : i64, bias_batch = 0 : i64, bias_heads = 0 : i64, bias_type = 0 : i64, dropout_probability = 0.0 : f64, head_dim = 64 : i64, input_batch = 2 : i64, is_training = true, kv_max_seqlen = 1024 : i64, mask_type = 2 : i64, max_segments_per_seq = 1 : i64, num_gqa_groups = 8 : i64, q_max_seqlen = 1024 : i64, qkv_layout = 5 : i64, scaling_factor = 0.125 : f64}",
                packed, "bf16[0]", "bf16[0]", output),
            "two batch dimensions" =>
                TeForward(TeAttributes(9, 0, 6, 4, 4, 128, 128, 64, 64), "bf16[2,3,128,4,64]", "bf16[2,3,128,4,64]", "bf16[2,3,128,4,64]", "bf16[2,3,128,4,64]", 6),
            _ => throw new ArgumentException(name),
        };
    }

    [Fact]
    public void A_te_attention_call_reads_its_operands_and_writes_its_results_but_the_workspace()
    {
        // Given the BS3HD causal forward and backward over qkv bf16[2,1024,3,8,64] (2·1024·3·8·64·2 = 6,291,456 bytes)
        var forward = TeCase("BS3HD causal forward", Te)!;
        var backward = TeCase("BS3HD causal backward", TeBackward)!;

        // Then the forward reads qkv 6,291,456, seed u32[2] 8 and cu_seqlens 2 · s32[3] 24, and writes out bf16[2,1024,8,64]
        // 2,097,152, softmax statistics f32[1] 4 and rng state u32[2,4] 32: 8,388,676 bytes (the u8[1] workspace left out)
        Assert.Equal(6_291_456d + 8 + 24 + 2_097_152 + 4 + 32, forward.Bytes);
        Assert.Equal(("bf16[2,1024,8,64]", "bf16"), (forward.Shape, forward.ElementType));

        // The backward reads qkv, softmax statistics 4, rng state 32, out and dout 2 · 2,097,152 and cu_seqlens 24, and
        // writes dqkv 6,291,456 (dk, dv and dbias are empty; the u8[4096] workspace left out): 16,777,228 bytes
        Assert.Equal(6_291_456d + 4 + 32 + (2 * 2_097_152) + 24 + 6_291_456, backward.Bytes);
    }

    public static TheoryData<string, string> TeUncertain() => new()
    {
        // masks whose work follows run-time sequence lengths: padding (1), padding causal (3), padding causal bottom right (5)
        { "padding mask", TeAttributes(9, 1, 1, 4, 4, 256, 256, 64, 64) },
        { "padding causal mask", TeAttributes(9, 3, 1, 4, 4, 256, 256, 64, 64) },
        { "padding causal bottom-right mask", TeAttributes(9, 5, 1, 4, 4, 256, 256, 64, 64) },
        { "unknown mask", TeAttributes(9, 7, 1, 4, 4, 256, 256, 64, 64) },

        // a sliding window: not the full (or half) score matrix
        { "sliding window", TeAttributes(9, 2, 1, 4, 4, 256, 256, 64, 64, "window_size_left = 128 : i64, window_size_right = 0 : i64") },
        { "window (-1, 0) without a causal mask", TeAttributes(9, 0, 1, 4, 4, 256, 256, 64, 64, "window_size_left = -1 : i64, window_size_right = 0 : i64") },

        // layouts: THD (10, 14: ragged), SBHD (0, 4: never emitted by TE's JAX side), BSH3D (6), an unknown one; and BS3HD
        // named for separate q, k, v (the shapes do not fit it)
        { "ragged THD_THD_THD layout", TeAttributes(14, 0, 1, 4, 4, 256, 256, 64, 64) },
        { "SBHD_SBHD_SBHD layout", TeAttributes(4, 0, 1, 4, 4, 256, 256, 64, 64) },
        { "BSH3D layout", TeAttributes(6, 0, 1, 4, 4, 256, 256, 64, 64) },
        { "layout 99", TeAttributes(99, 0, 1, 4, 4, 256, 256, 64, 64) },
        { "BS3HD named for separate q, k, v", TeAttributes(5, 0, 1, 4, 4, 256, 256, 64, 64) },

        // attributes that disagree with the shapes: heads, batch, sequence length, head dimension, kv groups
        { "attn_heads 8 for 4 heads", TeAttributes(9, 0, 1, 8, 8, 256, 256, 64, 64) },
        { "input_batch 2 for 1", TeAttributes(9, 0, 2, 4, 4, 256, 256, 64, 64) },
        { "q_max_seqlen 512 for 256", TeAttributes(9, 0, 1, 4, 4, 512, 256, 64, 64) },
        { "qk_head_dim 128 for 64", TeAttributes(9, 0, 1, 4, 4, 256, 256, 128, 64) },
        { "num_gqa_groups 2 for 4", TeAttributes(9, 0, 1, 4, 2, 256, 256, 64, 64) },

        // attributes missing or unreadable
        { "no mask_type", TeAttributes(9, 0, 1, 4, 4, 256, 256, 64, 64).Replace("mask_type = 0 : i64, ", "", StringComparison.Ordinal) },
        { "no qkv_layout", TeAttributes(9, 0, 1, 4, 4, 256, 256, 64, 64).Replace("qkv_layout = 9 : i64, ", "", StringComparison.Ordinal) },
        { "mask_type not an integer", TeAttributes(9, 0, 1, 4, 4, 256, 256, 64, 64).Replace("mask_type = 0 : i64", "mask_type = \"causal\"", StringComparison.Ordinal) },
        { "attention heads named twice", TeAttributes(9, 0, 1, 4, 4, 256, 256, 64, 64).Replace("{", "{attn_heads = 4 : i64, ", StringComparison.Ordinal) },
        { "several segments per sequence", TeAttributes(9, 0, 1, 4, 4, 256, 256, 64, 64).Replace("max_segments_per_seq = 1", "max_segments_per_seq = 2", StringComparison.Ordinal) },
        { "empty backend config", "" },
        { "empty dictionary", "{}" },
        { "unbalanced dictionary", "{attn_heads = [16 : i64}" },
        { "JSON without attributes", "{\"operation_queue_id\":\"0\"}" },
        { "truncated JSON", "{\"custom_call_backend_config\":{\"attributes\":\"{attn_heads" },
    };

    [Theory]
    [MemberData(nameof(TeUncertain))]
    public void A_te_attention_call_whose_layout_or_mask_is_not_certain_has_no_cost(string why, string config)
    {
        // Given separate q, k, v [1, 256, 4, 64] and attributes that do not allow a certain reading
        Assert.False(string.IsNullOrEmpty(why));
        const string qkv = "bf16[1,256,4,64]";

        // Then neither direction is costed
        Assert.Null(TeForward(config, qkv, qkv, qkv, qkv, 1));
        Assert.Null(TeBackwardCall(config, qkv, qkv, qkv, qkv));
    }

    [Fact]
    public void A_causal_te_attention_over_different_query_and_key_lengths_has_no_cost()
    {
        // A causal mask over Lq = 128 queries and Lk = 256 keys is not half the score matrix (top left: 128·129/2 of
        // 128·256 pairs; bottom right: more): no cost, where the same call without a mask is 2·1·4·128·256·128 = 33,554,432
        const string q = "bf16[1,128,4,64]", kv = "bf16[1,256,4,64]";
        Assert.Null(TeForward(TeAttributes(9, 2, 1, 4, 4, 128, 256, 64, 64), q, kv, kv, q, 1));
        Assert.Null(TeForward(TeAttributes(9, 4, 1, 4, 4, 128, 256, 64, 64), q, kv, kv, q, 1));
        Assert.Equal(33_554_432d, TeForward(TeAttributes(9, 0, 1, 4, 4, 128, 256, 64, 64), q, kv, kv, q, 1)!.Flops);
    }

    [Fact]
    public void A_te_attention_call_without_a_workspace_result_or_with_too_few_operands_has_no_cost()
    {
        const string qkv = "bf16[1,256,4,64]";
        var config = TeAttributes(9, 0, 1, 4, 4, 256, 256, 64, 64);

        // No trailing u8 workspace: which results are written is not certain
        Assert.Null(Cost(Te, config, Tuple(qkv, "f32[1]", "u32[2,4]"), qkv, qkv, qkv));
        Assert.Null(Cost(Te, config, Shape(qkv), qkv, qkv, qkv));

        // Two operands (no v)
        Assert.Null(Cost(Te, config, Tuple(qkv, "u8[1]"), qkv, qkv));

        // The same call with q, k, v and a workspace: 2·1·4·256·256·128 = 67,108,864
        Assert.Equal(67_108_864d, Cost(Te, config, Tuple(qkv, "u8[1]"), qkv, qkv, qkv)!.Flops);
    }

    // ---- cuDNN fMHA (XLA) ------------------------------------------------------------------------------------------

    /// <summary>
    /// A GpuBackendConfig as JAX's cuDNN dot_product_attention writes it (jax/_src/cudnn/fused_attention_stablehlo.py):
    /// layout BTNH (0) or BNTH (1) sets the dot dimensions, the forward carrying bmm1/bmm2's, the backward the four gradient matmuls'.
    /// </summary>
    private static string CudnnConfig(bool bnth, bool backward, long[] intermediate, string mask, string extra = "")
    {
        // ((lhs contracting, rhs contracting), (lhs batch, rhs batch)) of bmm1, bmm2, bmm1_grad_gemm1, bmm1_grad_gemm2,
        // bmm2_grad_gemm1, bmm2_grad_gemm2
        (int, int, int[], int[])[] dims = bnth
            ? [(3, 3, [0, 1], [0, 1]), (3, 2, [0, 1], [0, 1]), (2, 2, [0, 1], [0, 1]), (3, 2, [0, 1], [0, 1]), (2, 2, [0, 1], [0, 1]), (3, 3, [0, 1], [0, 1])]
            : [(3, 3, [0, 2], [0, 2]), (3, 1, [0, 1], [0, 2]), (2, 1, [0, 1], [0, 2]), (3, 1, [0, 1], [0, 2]), (2, 1, [0, 1], [0, 2]), (3, 3, [0, 2], [0, 2])];
        string[] keys = ["bmm1_dot_dimension_numbers", "bmm2_dot_dimension_numbers", "bmm1_grad_gemm1_dot_dimension_numbers",
            "bmm1_grad_gemm2_dot_dimension_numbers", "bmm2_grad_gemm1_dot_dimension_numbers", "bmm2_grad_gemm2_dot_dimension_numbers"];
        static string Strings(IEnumerable<int> values) => string.Join(", ", values.Select(v => $"\"{v}\""));
        var dots = Enumerable.Range(backward ? 2 : 0, backward ? 4 : 2).Select(i =>
            $"\"{keys[i]}\": {{\"lhs_contracting_dimensions\": [\"{dims[i].Item1}\"], \"rhs_contracting_dimensions\": [\"{dims[i].Item2}\"], \"lhs_batch_dimensions\": [{Strings(dims[i].Item3)}], \"rhs_batch_dimensions\": [{Strings(dims[i].Item4)}]}}");
        var shape = string.Join(", ", intermediate.Select(d => $"\"{d}\""));
        return $"{{\"operation_queue_id\": \"0\", \"wait_on_operation_queues\": [], \"cudnn_fmha_backend_config\": {{\"algorithm\": {{\"algo_id\": \"0\", \"math_type\": \"TENSOR_OP_MATH\", \"tuning_knobs\": {{\"17\": \"1\", \"24\": \"0\"}}, \"is_cudnn_frontend\": true, \"workspace_size\": \"0\"}}, \"fmha_scale\": 0.125, \"dropout_rate\": 0.1, \"intermediate_tensor_shape\": {{\"element_type\": \"BF16\", \"dimensions\": [{shape}], \"tuple_shapes\": [], \"layout\": {{\"minor_to_major\": [\"3\", \"2\", \"1\", \"0\"]}}, \"is_dynamic_dimension\": [false, false, false, false]}}, \"seed\": 42, \"is_flash_attention\": true, \"mask_type\": \"{mask}\", \"sliding_window_length\": 0{extra}, {string.Join(", ", dots)}}}}}";
    }

    [Fact]
    public void Costs_cudnn_fused_attention_forward_from_its_shapes()
    {
        // Given JAX's cuDNN attention in layout BTNH: q, k, v bf16[2,1024,8,64] (B = 2, T = S = 1024, N = 8, H = 64), causal,
        // inference (results: output, workspace)
        const string qkv = "bf16[2,1024,8,64]";
        var cost = Cost("__cudnn$fmhaSoftmax", CudnnConfig(false, false, [2, 8, 1024, 1024], "CAUSAL"), Tuple(qkv, "u8[0]"), qkv, qkv, qkv);

        // Then ½ · 2·2·8·1024·1024·(64+64) = 2,147,483,648 FLOPs; reads q, k, v and writes the output, 4 · 2·1024·8·64·2 =
        // 8,388,608 bytes
        Assert.NotNull(cost);
        Assert.Equal((2_147_483_648d, 8_388_608d, "attention custom-call", "bf16[2,1024,8,64]", true),
            (cost.Flops, cost.Bytes, cost.Category, cost.Shape, cost.Matrix));
    }

    [Fact]
    public void Costs_cudnn_fused_attention_backward_from_its_shapes_and_counts_every_gradient_written()
    {
        // Given a cuDNN attention backward with dropout in layout BNTH, no mask, grouped-query: q bf16[2,16,512,128]
        // (B = 2, N = 16, T = 512, H = 128), k and v bf16[2,4,1024,128] (4 kv heads, S = 1024); operands q, k, v, softmax
        // statistics f32[2,16,512,1], dO, forward output; results dq, dk, dv, workspace
        const string q = "bf16[2,16,512,128]", kv = "bf16[2,4,1024,128]";
        var cost = Cost("__cudnn$fmhaSoftmaxDropoutBackward", CudnnConfig(true, true, [2, 16, 512, 1024], "NO_MASK"),
            Tuple(q, kv, kv, "u8[65536]"), q, kv, kv, "f32[2,16,512,1]", q, q);

        // Then 2·B·H·Lq·Lk·(3D+2Dv) = 2·2·16·512·1024·640 = 21,474,836,480 FLOPs (2.5× the forward's 8,589,934,592); bytes
        // read q 4,194,304 + k, v 2 · 2,097,152 + statistics 65,536 + dO, output 2 · 4,194,304 = 16,842,752 and written
        // dq 4,194,304 + dk, dv 2 · 2,097,152 = 8,388,608 (not dq alone)
        Assert.NotNull(cost);
        Assert.Equal(21_474_836_480d, cost.Flops);
        Assert.Equal(16_842_752d + 8_388_608, cost.Bytes);
        Assert.Equal(("attention backward custom-call", "bf16[2,16,512,128]"), (cost.Category, cost.Shape));
    }

    [Fact]
    public void Costs_cudnn_fused_attention_from_the_backend_config_as_XLA_rewrites_it()
    {
        // Given XLA's own JSON (compact, every field printed, the cuDNN call with a bias operand) in layout BNTH:
        // q, k, v bf16[1,4,256,64], bias bf16[1,4,256,256], no mask
        const string qkv = "bf16[1,4,256,64]";
        const string config = "{\"operation_queue_id\":\"0\",\"wait_on_operation_queues\":[],\"cudnn_fmha_backend_config\":{\"algorithm\":{\"algo_id\":\"0\",\"math_type\":\"TENSOR_OP_MATH\",\"tuning_knobs\":{},\"is_cudnn_frontend\":true,\"workspace_size\":\"0\"},\"fmha_scale\":0.125,\"dropout_rate\":0,\"bmm1_dot_dimension_numbers\":{\"lhs_contracting_dimensions\":[\"3\"],\"rhs_contracting_dimensions\":[\"3\"],\"lhs_batch_dimensions\":[\"0\",\"1\"],\"rhs_batch_dimensions\":[\"0\",\"1\"]},\"bmm2_dot_dimension_numbers\":{\"lhs_contracting_dimensions\":[\"3\"],\"rhs_contracting_dimensions\":[\"2\"],\"lhs_batch_dimensions\":[\"0\",\"1\"],\"rhs_batch_dimensions\":[\"0\",\"1\"]},\"intermediate_tensor_shape\":{\"element_type\":\"BF16\",\"dimensions\":[\"1\",\"4\",\"256\",\"256\"],\"tuple_shapes\":[],\"is_dynamic_dimension\":[false,false,false,false]},\"seed\":\"42\",\"is_flash_attention\":true,\"is_causal_mask\":false,\"mask_type\":\"NO_MASK\",\"force_deterministic\":false,\"sliding_window_length\":0,\"max_seg_per_batch\":1},\"force_earliest_schedule\":false}";
        var cost = Cost("__cudnn$fmhaScaleBiasSoftmax", config, Tuple(qkv, "u8[0]"), qkv, qkv, qkv, "bf16[1,4,256,256]");

        // Then 2·1·4·256·256·(64+64) = 67,108,864 FLOPs; bytes q, k, v, output 4 · 131,072 + bias 524,288
        Assert.NotNull(cost);
        Assert.Equal((67_108_864d, (4 * 131_072d) + 524_288), (cost.Flops, cost.Bytes));

        // The older is_causal_mask alone (no mask_type) decides too: true halves it
        var older = config.Replace("\"mask_type\":\"NO_MASK\",", "", StringComparison.Ordinal).Replace("\"is_causal_mask\":false", "\"is_causal_mask\":true", StringComparison.Ordinal);
        Assert.Equal(33_554_432d, Cost("__cudnn$fmhaScaleBiasSoftmax", older, Tuple(qkv, "u8[0]"), qkv, qkv, qkv, "bf16[1,4,256,256]")!.Flops);
    }

    public static TheoryData<string, string> CudnnUncertain()
    {
        var causal = CudnnConfig(true, false, [1, 4, 256, 256], "CAUSAL");
        return new()
        {
            // masks whose work follows run-time lengths, or a bias shape (ALiBi) whose causality is not stated
            { "padding mask", CudnnConfig(true, false, [1, 4, 256, 256], "PADDING") },
            { "padding causal mask", CudnnConfig(true, false, [1, 4, 256, 256], "PADDING_CAUSAL") },
            { "ALiBi mask", CudnnConfig(true, false, [1, 4, 256, 256], "ALIBI") },
            { "no mask field at all", causal.Replace("\"mask_type\": \"CAUSAL\", ", "", StringComparison.Ordinal) },
            { "sliding window", causal.Replace("\"sliding_window_length\": 0", "\"sliding_window_length\": 128", StringComparison.Ordinal) },
            { "packed segments", CudnnConfig(true, false, [1, 4, 256, 256], "CAUSAL", ", \"max_seg_per_batch\": 2") },
            { "paged attention", CudnnConfig(true, false, [1, 4, 256, 256], "CAUSAL", ", \"is_paged_attention\": true") },

            // a score matrix that disagrees with the shapes
            { "intermediate of another length", CudnnConfig(true, false, [1, 4, 256, 512], "CAUSAL") },
            { "intermediate of another batch", CudnnConfig(true, false, [2, 4, 256, 256], "CAUSAL") },
            { "three-dimensional intermediate", CudnnConfig(true, false, [4, 256, 256], "CAUSAL") },

            // dot dimensions of the other layout (BTNH over BNTH shapes: the batch dimensions no longer match the score matrix)
            { "dot dimensions of the other layout", CudnnConfig(false, false, [1, 4, 256, 256], "CAUSAL") },
            { "no bmm2 dimensions", causal.Replace("bmm2_dot_dimension_numbers", "bmm3_dot_dimension_numbers", StringComparison.Ordinal) },
            { "one batch dimension", causal.Replace("\"lhs_batch_dimensions\": [\"0\", \"1\"]", "\"lhs_batch_dimensions\": [\"0\"]", StringComparison.Ordinal) },
            { "a repeated dimension", causal.Replace("\"lhs_contracting_dimensions\": [\"3\"]", "\"lhs_contracting_dimensions\": [\"1\"]", StringComparison.Ordinal) },
            { "a dimension out of range", causal.Replace("\"lhs_contracting_dimensions\": [\"3\"]", "\"lhs_contracting_dimensions\": [\"9\"]", StringComparison.Ordinal) },
            { "a dimension that is not a number", causal.Replace("\"lhs_contracting_dimensions\": [\"3\"]", "\"lhs_contracting_dimensions\": [\"three\"]", StringComparison.Ordinal) },

            // not a readable config
            { "empty", "" },
            { "truncated", causal[..(causal.Length / 2)] },
            { "an array", "[1, 2, 3]" },
            { "an MLIR dictionary", "{mask_type = 2 : i64}" },
        };
    }

    [Theory]
    [MemberData(nameof(CudnnUncertain))]
    public void A_cudnn_attention_call_whose_layout_or_mask_is_not_certain_has_no_cost(string why, string config)
    {
        // Given q, k, v bf16[1,4,256,64] in layout BNTH, and a backend config that does not allow a certain reading
        Assert.False(string.IsNullOrEmpty(why));
        const string qkv = "bf16[1,4,256,64]";
        Assert.Null(Cost("__cudnn$fmhaSoftmax", config, Tuple(qkv, "u8[0]"), qkv, qkv, qkv));

        // (the causal BNTH config itself is costed: ½ · 2·1·4·256·256·128 = 33,554,432)
        Assert.Equal(33_554_432d, Cost("__cudnn$fmhaSoftmax", CudnnConfig(true, false, [1, 4, 256, 256], "CAUSAL"), Tuple(qkv, "u8[0]"), qkv, qkv, qkv)!.Flops);
    }

    [Fact]
    public void A_causal_cudnn_attention_over_different_lengths_or_with_rank_3_operands_has_no_cost()
    {
        // Causal over Lq = 128, Lk = 256 (BNTH): not a half
        Assert.Null(Cost("__cudnn$fmhaSoftmax", CudnnConfig(true, false, [1, 4, 128, 256], "CAUSAL"), Tuple("bf16[1,4,128,64]", "u8[0]"),
            "bf16[1,4,128,64]", "bf16[1,4,256,64]", "bf16[1,4,256,64]"));

        // Rank-3 q, k, v (no batch dimension to name the heads)
        Assert.Null(Cost("__cudnn$fmhaSoftmax", CudnnConfig(true, false, [1, 4, 256, 256], "NO_MASK"), Tuple("bf16[4,256,64]", "u8[0]"),
            "bf16[4,256,64]", "bf16[4,256,64]", "bf16[4,256,64]"));
    }

    // ---- backward convolutions -------------------------------------------------------------------------------------

    /// <summary>The MI300X conv3d's dimension numbers (bf012_oi012_bf012), as read from its HLO proto.</summary>
    private static readonly HloConvolutionDimensions Bf012 = new(0, 1, [2, 3, 4], 1, 0, [2, 3, 4], 0, 1, [2, 3, 4]);

    /// <summary>NHWC input, HWIO kernel, NHWC output (b01f_01io_b01f).</summary>
    private static readonly HloConvolutionDimensions Nhwc = new(0, 3, [1, 2], 2, 3, [0, 1], 0, 3, [1, 2]);

    public static TheoryData<string, string, string, string, string, double> BackwardConvolutions() => new()
    {
        // The MI300X 3-D convolution x bf16[1,16,32,60,104] ⊛ w bf16[5120,16,1,2,2] → y bf16[1,5120,34,31,53] costs
        // 2 · (5120·34·31·53 = 286,013,440 outputs) · (16·1·2·2 = 64) = 36,609,720,320 FLOPs forward; its input gradient
        // reads (dy, w) and writes dx, its filter gradient reads (x, dy) and writes dw: the same FLOPs each
        { "conv3d input gradient", "__cudnn$convBackwardInput", "bf16[1,5120,34,31,53]", "bf16[5120,16,1,2,2]", "bf16[1,16,32,60,104]", 36_609_720_320d },
        { "conv3d filter gradient", "__cudnn$convBackwardFilter", "bf16[1,16,32,60,104]", "bf16[1,5120,34,31,53]", "bf16[5120,16,1,2,2]", 36_609_720_320d },

        // NHWC 3×3: x f32[8,32,32,64], w f32[3,3,64,128], y f32[8,30,30,128]: 2 · (8·30·30·128 = 921,600) · (3·3·64 = 576) = 1,061,683,200
        { "NHWC input gradient", "__cudnn$convBackwardInput", "f32[8,30,30,128]", "f32[3,3,64,128]", "f32[8,32,32,64]", 1_061_683_200d },
        { "NHWC filter gradient", "__cudnn$convBackwardFilter", "f32[8,32,32,64]", "f32[8,30,30,128]", "f32[3,3,64,128]", 1_061_683_200d },

        // the same in 4 groups: w f32[3,3,16,128] (16 input features per group): 2 · 921,600 · (3·3·16 = 144) = 265,420,800
        { "grouped NHWC filter gradient", "__cudnn$convBackwardFilter", "f32[8,32,32,64]", "f32[8,30,30,128]", "f32[3,3,16,128]", 265_420_800d },
        { "grouped NHWC input gradient", "__cudnn$convBackwardInput", "f32[8,30,30,128]", "f32[3,3,16,128]", "f32[8,32,32,64]", 265_420_800d },
    };

    [Theory]
    [MemberData(nameof(BackwardConvolutions))]
    public void Costs_a_backward_convolution_as_the_forward_convolution_it_differentiates(string name, string target, string first, string second,
        string result, double flops)
    {
        // Given a cuDNN/MIOpen backward convolution of those shapes, its dimension numbers those of the forward convolution
        var dims = name.StartsWith("conv3d", StringComparison.Ordinal) ? Bf012 : Nhwc;
        var cost = Cost(target, "{}", Tuple(result, "u8[1024]"), dims, first, second);

        // Then it costs the forward's FLOPs, and reads its operands and writes its gradient (the workspace left out)
        Assert.NotNull(cost);
        Assert.Equal((flops, "convolution backward custom-call", true), (cost.Flops, cost.Category, cost.Matrix));
        Assert.Equal(Shape(first).Bytes + Shape(second).Bytes + Shape(result).Bytes, cost.Bytes);
        Assert.Equal(result, cost.Shape);
    }

    [Fact]
    public void The_conv3d_gradients_move_the_bytes_of_its_forward()
    {
        // dy 572,026,880 + w 655,360 + dx 6,389,760 = x + dy + dw = 579,072,000 bytes, as the forward's x + w + y
        const string x = "bf16[1,16,32,60,104]", w = "bf16[5120,16,1,2,2]", y = "bf16[1,5120,34,31,53]";
        Assert.Equal(579_072_000d, Cost("__cudnn$convBackwardInput", "", Tuple(x, "u8[1]"), Bf012, y, w)!.Bytes);
        Assert.Equal(579_072_000d, Cost("__cudnn$convBackwardFilter", "", Tuple(w, "u8[1]"), Bf012, x, y)!.Bytes);
    }

    public static TheoryData<string, string, string, string, string> BackwardConvolutionMisfits() => new()
    {
        // dy's 64 features are not w's 128 output features
        { "features", "__cudnn$convBackwardInput", "f32[8,30,30,64]", "f32[3,3,64,128]", "f32[8,32,32,64]" },

        // x's batch 4 is not dy's 8
        { "batch", "__cudnn$convBackwardFilter", "f32[4,32,32,64]", "f32[8,30,30,128]", "f32[3,3,64,128]" },

        // rank 3 for two spatial dimensions
        { "rank", "__cudnn$convBackwardInput", "f32[8,900,128]", "f32[3,3,64,128]", "f32[8,32,32,64]" },

        // a zero-size dimension
        { "zero", "__cudnn$convBackwardFilter", "f32[8,32,32,64]", "f32[8,30,0,128]", "f32[3,3,64,128]" },

        // a tuple where an array belongs
        { "tuple", "__cudnn$convBackwardInput", "(f32[8,30,30,128], f32[1])", "f32[3,3,64,128]", "f32[8,32,32,64]" },
    };

    [Theory]
    [MemberData(nameof(BackwardConvolutionMisfits))]
    public void A_backward_convolution_whose_shapes_do_not_fit_its_dimension_numbers_has_no_cost(string why, string target, string first, string second, string result)
    {
        Assert.False(string.IsNullOrEmpty(why));
        Assert.Null(Cost(target, "", Tuple(result, "u8[1]"), Nhwc, first, second));
    }

    [Fact]
    public void A_backward_convolution_with_unreadable_dimension_numbers_or_one_operand_has_no_cost()
    {
        const string x = "f32[8,32,32,64]", w = "f32[3,3,64,128]", y = "f32[8,30,30,128]";

        // No dimension numbers; an index out of range; a dimension named twice; spatial lists of the wrong length
        Assert.Null(Cost("__cudnn$convBackwardInput", "", Tuple(x, "u8[1]"), (HloConvolutionDimensions?)null, y, w));
        Assert.Null(Cost("__cudnn$convBackwardInput", "", Tuple(x, "u8[1]"), Nhwc with { KernelOutputFeature = 7 }, y, w));
        Assert.Null(Cost("__cudnn$convBackwardInput", "", Tuple(x, "u8[1]"), Nhwc with { InputBatch = 3 }, y, w));
        Assert.Null(Cost("__cudnn$convBackwardInput", "", Tuple(x, "u8[1]"), Nhwc with { OutputSpatial = [1] }, y, w));
        Assert.Null(Cost("__cudnn$convBackwardInput", "", Tuple(x, "u8[1]"), Nhwc with { KernelSpatial = [0, -1] }, y, w));

        // One operand
        Assert.Null(Cost("__cudnn$convBackwardFilter", "", Tuple(w, "u8[1]"), Nhwc, x));

        // (the same call, well formed: 1,061,683,200)
        Assert.Equal(1_061_683_200d, Cost("__cudnn$convBackwardInput", "", Tuple(x, "u8[1]"), Nhwc, y, w)!.Flops);
    }

    // ---- hostile inputs --------------------------------------------------------------------------------------------

    [Fact]
    public void Absurd_attention_and_convolution_dimensions_give_no_cost_rather_than_infinity()
    {
        // Attention over 2^20 batches of 2^20 tokens, 2^10 heads: 2·2^20·2^10·2^40·256 FLOPs, far past 1e18
        const string huge = "bf16[1048576,1048576,1024,128]";
        var config = TeAttributes(9, 0, 1L << 20, 1024, 1024, 1L << 20, 1L << 20, 128, 128);
        Assert.Null(Cost(Te, config, Tuple(huge, "u8[1]"), huge, huge, huge));

        // Dimensions past long's range once multiplied (the batch product overflows)
        const string overflow = "bf16[4611686018427387904,4,1,4,64]";
        Assert.Null(Cost(Te, TeAttributes(9, 0, 0, 4, 4, 1, 1, 64, 64), Tuple(overflow, "u8[1]"), overflow, overflow, overflow));

        // A convolution gradient over 2^40 × 2^40 outputs
        const string big = "f32[1099511627776,1099511627776,3,128]";
        Assert.Null(Cost("__cudnn$convBackwardInput", "", Tuple("f32[1099511627776,1099511627778,5,64]", "u8[1]"), Nhwc, big, "f32[3,3,64,128]"));

        // Negative dimensions
        Assert.Null(Cost(Te, TeAttributes(9, 0, 1, 4, 4, 256, 256, 64, 64), Tuple("bf16[1,256,4,64]", "u8[1]"),
            "bf16[1,256,-4,64]", "bf16[1,256,-4,64]", "bf16[1,256,-4,64]"));
    }

    [Fact]
    public void An_attention_call_whose_operand_is_not_in_the_module_has_no_cost()
    {
        // Operand id 999 names no instruction
        var q = Parameter(1, Shape("bf16[1,256,4,64]"));
        var call = new HloInstruction("call", "custom-call", 100, Tuple("bf16[1,256,4,64]", "u8[1]"), [1, 999, 1], [], [], -1, "", Te,
            TeAttributes(9, 0, 1, 4, 4, 256, 256, 64, 64));
        var module = new HloModule("m", 1, "c", [new HloComputation("c", 1, 100, [q, call])]);
        Assert.Null(new HloModuleCost(module).Of("call"));
    }

    [Fact]
    public void Random_damage_to_custom_call_configs_never_throws()
    {
        // Given valid TE attributes and a cuDNN config, truncated and with random characters changed, 2,000 times
        string[] valid = [TeAttributes(5, 2, 2, 8, 8, 1024, 1024, 64, 64), CudnnConfig(true, true, [2, 16, 512, 1024], "NO_MASK")];
        var random = new Random(11);
        const string pool = "{}[]<>\",:= 0123456789-abcxyz\\";
        const string qkv = "bf16[1,256,4,64]", packed = "bf16[2,1024,3,8,64]";
        for (var trial = 0; trial < 2_000; trial++)
        {
            var chars = valid[trial % 2].ToCharArray();
            for (var k = 0; k < 1 + (trial % 5); k++)
            {
                chars[random.Next(chars.Length)] = pool[random.Next(pool.Length)];
            }

            var config = new string(chars, 0, random.Next(chars.Length + 1));

            // Then the attribute reader and the cost never throw, and a cost is finite
            _ = FfiAttributes.Parse(FfiAttributes.TextOf(config));
            foreach (var cost in new[]
            {
                TeForward(config, packed, "bf16[0]", "bf16[0]", "bf16[2,1024,8,64]"),
                Cost("__cudnn$fmhaSoftmaxBackward", config, Tuple(qkv, qkv, qkv, "u8[1]"), qkv, qkv, qkv, "f32[1,4,256,1]", qkv, qkv),
            })
            {
                Assert.True(cost is null || (double.IsFinite(cost.Flops) && cost.Flops >= 0 && cost.Bytes >= 0));
            }
        }
    }

    // ---- the FFI attribute dictionary --------------------------------------------------------------------------------

    [Theory]
    [InlineData("{attn_heads = 16 : i64, is_training = true}", "attn_heads", "16")]
    [InlineData("{attn_heads = 16 : i64, is_training = true}", "is_training", "true")]
    [InlineData("{dropout_probability = 1.000000e-01 : f64}", "dropout_probability", "1.000000e-01")]
    [InlineData("{window_size_left = -1 : i64}", "window_size_left", "-1")]
    [InlineData("{name = \"a, b = c\", x = 1 : i32}", "name", "\"a, b = c\"")]
    [InlineData("{name = \"a, b = c\", x = 1 : i32}", "x", "1")]
    [InlineData("{dims = array<i64: 1, 2>, y = dense<[1, 2]> : tensor<2xi64>}", "dims", "array<i64: 1, 2>")]
    [InlineData("{dims = array<i64: 1, 2>, y = dense<[1, 2]> : tensor<2xi64>}", "y", "dense<[1, 2]>")]
    [InlineData("{\"quoted name\" = 3 : i64}", "quoted name", "3")]
    public void Reads_an_FFI_attribute_dictionary(string text, string name, string value)
    {
        var attributes = FfiAttributes.Parse(text);
        Assert.NotNull(attributes);
        Assert.Equal(value, attributes[name]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("attn_heads = 16")]
    [InlineData("{attn_heads}")]
    [InlineData("{attn_heads = }")]
    [InlineData("{a = 1, a = 2}")]
    [InlineData("{a = [1, 2}")]
    [InlineData("{a = \"unterminated}")]
    [InlineData("{a = 1]}")]
    public void Text_that_is_not_an_FFI_attribute_dictionary_is_refused(string text) => Assert.Null(FfiAttributes.Parse(text));

    // ---- helpers -----------------------------------------------------------------------------------------------------

    private static HloInstructionCost? Cost(string target, string config, HloShape result, params string[] operands) =>
        Cost(target, config, result, null, operands);

    /// <summary>The cost of a custom call on parameters of the given shapes, alone in a module.</summary>
    private static HloInstructionCost? Cost(string target, string config, HloShape result, HloConvolutionDimensions? convolution, params string[] operands)
    {
        var parameters = operands.Select((s, i) => Parameter(i + 1, Shape(s))).ToList();
        var call = new HloInstruction("call", "custom-call", 100, result, [.. parameters.Select(p => p.Id)], [], [],
            convolution?.KernelOutputFeature ?? -1, "", target, config, convolution);
        var module = new HloModule("m", 1, "c", [new HloComputation("c", 1, 100, [.. parameters, call])]);
        return new HloModuleCost(module).Of("call");
    }

    private static HloInstruction Parameter(long id, HloShape shape) =>
        new($"p{id}", "parameter", id, shape, [], [], [], -1, "", "", "");

    private static HloShape Tuple(params string[] elements) => new("tuple", [], [.. elements.Select(Shape)]);

    /// <summary>An array shape from XLA's text (<c>bf16[2,1024,8,64]</c>), or a tuple of them in parentheses.</summary>
    private static HloShape Shape(string text)
    {
        if (text.StartsWith('('))
        {
            return Tuple([.. text[1..^1].Split(", ")]);
        }

        var open = text.IndexOf('[', StringComparison.Ordinal);
        var dims = text[(open + 1)..^1].Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => long.Parse(d, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)).ToArray();
        return new HloShape(text[..open], dims, []);
    }
}
