using System.Globalization;
using System.Text.RegularExpressions;

namespace Headroom.Costs;

/// <summary>The cost of one HLO instruction, per execution, from its module's shapes.</summary>
/// <param name="Name">Instruction name.</param>
/// <param name="Opcode">HLO opcode.</param>
/// <param name="Category">What it is: <c>dot fusion</c>, <c>convolution fusion</c>, <c>loop fusion</c>, <c>gemm custom-call</c>, an opcode, ...</param>
/// <param name="Shape">Result shape text (a custom call's first tuple element: its workspace is left out).</param>
/// <param name="ElementType">XLA dtype of the computation (a dot's or convolution's lhs operand, else the result).</param>
/// <param name="Matrix">Holds a dot or convolution (runs on the matrix units).</param>
/// <param name="Flops">FLOPs: dots and convolutions, plus one per output element of elementwise ops.</param>
/// <param name="Bytes">Operands read once plus the result written once.</param>
public sealed record HloInstructionCost(string Name, string Opcode, string Category, string Shape, string ElementType, bool Matrix, double Flops, double Bytes)
{
    /// <summary>The framework op the instruction was lowered from (<see cref="HloInstruction.OpName"/>); "" when not recorded.</summary>
    public string OpName { get; init; } = "";
}

/// <summary>
/// Costs of the instructions of an HLO module from its shapes (docs/cost-model.md, "HLO instructions"): bytes are the
/// operands read once plus the result written once (a custom call's workspace, its result tuple's later elements, is
/// not counted); FLOPs are 2 · result elements · contracted elements for <c>dot</c> (and GEMM custom calls, whose dot
/// dimensions are in the backend config), 2 · result elements · kernel elements per output feature for forward
/// convolutions (<c>convolution</c>, <c>__cudnn$convForward</c>) and, as the forward they differentiate, backward
/// convolution custom calls; fused attention custom calls (TransformerEngine's FFI calls, XLA's cuDNN fMHA calls) as
/// the PyTorch attention ops, 2·B·H·Lq·Lk·(D+Dv) forward and 2·B·H·Lq·Lk·(3D+2Dv) backward, causal ×½ (their bytes:
/// every result but the workspace); one per output element for elementwise opcodes; a fusion's FLOPs are those of the
/// instructions of its called computations (nested fusions included), its bytes its own operands and result. Other
/// custom calls, and matrix ops whose dimensions, layout or mask cannot be read with certainty, have no cost. Never
/// throws.
/// </summary>
public sealed partial class HloModuleCost
{
    private const int MaxDepth = 16;
    private const double MaxValue = 1e18;

    private readonly Dictionary<string, HloInstruction> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<long, HloComputation> _computations = [];
    private readonly Dictionary<long, HloShape> _shapes = [];
    private readonly Dictionary<string, HloInstructionCost?> _costs = new(StringComparer.Ordinal);

    /// <summary>Indexes <paramref name="module"/>'s instructions by name and id.</summary>
    public HloModuleCost(HloModule module)
    {
        ArgumentNullException.ThrowIfNull(module);
        Module = module;
        foreach (var computation in module.Computations)
        {
            _computations.TryAdd(computation.Id, computation);
            foreach (var instruction in computation.Instructions)
            {
                _byName.TryAdd(instruction.Name, instruction);
                _shapes.TryAdd(instruction.Id, instruction.Shape);
            }
        }
    }

    /// <summary>The module.</summary>
    public HloModule Module { get; }

    /// <summary>The cost of the instruction named <paramref name="name"/>; null when it is unknown or has no cost formula.</summary>
    public HloInstructionCost? Of(string name)
    {
        if (_costs.TryGetValue(name, out var cached))
        {
            return cached;
        }

        HloInstructionCost? cost = null;
        try
        {
            cost = _byName.TryGetValue(name, out var instruction) ? Compute(instruction) : null;
        }
#pragma warning disable CA1031 // the contract is "never throw": a module that cannot be costed gives no cost
        catch (Exception)
        {
            cost = null;
        }
#pragma warning restore CA1031

        _costs[name] = cost;
        return cost;
    }

