namespace Headroom.Costs;

public static partial class OpCostModel
{
    /// <summary>
    /// The fbgemm_gpu sparse-feature ops TorchRec and DLRM run around their embedding tables (fbgemm_gpu's
    /// sparse_ops): data movement and prefix sums with a definition as plain as aten's. Table-batched embedding lookups
    /// (split_embedding_codegen_*) record neither the per-table dimension nor the pooling: they have no formula.
    /// </summary>
    private static readonly HashSet<string> FbgemmOps = new(StringComparer.Ordinal)
    {
        "fbgemm::permute_2D_sparse_data", "fbgemm::permute_sparse_features", "fbgemm::asynchronous_complete_cumsum",
        "fbgemm::bounds_check_indices", "fbgemm::permute_pooled_embs", "fbgemm::permute_pooled_embs_auto_grad", PermutePooledBackward,
        "fbgemm::recat_embedding_grad_output_mixed_D_batch", "fbgemm::FloatToFP8RowwiseQuantized", "fbgemm::FP8RowwiseQuantizedToFloat",
        "fbgemm::FloatToHFP8Quantized", "fbgemm::HFP8QuantizedToFloat",
    };

    /// <summary>The autograd node of <c>fbgemm::permute_pooled_embs_auto_grad</c>: it records only the grad.</summary>
    private const string PermutePooledBackward = "torch::autograd::CppNode<fbgemm_gpu::PermutePooledEmbsFunction<&fbgemm_gpu::permute_pooled_embs_gpu> >";

    /// <summary>Bytes of the row scale (and padding) fbgemm appends to each FP8 row-wise quantized row.</summary>
    private const int Fp8RowScaleBytes = 8;

    private static OpCost Fbgemm(string name, OpArguments a) => name switch
    {
        "fbgemm::asynchronous_complete_cumsum" => CompleteCumsum(a),
        "fbgemm::bounds_check_indices" => BoundsCheck(a),
        "fbgemm::permute_pooled_embs" or "fbgemm::permute_pooled_embs_auto_grad" => PermutePooled(name, a),
        PermutePooledBackward => PermutePooledGrad(a),
        "fbgemm::recat_embedding_grad_output_mixed_D_batch" => RecatGradOutput(a),
        "fbgemm::FloatToFP8RowwiseQuantized" => Fp8RowwiseQuantize(a),
        "fbgemm::FP8RowwiseQuantizedToFloat" => Fp8RowwiseDequantize(a),
        "fbgemm::FloatToHFP8Quantized" or "fbgemm::HFP8QuantizedToFloat" => Hfp8Cast(name, a),
        _ => PermuteSparse(name, a),
    };

    private static DataType Fp32Type => DataTypes.TryFromTypeName("float", out var t) ? t : throw new InvalidOperationException("fp32");

    // permute_pooled_embs(pooled_embs[B, total_D], offset_dim_list[T+1], permute_list[T], inv_offset_dim_list[T+1],
    // inv_permute_list[T]): moves each table's column block; 0 FLOPs; reads everything once, writes B·total_D
    private static OpCost PermutePooled(string name, OpArguments a)
    {
        var pooled = a.Tensor(0, "pooled_embs");
        var lists = Enumerable.Range(1, 4).Select(i => a.Tensor(i, "permute metadata")).ToList();
        Require(pooled.Rank == 2 && lists.All(l => l.Rank == 1) && lists[0].Numel == lists[1].Numel + 1,
            $"{name}: shapes {S(pooled.Shape)}, {S(lists[0].Shape)}, {S(lists[1].Shape)} do not fit");
        return Make(0, pooled.Bytes + lists.Sum(l => l.Bytes), pooled.Bytes, pooled.Type, ComputeUnit.Vector,
            $"{name.Replace("fbgemm::", "", StringComparison.Ordinal)}: 0 FLOPs, [{pooled[0]}, {pooled[1]}] in {N(lists[1].Numel)} column blocks read and written once");
    }

