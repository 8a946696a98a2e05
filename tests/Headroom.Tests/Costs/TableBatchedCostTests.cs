using Headroom.Costs;
using Xunit;

namespace Headroom.Tests.Costs;

/// <summary>
/// fbgemm table-batched embedding (TBE) lookups and their fused backward+optimizer nodes, with total_D or the lookup
/// supplied by an <see cref="EmbeddingLink"/>; every value worked by hand in the comment above it (docs/cost-model.md).
/// </summary>
public sealed class TableBatchedCostTests
{
    private const string Adagrad = "fbgemm::split_embedding_codegen_lookup_adagrad_function";
    private const string AdagradBackward = "torch::autograd::CppNode<SplitLookupFunction_adagrad_Op>";
    private const string Rowwise = "fbgemm::split_embedding_codegen_lookup_rowwise_adagrad_function";
    private const string RowwiseBackward = "torch::autograd::CppNode<SplitLookupFunction_rowwise_adagrad_Op>";
    private const string Sgd = "fbgemm::split_embedding_codegen_lookup_sgd_function";
    private const string SgdBackward = "torch::autograd::CppNode<SplitLookupFunction_sgd_Op>";
    private const string Dense = "fbgemm::dense_embedding_codegen_lookup_function";
    private const string DenseBackward = "torch::autograd::CppNode<SplitLookupFunction_Dense_Op>";

    // Adagrad, fp32: T = 2 tables (D_offsets [3]), B = 3 (offsets [7] = T·B + 1), N = 10 int64 indices, 80 weights and
    // 80 momentum elements (the layout DLRM records: 27 arguments).
    internal const string AdagradDims = "[[0],[80],[0],[0,0],[2],[2],[3],[],[],[3],[],[10],[7],[],[],[],[0],[],[],[],[80],[0],[2],[2],[],[],[]]";
    internal const string AdagradTypes = "[\"float\",\"float\",\"float\",\"float\",\"int\",\"long int\",\"int\",\"Scalar\",\"Scalar\",\"long int\",\"Scalar\",\"long int\",\"long int\",\"Scalar\",\"\",\"\",\"int\",\"Scalar\",\"Scalar\",\"Scalar\",\"float\",\"float\",\"int\",\"long int\",\"Scalar\",\"Scalar\",\"Scalar\"]";

    // Row-wise Adagrad, fp16 weights, weighted: T = 1, B = 4 (offsets [5]), N = 6 int64 indices with 6 fp32
    // indice_weights, 40 weights (5 rows × 8), 5 fp32 momentum elements (one per row) (the 29-argument layout).
    private const string RowwiseDims = "[[0],[40],[0],[0,0],[1],[1],[2],[],[],[2],[],[6],[5],[],[6],[],[0],[],[],[],[5],[0],[1],[1],[],[],[],[],[]]";
    private const string RowwiseTypes = "[\"float\",\"c10::Half\",\"c10::Half\",\"c10::Half\",\"int\",\"long\",\"int\",\"Scalar\",\"Scalar\",\"long\",\"Scalar\",\"long\",\"long\",\"Scalar\",\"float\",\"\",\"int\",\"Scalar\",\"Scalar\",\"Scalar\",\"float\",\"float\",\"int\",\"long\",\"Scalar\",\"Scalar\",\"Scalar\",\"Scalar\",\"Scalar\"]";

    // SGD, fp32: as Adagrad without optimizer state (21 arguments: learning_rate last).
    private const string SgdDims = "[[0],[80],[0],[0,0],[2],[2],[3],[],[],[3],[],[10],[7],[],[],[],[0],[],[],[],[]]";
    private const string SgdTypes = "[\"float\",\"float\",\"float\",\"float\",\"int\",\"long int\",\"int\",\"Scalar\",\"Scalar\",\"long int\",\"Scalar\",\"long int\",\"long int\",\"Scalar\",\"\",\"\",\"int\",\"Scalar\",\"Scalar\",\"Scalar\",\"Scalar\"]";

    // Dense (DLRM's): 112 fp32 weights, T = 2 (D_offsets [3]), N = 32, B = 16 (offsets [33]).
    private const string DenseDims = "[[112],[2],[3],[],[],[3],[],[32],[33],[],[],[],[]]";
    private const string DenseTypes = "[\"float\",\"long int\",\"int\",\"Scalar\",\"Scalar\",\"long int\",\"Scalar\",\"long int\",\"long int\",\"Scalar\",\"\",\"\",\"Scalar\"]";

    private static EmbeddingLink Width(long totalD) => new() { TotalD = totalD };

    private static EmbeddingLink Lookup(string dims, string types) => new() { LookupId = 1, LookupDims = dims, LookupTypes = types };

