namespace Headroom.Costs;

public static partial class OpCostModel
{
    /// <summary>
    /// FLOPs per touched weight element of the optimizer update fused into a TBE backward (see docs/cost-model.md):
    /// SGD w −= lr·g: 2; Adagrad G += g² (2), w −= lr·g/(√G + ε) (5): 7; row-wise Adagrad: g² summed over the row (2)
    /// and w −= m·g (2): 4, plus <see cref="RowwiseFlopsPerRow"/> per row; dense: no update (the gradient is returned).
    /// </summary>
    private static readonly Dictionary<string, int> TableBatchedUpdateFlops = new(StringComparer.Ordinal)
    {
        ["sgd"] = 2,
        ["adagrad"] = 7,
        ["rowwise_adagrad"] = 4,
        ["Dense"] = 0,
    };

    /// <summary>Row-wise Adagrad per row: mean of g² (1), G += (1), √ (1), + ε (1), m = lr / (…) (1).</summary>
    private const int RowwiseFlopsPerRow = 5;

    /// <summary>
    /// Estimates the cost of one call of <paramref name="opName"/>, with what <paramref name="link"/> adds for fbgemm
    /// table-batched embedding ops (lookup: total_D; backward node: its lookup's arguments). Any other op, or no link:
    /// as <see cref="Estimate(string, string, string, string)"/>.
    /// </summary>
    public static OpCost Estimate(string opName, string inputDims, string inputTypes, string concreteInputs, EmbeddingLink? link)
    {
        if (TableBatchedLookup.Role(opName) is not { } role)
        {
            return Estimate(opName, inputDims, inputTypes, concreteInputs);
        }

        return Guarded(() =>
        {
            var args = OpArguments.Parse(inputDims ?? "", inputTypes ?? "", concreteInputs ?? "");
            return role.Backward ? TableBatchedBackward(role.Optimizer, args, link) : TableBatchedForward(opName, role.Optimizer, args, link);
        });
    }