    // The backward node of permute_pooled_embs_auto_grad, grad [B, total_D]: the inverse permutation; 0 FLOPs; reads and
    // writes the grad once (its T-sized permutation lists are not recorded, not counted)
    private static OpCost PermutePooledGrad(OpArguments a)
    {
        var grad = a.Tensor(0, "grad");
        Require(grad.Rank == 2, $"PermutePooledEmbsFunction backward: grad must be [B, total_D], got {S(grad.Shape)}");
        return Make(0, grad.Bytes, grad.Bytes, grad.Type, ComputeUnit.Vector,
            $"PermutePooledEmbsFunction backward: 0 FLOPs, grad [{grad[0]}, {grad[1]}] read and written once (inverse permutation; its lists not counted)");
    }

    // recat_embedding_grad_output_mixed_D_batch(grad_output[B, D], dim_sum_per_rank[W], cumsum_dim_sum_per_rank[W]): regroups
    // the grad per rank for the all-to-all; 0 FLOPs; reads the three tensors, writes numel(grad_output)
    private static OpCost RecatGradOutput(OpArguments a)
    {
        var grad = a.Tensor(0, "grad_output");
        var dims = a.Tensor(1, "dim_sum_per_rank");
        var cumsum = a.Tensor(2, "cumsum_dim_sum_per_rank");
        Require(grad.Rank == 2 && dims.Rank == 1 && cumsum.Rank == 1, $"recat_embedding_grad_output_mixed_D_batch: shapes {S(grad.Shape)}, {S(dims.Shape)} do not fit");
        return Make(0, grad.Bytes + dims.Bytes + cumsum.Bytes, grad.Bytes, grad.Type, ComputeUnit.Vector,
            $"recat_embedding_grad_output_mixed_D_batch: 0 FLOPs, grad [{grad[0]}, {grad[1]}] regrouped for {dims.Numel} ranks");
    }

    // FloatToFP8RowwiseQuantized(input[..., D] fp32, forward): per row max |x| (abs, max: 2 per element) then x·scale
    // (1 per element): 3·numel; reads the input; writes rows × (D rounded up to 4 + 8) bytes: the fp8 values, then a
    // float row scale padded to 8 bytes (fbgemm's layout)
    private static OpCost Fp8RowwiseQuantize(OpArguments a)
    {
        var x = a.Tensor(0, "input");
        Require(x.Rank >= 1 && x[-1] > 0, $"FloatToFP8RowwiseQuantized: input {S(x.Shape)} has no columns");
        var d = x[-1];
        var rows = x.Numel / d;
        var columns = ((d + 3) / 4 * 4) + Fp8RowScaleBytes;
        return Make(3 * x.Numel, x.Bytes, rows * columns, x.Type, ComputeUnit.Vector,
            $"FloatToFP8RowwiseQuantized: 3·numel (|x|, row max, scale), {N(rows)} rows × {d}; writes {columns} bytes per row (fp8 values + {Fp8RowScaleBytes}-byte row scale)");
    }

    // FP8RowwiseQuantizedToFloat(input[..., C] uint8, forward, [output_dtype]): C − 8 fp8 values per row times the row
    // scale (1 per element); reads the input; writes rows·(C − 8) at output_dtype (fp32 when absent; recorded without
    // value: fp32 assumed)
    private static OpCost Fp8RowwiseDequantize(OpArguments a)
    {
        var x = a.Tensor(0, "input");
        Require(x.Rank >= 1 && x[-1] > Fp8RowScaleBytes, $"FP8RowwiseQuantizedToFloat: input {S(x.Shape)} has no value columns");
        var values = x.Numel / x[-1] * (x[-1] - Fp8RowScaleBytes);
        var fp32 = Fp32Type;
        // output_dtype is fbgemm's SparseType: 0 FP32, 1 FP16, 5 BF16
        var dtype = a.Int(2) switch
        {
            null or 0 => fp32,
            1 => DataTypes.TryFromTypeName("c10::Half", out var h) ? h : fp32,
            5 => DataTypes.TryFromTypeName("c10::BFloat16", out var b) ? b : fp32,
            var other => throw OpArguments.Mismatch($"FP8RowwiseQuantizedToFloat: output SparseType {other} is not a float type"),
        };
        return Make(values, x.Bytes, values * dtype.Size, fp32, ComputeUnit.Vector,
            $"FP8RowwiseQuantizedToFloat: 1·numel (× row scale), {N(values)} values ({x[-1]} − {Fp8RowScaleBytes} scale bytes per row) written at {dtype.Name}"
            + (a.Int(2) is null && a.Count > 2 ? " (output dtype not recorded: fp32 assumed)" : ""));
    }