    private HloInstructionCost? Compute(HloInstruction instruction)
    {
        var operands = new List<HloShape>(instruction.Operands.Count);
        foreach (var id in instruction.Operands)
        {
            if (!_shapes.TryGetValue(id, out var shape))
            {
                return null;
            }

            operands.Add(shape);
        }

        var custom = instruction.Opcode == "custom-call";
        var result = custom ? instruction.Shape.First : instruction.Shape;
        var bytes = operands.Sum(o => o.Bytes) + result.Bytes;
        if (operands.Any(o => o.Bytes < 0) || result.Bytes < 0)
        {
            return null;
        }

        var elementType = result.First.ElementType;
        string category;
        double flops;
        bool matrix;
        switch (instruction.Opcode)
        {
            case "fusion":
                var (fused, kind) = Fused(instruction, 0, []);
                if (fused is null)
                {
                    return null;
                }

                flops = fused.Value;
                matrix = kind is "dot" or "convolution";
                category = matrix ? $"{kind} fusion" : $"{FusionKindName(instruction.FusionKind)} fusion";
                if (matrix && operands.Count > 0)
                {
                    elementType = operands[0].First.ElementType;
                }

                break;
            case "custom-call":
                if (CustomCall(instruction, result, operands) is not { } call || call.ResultBytes < 0)
                {
                    return null; // a library call without a formula here, or whose dimensions cannot be read with certainty
                }

                (flops, matrix, category) = (call.Flops, true, call.Category);
                bytes = operands.Sum(o => o.Bytes) + call.ResultBytes;
                elementType = operands.Count > 0 ? operands[0].First.ElementType : elementType;
                break;
            default:
                if (Own(instruction, operands) is not { } own)
                {
                    return null;
                }

                flops = own;
                matrix = instruction.Opcode is "dot" or "convolution";
                category = instruction.Opcode;
                if (matrix && operands.Count > 0)
                {
                    elementType = operands[0].First.ElementType;
                }

                break;
        }

        // Hostile dimensions (products past 1e18, or overflowing to infinity) give no cost, as in OpCostModel.
        if (!double.IsFinite(flops) || !double.IsFinite(bytes) || flops < 0 || bytes < 0 || flops > MaxValue || bytes > MaxValue)
        {
            return null;
        }

        return new HloInstructionCost(instruction.Name, instruction.Opcode, category, result.Text, elementType, matrix, flops, bytes)
        {
            OpName = instruction.OpName,
        };
    }

    /// <summary>FLOPs of one non-fusion instruction; null for a dot or convolution whose dimensions cannot be read.</summary>
    private double? Own(HloInstruction instruction, List<HloShape> operands) => instruction.Opcode switch
    {
        "dot" => DotFlops(instruction.Shape, operands, instruction.LhsContracting),
        "convolution" => ConvolutionFlops(instruction.Shape, operands, instruction.KernelOutputFeature),
        _ when HloCostModel.Elementwise.Contains(instruction.Opcode) => instruction.Shape.Elements,
        _ => 0,
    };

    /// <summary>The FLOPs of a fusion's called computations and their heaviest kind (convolution, dot, else "").</summary>
    private (double? Flops, string Kind) Fused(HloInstruction fusion, int depth, HashSet<long> visiting)
    {
        if (depth > MaxDepth)
        {
            return (null, "");
        }

        double flops = 0;
        var kind = "";
        foreach (var id in fusion.Called)
        {
            if (!_computations.TryGetValue(id, out var computation) || !visiting.Add(id))
            {
                return (null, ""); // a missing or recursive computation: no cost
            }

            foreach (var inner in computation.Instructions)
            {
                double? f;
                if (inner.Opcode == "fusion")
                {
                    var (nested, nestedKind) = Fused(inner, depth + 1, visiting);
                    f = nested;
                    kind = Heavier(kind, nestedKind);
                }
                else
                {
                    var operands = new List<HloShape>(inner.Operands.Count);
                    foreach (var o in inner.Operands)
                    {
                        if (!_shapes.TryGetValue(o, out var s))
                        {
                            return (null, "");
                        }

                        operands.Add(s);
                    }

                    f = Own(inner, operands);
                    kind = Heavier(kind, inner.Opcode is "dot" or "convolution" ? inner.Opcode : "");
                }

                if (f is not { } value)
                {
                    return (null, "");
                }

                flops += value;
            }

            visiting.Remove(id);
        }

        return (flops, kind);
    }

