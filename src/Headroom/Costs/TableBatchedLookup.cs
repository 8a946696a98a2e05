namespace Headroom.Costs;

/// <summary>
/// What a recorded fbgemm_gpu table-batched embedding (TBE) lookup implies: the optimizer fused into its backward, T
/// tables (len(D_offsets) − 1), B samples per table ((len(offsets) − 1) / T), N indices, the weights (dev + uvm) and,
/// for Adagrad variants, the optimizer state. <c>total_D</c> is a Scalar the profiler records without its value unless
/// Concrete Inputs are on.
/// </summary>
internal sealed record TableBatchedLookup(
    string Optimizer,
    long Tables,
    long Batch,
    TensorArg Indices,
    TensorArg Offsets,
    TensorArg? IndiceWeights,
    DataType WeightType,
    double Weights,
    DataType? StateType,
    double StateNumel,
    long? TotalD,
    long? PoolingMode)
{
    private const string SplitPrefix = "fbgemm::split_embedding_codegen_lookup_";
    private const string SplitSuffix = "_function";
    private const string DenseLookup = "fbgemm::dense_embedding_codegen_lookup_function";
    private const string BackwardPrefix = "torch::autograd::CppNode<SplitLookupFunction_";
    private const string BackwardSuffix = "_Op>";

    /// <summary>The optimizers whose fused backward has a formula; <c>Dense</c> is the dense (no optimizer) variant.</summary>
    internal static readonly HashSet<string> Optimizers = new(StringComparer.Ordinal) { "sgd", "adagrad", "rowwise_adagrad", "Dense" };

    /// <summary>N: the number of indices looked up.</summary>
    public double N => Indices.Numel;

    /// <summary>Whether per-sample weights (indice_weights) multiply the rows.</summary>
    public bool Weighted => IndiceWeights is { Numel: > 0 };

    /// <summary>
    /// The TBE role of an op name: a lookup (forward) or the autograd node of its backward, with its optimizer; null for
    /// any other op (and for optimizers without a formula).
    /// </summary>
    public static (bool Backward, string Optimizer)? Role(string name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return null;
        }

        string? optimizer = null;
        var backward = false;
        if (name == DenseLookup)
        {
            optimizer = "Dense";
        }
        else if (name.StartsWith(SplitPrefix, StringComparison.Ordinal) && name.EndsWith(SplitSuffix, StringComparison.Ordinal)
            && name.Length > SplitPrefix.Length + SplitSuffix.Length)
        {
            optimizer = name[SplitPrefix.Length..^SplitSuffix.Length];
        }
        else if (name.StartsWith(BackwardPrefix, StringComparison.Ordinal) && name.EndsWith(BackwardSuffix, StringComparison.Ordinal)
            && name.Length > BackwardPrefix.Length + BackwardSuffix.Length)
        {
            optimizer = name[BackwardPrefix.Length..^BackwardSuffix.Length];
            backward = true;
        }

        return optimizer is not null && Optimizers.Contains(optimizer) ? (backward, optimizer) : null;
    }

    /// <summary>Reads a lookup's recorded arguments; throws the reason when they do not fit the fbgemm signature.</summary>
    public static TableBatchedLookup Parse(string optimizer, OpArguments a)
    {
        // split_*: (placeholder, dev_weights 1, uvm_weights 2, lxu_cache_weights 3, weights_placements 4, weights_offsets 5,
        // D_offsets 6, total_D 7, max_D 8, hash_size_cumsum 9, total_hash_size_bits 10, indices 11, offsets 12,
        // pooling_mode 13, indice_weights 14, feature_requires_grad 15, lxu_cache_locations 16, 3 optimizer scalars 17-19,
        // momentum1_dev 20, momentum1_uvm 21, ...).
        // dense: (dev_weights 0, weights_offsets 1, D_offsets 2, total_D 3, max_D 4, hash_size_cumsum 5,
        // total_hash_size_bits 6, indices 7, offsets 8, pooling_mode 9, indice_weights 10, ...).
        var dense = optimizer == "Dense";
        var dev = a.Tensor(dense ? 0 : 1, "dev_weights");
        var uvm = dense ? null : a.OptionalTensor(2, "uvm_weights");
        var dOffsets = a.Tensor(dense ? 2 : 6, "D_offsets");
        var indices = a.Tensor(dense ? 7 : 11, "indices");
        var offsets = a.Tensor(dense ? 8 : 12, "offsets");
        var indiceWeights = a.OptionalTensor(dense ? 10 : 14, "indice_weights");
        Require(dev.Rank == 1 && dOffsets.Rank == 1 && indices.Rank == 1 && offsets.Rank == 1,
            "table-batched lookup: weights, D_offsets, indices and offsets must be 1-d");
        var tables = (long)dOffsets.Numel - 1;
        Require(tables >= 1, "table-batched lookup: D_offsets names no table");
        var bags = (long)offsets.Numel - 1;
        Require(bags >= 0 && bags % tables == 0, $"table-batched lookup: {bags} bags are not a multiple of {tables} tables");
        Require(indiceWeights is not { Numel: > 0 } || indiceWeights.Value.Numel == indices.Numel, "table-batched lookup: indice_weights do not match the indices");
        var weightType = dev.Numel > 0 || uvm is null ? dev.Type : uvm.Value.Type;
        TensorArg? state = null;
        var stateNumel = 0.0;
        if (optimizer is "adagrad" or "rowwise_adagrad")
        {
            state = a.Tensor(20, "momentum1_dev");
            stateNumel = state.Value.Numel + (a.OptionalTensor(21, "momentum1_uvm")?.Numel ?? 0);
        }

        return new TableBatchedLookup(optimizer, tables, bags / tables, indices, offsets, indiceWeights, weightType,
            dev.Numel + (uvm?.Numel ?? 0), state?.Type, stateNumel, a.Int(dense ? 3 : 7), a.Int(dense ? 9 : 13));
    }

    /// <summary>
    /// Whether a grad width <paramref name="totalD"/> can belong to this lookup: each table has a dimension of at least 1
    /// (total_D ≥ T); one table of R rows holds R·D weights (weights divisible by total_D; R·total_D with row-wise
    /// state); with row-wise state (one element per row) the row-weighted mean dimension weights / rows cannot exceed the
    /// largest table dimension, at most total_D − (T − 1); a recorded total_D must be equal.
    /// </summary>
    public bool Admits(long totalD)
    {
        if (totalD < Tables || (TotalD is { } recorded && recorded != totalD))
        {
            return false;
        }

        var rowwise = Optimizer == "rowwise_adagrad" && StateNumel > 0;
        if (Tables == 1 && Weights > 0)
        {
            return rowwise ? Weights == StateNumel * totalD : Weights % totalD == 0;
        }

        return !rowwise || Weights / StateNumel <= totalD - (Tables - 1);
    }

    private static void Require(bool condition, string reason)
    {
        if (!condition)
        {
            throw OpArguments.Mismatch(reason);
        }
    }
}