    // FloatToHFP8Quantized(input fp32, ebits, exponent_bias, max_pos) / HFP8QuantizedToFloat(input uint8, ebits,
    // exponent_bias): an element-wise cast between fp32 and 1-byte hybrid fp8, 0 FLOPs as aten's casts; reads numel at
    // the input dtype, writes numel at the other
    private static OpCost Hfp8Cast(string name, OpArguments a)
    {
        var x = a.Tensor(0, "input");
        var quantize = name == "fbgemm::FloatToHFP8Quantized";
        var fp32 = Fp32Type;
        return Make(0, x.Bytes, x.Numel * (quantize ? 1 : fp32.Size), fp32, ComputeUnit.Vector,
            $"{name.Replace("fbgemm::", "", StringComparison.Ordinal)}: 0 FLOPs (a cast), {N(x.Numel)} elements {(quantize ? "fp32 → 1 byte" : "1 byte → fp32")}");
    }

    // permute_2D_sparse_data(permute[T], lengths[T, B], indices[N], weights?[N], ...): 0 FLOPs; reads everything once,
    // writes the permuted lengths, indices and weights. A permute of another length than T selects or repeats tables:
    // the output size (permuted_lengths_sum) is then not recorded.
    private static OpCost PermuteSparse(string name, OpArguments a)
    {
        var permute = a.Tensor(0, "permute");
        var lengths = a.Tensor(1, "lengths");
        var indices = a.Tensor(2, "indices");
        var weights = a.OptionalTensor(3, "weights");
        Require(permute.Rank == 1 && lengths.Rank == 2 && indices.Rank == 1, $"{name}: shapes {S(permute.Shape)}, {S(lengths.Shape)}, {S(indices.Shape)} do not fit");
        Require(weights is null || weights.Value.Numel == indices.Numel, $"{name}: weights do not match the indices");
        if (permute.Numel != lengths[0])
        {
            throw OpArguments.Missing($"{name}: {N(permute.Numel)} tables permuted out of {lengths[0]}: the output size is not recorded");
        }

        var moved = lengths.Bytes + indices.Bytes + (weights?.Bytes ?? 0);
        return Make(0, permute.Bytes + moved, moved, indices.Type, ComputeUnit.Vector,
            $"{name.Replace("fbgemm::", "", StringComparison.Ordinal)}: 0 FLOPs, {lengths[0]} tables × {lengths[1]} samples, {N(indices.Numel)} indices");
    }

    // asynchronous_complete_cumsum(x[N]): N adds; reads x, writes N + 1 elements (a leading zero)
    private static OpCost CompleteCumsum(OpArguments a)
    {
        var x = a.Tensor(0, "input");
        Require(x.Rank == 1, $"asynchronous_complete_cumsum input must be 1-d, got {S(x.Shape)}");
        return Make(x.Numel, x.Bytes, (x.Numel + 1) * x.Type.Size, x.Type, ComputeUnit.Vector, $"asynchronous_complete_cumsum: 1·N, N={N(x.Numel)}");
    }

    // bounds_check_indices(rows_per_table[T], indices[N], offsets[T·B + 1], mode, warning, ...): two comparisons per index
    // (≥ 0, < rows); reads the three tensors; writes nothing when every index is in bounds
    private static OpCost BoundsCheck(OpArguments a)
    {
        var rows = a.Tensor(0, "rows_per_table");
        var indices = a.Tensor(1, "indices");
        var offsets = a.Tensor(2, "offsets");
        Require(rows.Rank == 1 && indices.Rank == 1 && offsets.Rank == 1 && offsets.Numel >= 1, "bounds_check_indices: tensors must be 1-d");
        return Make(2 * indices.Numel, rows.Bytes + indices.Bytes + offsets.Bytes, 0, indices.Type, ComputeUnit.Vector,
            $"bounds_check_indices: 2·numel(indices), {N(indices.Numel)} indices in {rows.Numel} tables");
    }
}