    private static string Heavier(string a, string b) => a == "convolution" || b == "convolution" ? "convolution" : a == "dot" || b == "dot" ? "dot" : "";

    /// <summary>2 · result elements · product of the lhs contracting dimensions.</summary>
    private static double? DotFlops(HloShape result, List<HloShape> operands, IReadOnlyList<long>? contracting)
    {
        if (operands.Count < 2 || contracting is null || result.Tuple.Count > 0)
        {
            return null;
        }

        var lhs = operands[0].First.Dims;
        double k = 1;
        foreach (var d in contracting)
        {
            if (d < 0 || d >= lhs.Count)
            {
                return null;
            }

            k *= lhs[(int)d];
        }

        return 2 * result.Elements * k;
    }

    /// <summary>
    /// 2 · output elements · kernel elements per output feature (the kernel's spatial window times its input features,
    /// which are already divided by the feature group count).
    /// </summary>
    private static double? ConvolutionFlops(HloShape result, List<HloShape> operands, long kernelOutputFeature)
    {
        if (operands.Count < 2 || result.Tuple.Count > 0)
        {
            return null;
        }

        var kernel = operands[1].First.Dims;
        if (kernelOutputFeature < 0 || kernelOutputFeature >= kernel.Count || kernel[(int)kernelOutputFeature] <= 0)
        {
            return null;
        }

        return 2 * result.Elements * (operands[1].First.Elements / kernel[(int)kernelOutputFeature]);
    }

    /// <summary>
    /// A custom call's FLOPs, category and the bytes it writes (its result, less the workspace); null for a target without a
    /// formula, or whose dimensions cannot be read with certainty.
    /// </summary>
    private static (double Flops, string Category, double ResultBytes)? CustomCall(HloInstruction instruction, HloShape result, List<HloShape> operands)
    {
        var target = instruction.CustomCallTarget;
        if (AttentionKind(target) is { } attention)
        {
            return Attention(instruction, operands, attention);
        }

        if (IsGemm(target))
        {
            return DotFlops(result, operands, GemmContracting(instruction.BackendConfig)) is { } f ? (f, "gemm custom-call", result.Bytes) : null;
        }

        if (IsForwardConvolution(target))
        {
            return ConvolutionFlops(result, operands, instruction.KernelOutputFeature) is { } f ? (f, "convolution custom-call", result.Bytes) : null;
        }

        if (target is CudnnConvBackwardInput or CudnnConvBackwardFilter)
        {
            return BackwardConvolutionFlops(target == CudnnConvBackwardFilter, instruction.Convolution, result, operands) is { } f
                ? (f, "convolution backward custom-call", result.Bytes)
                : null;
        }

        return null;
    }

    private static bool IsGemm(string target) =>
        target.Contains("gemm", StringComparison.OrdinalIgnoreCase) || target.Contains("matmul", StringComparison.OrdinalIgnoreCase);

    private static bool IsForwardConvolution(string target) =>
        target.Contains("convForward", StringComparison.Ordinal) || target.Contains("convBiasActivationForward", StringComparison.Ordinal);

    [GeneratedRegex("\"lhs_contracting_dimensions\"\\s*:\\s*\\[([^\\]]*)\\]")]
    private static partial Regex LhsContractingJson();

    /// <summary>A GEMM custom call's lhs contracting dimensions, from its backend config's <c>dot_dimension_numbers</c>.</summary>
    private static long[]? GemmContracting(string config)
    {
        var match = LhsContractingJson().Match(config);
        if (!match.Success)
        {
            return null;
        }

        var dims = new List<long>();
        foreach (var part in match.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!long.TryParse(part.Trim('"'), NumberStyles.Integer, CultureInfo.InvariantCulture, out var d))
            {
                return null;
            }

            dims.Add(d);
        }

        return [.. dims];
    }

    private static string FusionKindName(string kind) => kind switch
    {
        "kLoop" => "loop",
        "kInput" => "input",
        "kOutput" => "output",
        "kCustom" => "custom",
        _ => kind.Length > 0 ? kind : "unknown",
    };
}