    // Forward, sum pooling: each of the N indices adds its row of D̄ = total_D / T elements into its bag (N·D̄ adds; a
    // multiply more per element with per-sample weights). Reads the U touched rows at the weight dtype, the indices,
    // offsets and per-sample weights; writes the pooled output B·total_D (fp32: output_dtype is not recorded).
    private static OpCost TableBatchedForward(string name, string optimizer, OpArguments a, EmbeddingLink? link)
    {
        var l = TableBatchedLookup.Parse(optimizer, a);
        var recorded = l.TotalD is not null;
        var totalD = l.TotalD ?? link?.TotalD ?? throw OpArguments.Missing(
            "table-batched lookup: total_D not recorded and " + (link is { Refusal.Length: > 0 } ? link.Refusal : "no backward node links it"));
        Require(l.Admits(totalD), $"table-batched lookup: total_D {totalD} does not fit {l.Tables} tables of {N(l.Weights)} weights");
        if (l.PoolingMode is { } mode && mode != 0 && mode != 1)
        {
            throw OpArguments.Mismatch($"table-batched lookup: pooling mode {mode} (none) is not modelled");
        }

        var mean = l.PoolingMode == 1;
        var dBar = (double)totalD / l.Tables;
        var elements = l.N * dBar;
        var rows = TableRows(l, dBar);
        var output = (double)l.Batch * totalD;
        var flops = elements * (l.Weighted ? 2 : 1) + (mean ? output : 0);
        var read = rows * dBar * l.WeightType.Size + l.Indices.Bytes + l.Offsets.Bytes + (l.IndiceWeights?.Bytes ?? 0);
        var written = output * 4;
        var shortName = name.Replace("fbgemm::", "", StringComparison.Ordinal);
        var formula = $"{shortName}: {(mean ? "mean" : "sum")}-pooled gather of N={N(l.N)} indices into B={l.Batch} bags × T={l.Tables} tables, "
            + $"total_D={totalD} {(recorded ? "(recorded)" : "(from the backward's grad [B, total_D])")}, D̄ = total_D/T = {N(dBar)} (equal table dims assumed); "
            + $"{(l.Weighted ? "2" : "1")}·N·D̄{(mean ? " + B·total_D" : "")} FLOPs; reads U·D̄ weights at {l.WeightType.Name}, U = min(N, rows) = {N(rows)} rows "
            + $"(indices assumed distinct: an upper bound; a repeated row is read once) + indices + offsets{(l.Weighted ? " + indice_weights" : "")}; "
            + $"writes B·total_D fp32 (output dtype assumed){(l.PoolingMode is null ? "; pooling mode not recorded: sum assumed" : "")}";
        return Make(flops, read, written, l.WeightType, ComputeUnit.Vector, formula) with { Assumed = true };
    }

    // U = min(N, rows): the rows a call touches, the N indices taken as distinct rows (an upper bound), bounded by the
    // rows the tables hold: the row-wise state length (one element per row) or, otherwise, weights / D̄.
    private static double TableRows(TableBatchedLookup l, double dBar) =>
        Math.Min(l.N, l.Optimizer == "rowwise_adagrad" && l.StateNumel > 0 ? l.StateNumel : Math.Floor(l.Weights / dBar));

    // Backward node with the optimizer fused: the grad [B, total_D] of the pooled output is spread back to the N looked-up
    // rows (N·D̄ accumulations, a multiply more with per-sample weights) and each touched row updated in place. Touched
    // rows U = min(N, rows): the N indices taken as distinct rows (an upper bound), rows = state length (row-wise
    // Adagrad) or weights / D̄. Reads grad, indices, offsets, per-sample weights and the U·D̄ touched weights; writes
    // them back; Adagrad reads and writes one state element per touched weight, row-wise Adagrad one per touched row.
    // Dense (no optimizer): writes the dense weight gradient, every weight once (zero fill and the touched rows).
    private static OpCost TableBatchedBackward(string optimizer, OpArguments a, EmbeddingLink? link)
    {
        var grad = a.Tensor(0, "grad");
        Require(grad.Rank == 2, $"SplitLookupFunction_{optimizer}_Op: grad must be [B, total_D], got {S(grad.Shape)}");
        if (link is null || link.Refusal.Length > 0 || link.LookupDims.Length == 0)
        {
            throw OpArguments.Missing($"SplitLookupFunction_{optimizer}_Op records only its grad {S(grad.Shape)}: "
                + (link is { Refusal.Length: > 0 } ? link.Refusal : "no lookup links it (N and T not implied)"));
        }

        var l = TableBatchedLookup.Parse(optimizer, OpArguments.Parse(link.LookupDims, link.LookupTypes, link.LookupConcrete));
        var totalD = grad[1];
        Require(grad[0] == l.Batch && l.Admits(totalD), $"SplitLookupFunction_{optimizer}_Op: grad {S(grad.Shape)} does not fit its lookup (B={l.Batch}, T={l.Tables})");
        var dBar = (double)totalD / l.Tables;
        var rowwise = optimizer == "rowwise_adagrad";
        var touchedRows = TableRows(l, dBar);
        var touched = touchedRows * dBar;
        var accumulate = l.N * dBar * (l.Weighted ? 2 : 1);
        var update = TableBatchedUpdateFlops[optimizer] * touched + (rowwise ? RowwiseFlopsPerRow * touchedRows : 0);
        var state = optimizer switch
        {
            "adagrad" => touched * (l.StateType?.Size ?? 4),
            "rowwise_adagrad" => touchedRows * (l.StateType?.Size ?? 4),
            _ => 0,
        };
        var inputs = grad.Bytes + l.Indices.Bytes + l.Offsets.Bytes + (l.IndiceWeights?.Bytes ?? 0);
        var dense = optimizer == "Dense";
        var read = inputs + (dense ? 0 : touched * l.WeightType.Size) + state;
        var written = dense ? l.Weights * l.WeightType.Size : touched * l.WeightType.Size + state;
        var updateText = optimizer switch
        {
            "sgd" => "SGD 2·U·D̄ (w −= lr·g)",
            "adagrad" => "Adagrad 7·U·D̄ (G += g² 2; w −= lr·g/(√G+ε) 5)",
            "rowwise_adagrad" => $"row-wise Adagrad 4·U·D̄ (Σg² 2; w −= m·g 2) + {RowwiseFlopsPerRow}·U (mean, G +=, √, +ε, lr/)",
            _ => "no optimizer (dense gradient returned)",
        };
        var formula = $"SplitLookupFunction_{optimizer}_Op: grad [B={l.Batch}, total_D={totalD}] spread to N={N(l.N)} indices of T={l.Tables} tables "
            + $"(N, T from the lookup before it), D̄ = total_D/T = {N(dBar)} (equal table dims assumed); touched rows U = min(N, rows) = {N(touchedRows)} "
            + $"(indices assumed distinct: an upper bound); {(l.Weighted ? "2" : "1")}·N·D̄ accumulation + {updateText}; "
            + (dense
                ? $"reads grad + indices + offsets; writes the dense weight gradient ({N(l.Weights)} × {l.WeightType.Name})"
                : $"reads grad + indices + offsets + U·D̄ weights at {l.WeightType.Name}{(state > 0 ? " + state" : "")}; writes the U·D̄ weights{(state > 0 ? " + state" : "")}");
        return Make(accumulate + update, read, written, l.WeightType, ComputeUnit.Vector, formula) with { Assumed = true };
    }
}
