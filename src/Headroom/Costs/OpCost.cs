namespace Headroom.Costs;

/// <summary>Where an op's arithmetic runs: matrix units (tensor cores, MXU) or vector units (CUDA cores, VPU).</summary>
public enum ComputeUnit
{
    /// <summary>Vector (SIMT) units: everything that is not a matrix product.</summary>
    Vector,

    /// <summary>Matrix units: GEMMs, convolutions, attention matmuls.</summary>
    Matrix,
}

/// <summary>Why an op has no estimate (<see cref="OpCostKind.Estimate"/> when it has one).</summary>
public enum OpCostKind
{
    /// <summary>The op has an estimate.</summary>
    Estimate,

    /// <summary>No formula for this op.</summary>
    UnknownOp,

    /// <summary>The trace did not record what the formula needs (shapes, list shapes, einsum equation, kernel size).</summary>
    MissingShapes,

    /// <summary>The shapes were recorded but do not fit the formula (wrong rank, mismatched inner dimensions).</summary>
    ShapeMismatch,

    /// <summary>A tensor's "Input type" is not a dtype in the table (or no types were recorded).</summary>
    UnknownDtype,

    /// <summary>Negative or absurd dimensions, or a result too large to be real.</summary>
    BadDims,

    /// <summary>The argument text is not the JSON expected.</summary>
    Malformed,
}

/// <summary>
/// The cost of one op call from its recorded shapes: model FLOPs (2 per multiply-add) and the minimum bytes it must
/// move (each input read once, each output written once), or "no estimate" with a reason. See docs/cost-model.md.
/// </summary>
/// <param name="Kind">Estimate, or why there is none.</param>
/// <param name="Flops">Model FLOPs; 0 when there is no estimate. Always finite and non-negative.</param>
/// <param name="BytesRead">Minimum bytes read, by dtype size.</param>
/// <param name="BytesWritten">Minimum bytes written, by dtype size.</param>
/// <param name="DataType">The compute dtype (fp32, bf16, fp16, fp8, int8, ...); empty without an estimate.</param>
/// <param name="Unit">Matrix or vector units.</param>
/// <param name="Formula">A short text of the formula used, with any assumption made.</param>
/// <param name="Reason">Why there is no estimate; empty with one.</param>
public sealed record OpCost(OpCostKind Kind, double Flops, long BytesRead, long BytesWritten, string DataType, ComputeUnit Unit, string Formula, string Reason)
{
    /// <summary>True when the op has an estimate.</summary>
    public bool HasEstimate => Kind == OpCostKind.Estimate;

    /// <summary>
    /// True when the estimate rests on an assumption about something the trace did not record (stride and padding of a
    /// convolution, is_causal, a TensorList dtype, ...); <see cref="Formula"/> says which. Such estimates can be far off
    /// (a stride-2 convolution counted at stride 1 is 4× too many FLOPs).
    /// </summary>
    public bool Assumed { get; init; }

    /// <summary>Bytes read plus bytes written.</summary>
    public long Bytes => BytesRead + BytesWritten;

    /// <summary>"No estimate" with its reason.</summary>
    public static OpCost None(OpCostKind kind, string reason) => new(kind, 0, 0, 0, "", ComputeUnit.Vector, "", reason);
}