    public static TheoryData<string, string, string, EmbeddingLink, double, long, long, string> Rows => new()
    {
        // Adagrad lookup, total_D = 8 from the backward: D̄ = 8/2 = 4; FLOPs N·D̄ = 10·4 = 40; rows = 80/4 = 20, U = min(10, 20) = 10;
        // read U·D̄·4 = 160 + indices 10·8 = 80 + offsets 7·8 = 56 = 296; write B·total_D·4 = 3·8·4 = 96
        { Adagrad, AdagradDims, AdagradTypes, Width(8), 40, 296, 96, "fp32" },
        // its backward, grad [3, 8]: accumulation N·D̄ = 40 + Adagrad 7·U·D̄ = 7·40 = 280 → 320;
        // read grad 3·8·4 = 96 + indices 80 + offsets 56 + weights 40·4 = 160 + momentum 40·4 = 160 = 552; write 160 + 160 = 320
        { AdagradBackward, "[[3,8]]", "[\"float\"]", Lookup(AdagradDims, AdagradTypes), 320, 552, 320, "fp32" },
        // row-wise Adagrad weighted lookup, total_D = 8 (40 = 5 rows · 8): D̄ = 8; FLOPs 2·N·D̄ = 2·6·8 = 96; U = min(6, 5 rows) = 5;
        // read U·D̄·2 = 80 + indices 6·8 = 48 + offsets 5·8 = 40 + indice_weights 6·4 = 24 = 192; write 4·8·4 = 128
        { Rowwise, RowwiseDims, RowwiseTypes, Width(8), 96, 192, 128, "fp16" },
        // its backward, grad [4, 8]: accumulation 2·N·D̄ = 96 + 4·U·D̄ = 4·40 = 160 + 5·U = 25 → 281;
        // read grad 4·8·4 = 128 + 48 + 40 + 24 + weights 40·2 = 80 + momentum 5·4 = 20 = 340; write 80 + 20 = 100
        { RowwiseBackward, "[[4,8]]", "[\"float\"]", Lookup(RowwiseDims, RowwiseTypes), 281, 340, 100, "fp16" },
        // SGD lookup: as Adagrad's (no state read in the forward): 40 FLOPs, 296 read, 96 written
        { Sgd, SgdDims, SgdTypes, Width(8), 40, 296, 96, "fp32" },
        // its backward, grad [3, 8]: 40 + SGD 2·U·D̄ = 80 → 120; read 96 + 80 + 56 + 160 = 392; write 160
        { SgdBackward, "[[3,8]]", "[\"float\"]", Lookup(SgdDims, SgdTypes), 120, 392, 160, "fp32" },
        // dense lookup, total_D = 32: D̄ = 16; FLOPs 32·16 = 512; rows = 112/16 = 7, U = min(32, 7) = 7;
        // read 7·16·4 = 448 + indices 32·8 = 256 + offsets 33·8 = 264 = 968; write 16·32·4 = 2,048
        { Dense, DenseDims, DenseTypes, Width(32), 512, 968, 2_048, "fp32" },
        // its backward, grad [16, 32]: accumulation N·D̄ = 512, no update; read grad 2,048 + 256 + 264 = 2,568; write the dense gradient 112·4 = 448
        { DenseBackward, "[[16,32]]", "[\"float\"]", Lookup(DenseDims, DenseTypes), 512, 2_568, 448, "fp32" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Each_formula_gives_its_hand_worked_value(string op, string dims, string types, EmbeddingLink link, double flops, long read, long written, string dtype)
    {
        var cost = OpCostModel.Estimate(op, dims, types, "", link);
        Assert.True(cost.HasEstimate, cost.Reason);
        Assert.Equal(flops, cost.Flops);
        Assert.Equal(read, cost.BytesRead);
        Assert.Equal(written, cost.BytesWritten);
        Assert.Equal(dtype, cost.DataType);
        Assert.Equal(ComputeUnit.Vector, cost.Unit);
        Assert.True(cost.Assumed, "equal table dims and distinct indices are assumptions");
        Assert.Contains("equal table dims assumed", cost.Formula, StringComparison.Ordinal);
        Assert.True(OpCostModel.HasFormula(op));
    }

    [Fact]
    public void A_recorded_total_D_needs_no_link()
    {
        // Concrete Inputs with total_D = 8 at argument 7: the Adagrad row above without a link
        var concrete = "[" + string.Join(",", Enumerable.Range(0, 27).Select(i => i == 7 ? "\"8\"" : "\"\"")) + "]";
        var cost = OpCostModel.Estimate(Adagrad, AdagradDims, AdagradTypes, concrete);
        Assert.True(cost.HasEstimate, cost.Reason);
        Assert.Equal(40, cost.Flops);
        Assert.Contains("total_D=8 (recorded)", cost.Formula, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_link_nothing_is_invented()
    {
        var forward = OpCostModel.Estimate(Adagrad, AdagradDims, AdagradTypes, "");
        Assert.Equal(OpCostKind.MissingShapes, forward.Kind);
        Assert.Contains("total_D not recorded", forward.Reason, StringComparison.Ordinal);
        var backward = OpCostModel.Estimate(AdagradBackward, "[[3,8]]", "[\"float\"]", "");
        Assert.Equal(OpCostKind.MissingShapes, backward.Kind);
        var refused = OpCostModel.Estimate(Adagrad, AdagradDims, AdagradTypes, "", new EmbeddingLink { Refusal = "total_D ambiguous" });
        Assert.Equal(OpCostKind.MissingShapes, refused.Kind);
        Assert.Contains("total_D ambiguous", refused.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_width_the_lookup_cannot_hold_is_a_mismatch()
    {
        // total_D = 1 < T = 2: each table has at least one column
        Assert.Equal(OpCostKind.ShapeMismatch, OpCostModel.Estimate(Adagrad, AdagradDims, AdagradTypes, "", Width(1)).Kind);
        // row-wise, one table: 40 weights ≠ 5 rows · 16
        Assert.Equal(OpCostKind.ShapeMismatch, OpCostModel.Estimate(Rowwise, RowwiseDims, RowwiseTypes, "", Width(16)).Kind);
        // backward grad [5, 8] with a lookup of B = 3
        Assert.Equal(OpCostKind.ShapeMismatch, OpCostModel.Estimate(AdagradBackward, "[[5,8]]", "[\"float\"]", "", Lookup(AdagradDims, AdagradTypes)).Kind);
    }

    [Fact]
    public void Hints_pair_lookups_and_grad_widths_by_optimizer_batch_and_what_each_lookup_admits()
    {
        // Two weighted row-wise lookups with B = 4: A (T = 1, 40 weights in 5 rows: D = 8) and B (T = 3, 300 weights, 30 rows);
        // backward widths 8 and 24. 8 admits A (40 = 5·8) and B (8 ≥ 3, mean row dim 300/30 = 10 > 8 − 2 = 6: no): A ↔ 8;
        // 24 admits B (10 ≤ 22) and not A (40 ≠ 5·24): B ↔ 24. The backward of B takes N from the latest B lookup before it.
        const string a = RowwiseDims;
        const string b = "[[0],[300],[0],[0,0],[3],[3],[4],[],[],[4],[],[20],[13],[],[20],[],[0],[],[],[],[30],[0],[3],[3],[],[],[],[],[]]";
        const string bLater = "[[0],[300],[0],[0,0],[3],[3],[4],[],[],[4],[],[21],[13],[],[21],[],[0],[],[],[],[30],[0],[3],[3],[],[],[],[],[]]";
        var hints = EmbeddingHints.Build(
        [
            new(1, Rowwise, a, RowwiseTypes, "", 100),
            new(2, Rowwise, b, RowwiseTypes, "", 110),
            new(3, RowwiseBackward, "[[4,24]]", "[\"float\"]", "", 200),
            new(4, RowwiseBackward, "[[4,8]]", "[\"float\"]", "", 210),
            new(5, Rowwise, bLater, RowwiseTypes, "", 300),
            new(6, RowwiseBackward, "[[4,24]]", "[\"float\"]", "", 400),
            new(7, "aten::mm", "[[2,2],[2,2]]", "[\"float\",\"float\"]", "", 500),
        ]);
        Assert.Equal(8, hints.For(1)!.TotalD);
        Assert.Equal(24, hints.For(2)!.TotalD);
        Assert.Equal(24, hints.For(5)!.TotalD);
        Assert.Equal(2, hints.For(3)!.LookupId);
        Assert.Equal(1, hints.For(4)!.LookupId);
        Assert.Equal(5, hints.For(6)!.LookupId);
        Assert.Null(hints.For(7));
    }

    [Fact]
    public void Hints_refuse_a_key_with_several_admissible_widths()
    {
        // One Adagrad lookup (T = 2, B = 3), two backward widths with B = 3 that it both admits: 8 and 12
        var hints = EmbeddingHints.Build(
        [
            new(1, Adagrad, AdagradDims, AdagradTypes, "", 100),
            new(2, AdagradBackward, "[[3,8]]", "[\"float\"]", "", 200),
            new(3, AdagradBackward, "[[3,12]]", "[\"float\"]", "", 210),
        ]);
        Assert.Null(hints.For(1)!.TotalD);
        Assert.Contains("ambiguous", hints.For(1)!.Refusal, StringComparison.Ordinal);
        Assert.NotEmpty(hints.For(2)!.Refusal);
        Assert.NotEmpty(hints.For(3)!.Refusal);
        Assert.False(OpCostModel.Estimate(Adagrad, AdagradDims, AdagradTypes, "", hints.For(1)).HasEstimate);
        Assert.False(OpCostModel.Estimate(AdagradBackward, "[[3,8]]", "[\"float\"]", "", hints.For(2)).HasEstimate);
    }

    [Fact]
    public void Hints_skip_records_they_cannot_read()
    {
        // malformed JSON, a 1-d grad, a lookup whose 6 bags (offsets [7]) are not a multiple of 4 tables (D_offsets [5]): no link, no exception
        var hints = EmbeddingHints.Build(
        [
            new(1, Adagrad, "not json", AdagradTypes, "", 100),
            new(2, AdagradBackward, "[[3]]", "[\"float\"]", "", 200),
            new(3, Adagrad, AdagradDims.Replace("[3],[],[],[3]", "[5],[],[],[3]", StringComparison.Ordinal), AdagradTypes, "", 300),
        ]);
        Assert.Equal(0, hints.Count);
    }
}
