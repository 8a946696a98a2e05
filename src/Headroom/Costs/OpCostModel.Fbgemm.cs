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
        "fbgemm::bounds_check_indices",
    };

    private static OpCost Fbgemm(string name, OpArguments a) => name switch
    {
        "fbgemm::asynchronous_complete_cumsum" => CompleteCumsum(a),
        "fbgemm::bounds_check_indices" => BoundsCheck(a),
        _ => PermuteSparse(name, a),
    };

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
