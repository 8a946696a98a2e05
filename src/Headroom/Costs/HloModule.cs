namespace Headroom.Costs;

/// <summary>An XLA shape (<c>xla.ShapeProto</c>): an array of one element type, or a tuple of shapes.</summary>
/// <param name="ElementType">XLA's dtype name (<c>bf16</c>, <c>f32</c>, <c>s8</c>, ...; "tuple"; "" when unknown).</param>
/// <param name="Dims">Dimension sizes (empty for a scalar or a tuple).</param>
/// <param name="Tuple">Element shapes of a tuple (empty otherwise).</param>
public sealed record HloShape(string ElementType, IReadOnlyList<long> Dims, IReadOnlyList<HloShape> Tuple)
{
    /// <summary>Elements of an array shape (1 for a scalar; 0 for a tuple).</summary>
    public double Elements => Tuple.Count > 0 ? 0 : Dims.Aggregate(1d, (p, d) => p * Math.Max(0, d));

    /// <summary>Bytes of the shape (a tuple: the sum of its elements); -1 when an element type has no known size.</summary>
    public double Bytes
    {
        get
        {
            if (Tuple.Count > 0)
            {
                double sum = 0;
                foreach (var t in Tuple)
                {
                    var b = t.Bytes;
                    if (b < 0)
                    {
                        return -1;
                    }

                    sum += b;
                }

                return sum;
            }

            var size = SizeOf(ElementType);
            return size > 0 ? Elements * size : -1;
        }
    }

    /// <summary>XLA's text form without layout: <c>bf16[256,256]</c>, <c>(bf16[8,8], s8[64])</c>.</summary>
    public string Text => Tuple.Count > 0 ? $"({string.Join(", ", Tuple.Select(t => t.Text))})" : $"{ElementType}[{string.Join(",", Dims)}]";

    /// <summary>The first array shape: the shape itself, or a tuple's first element (a custom call's result before its workspace).</summary>
    public HloShape First => Tuple.Count > 0 ? Tuple[0].First : this;

    /// <summary>XLA's name of a <c>PrimitiveType</c> value (xla_data.proto); "" when unknown.</summary>
    public static string TypeName(long primitiveType) => primitiveType switch
    {
        1 => "pred",
        2 => "s8",
        3 => "s16",
        4 => "s32",
        5 => "s64",
        6 => "u8",
        7 => "u16",
        8 => "u32",
        9 => "u64",
        10 => "f16",
        11 => "f32",
        12 => "f64",
        13 => "tuple",
        15 => "c64",
        16 => "bf16",
        18 => "c128",
        19 => "f8e5m2",
        20 => "f8e4m3fn",
        28 => "f8e4m3",
        _ => "",
    };

    /// <summary>Bytes per element of an XLA dtype; 0 when unknown.</summary>
    public static int SizeOf(string type) => type switch
    {
        "f64" or "s64" or "u64" or "c64" => 8,
        "f32" or "s32" or "u32" => 4,
        "bf16" or "f16" or "s16" or "u16" => 2,
        "s8" or "u8" or "pred" => 1,
        "c128" => 16,
        _ when type.StartsWith("f8", StringComparison.Ordinal) => 1,
        _ => 0,
    };
}

/// <summary>One HLO instruction (<c>xla.HloInstructionProto</c>), the fields the cost model reads.</summary>
/// <param name="Name">Instruction name (<c>gemm_fusion_dot_general.1</c>): what GPU kernels' <c>hlo_op</c> stat names.</param>
/// <param name="Opcode">HLO opcode (<c>fusion</c>, <c>dot</c>, <c>custom-call</c>, ...).</param>
/// <param name="Id">Unique id in its module (operands and roots refer to it).</param>
/// <param name="Shape">Result shape.</param>
/// <param name="Operands">Operand instruction ids.</param>
/// <param name="Called">Called computation ids (a fusion's fused computation, ...).</param>
/// <param name="LhsContracting">A dot's lhs contracting dimensions (from <c>dot_dimension_numbers</c>).</param>
/// <param name="KernelOutputFeature">A convolution's kernel output-feature dimension (<c>convolution_dimension_numbers</c>); -1 when none.</param>
/// <param name="FusionKind">A fusion's kind (<c>kLoop</c>, <c>kInput</c>, <c>kOutput</c>, <c>kCustom</c>); "" otherwise.</param>
/// <param name="CustomCallTarget">A custom call's target (<c>__cublas$gemm</c>, <c>__cudnn$convForward</c>); "" otherwise.</param>
/// <param name="BackendConfig">
/// The backend configuration: JSON text for XLA's own GPU calls, the attribute dictionary of a typed-FFI custom call
/// (<c>{attn_heads = 16 : i64, ...}</c>); "" when none.
/// </param>
/// <param name="Convolution">A convolution's <c>convolution_dimension_numbers</c> (also on cuDNN convolution custom calls); null when none.</param>
public sealed record HloInstruction(string Name, string Opcode, long Id, HloShape Shape, IReadOnlyList<long> Operands, IReadOnlyList<long> Called,
    IReadOnlyList<long> LhsContracting, long KernelOutputFeature, string FusionKind, string CustomCallTarget, string BackendConfig,
    HloConvolutionDimensions? Convolution = null)
{
    /// <summary>The framework op it was lowered from (its <c>metadata.op_name</c>: <c>jit(f)/jvp()/dot_general</c>); "" when not recorded.</summary>
    public string OpName { get; init; } = "";
}

/// <summary>
/// A convolution's dimension numbers (<c>xla.ConvolutionDimensionNumbers</c>): which dimension of the input, kernel and
/// output is batch, feature and spatial. On cuDNN backward-convolution custom calls they still describe the forward
/// convolution (input, kernel, output), whichever operand or result each of those is.
/// </summary>
public sealed record HloConvolutionDimensions(long InputBatch, long InputFeature, IReadOnlyList<long> InputSpatial, long KernelInputFeature,
    long KernelOutputFeature, IReadOnlyList<long> KernelSpatial, long OutputBatch, long OutputFeature, IReadOnlyList<long> OutputSpatial);

/// <summary>One HLO computation (<c>xla.HloComputationProto</c>).</summary>
public sealed record HloComputation(string Name, long Id, long RootId, IReadOnlyList<HloInstruction> Instructions);

/// <summary>One HLO module (<c>xla.HloModuleProto</c>): its name (<c>jit_dot</c>), id (the program id) and computations.</summary>
public sealed record HloModule(string Name, long Id, string EntryComputationName, IReadOnlyList<HloComputation> Computations);
