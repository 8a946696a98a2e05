using System.Globalization;

namespace Headroom.Costs;

/// <summary>
/// FLOPs and minimum bytes of a PyTorch op call from its recorded "Input Dims", "Input type" and "Concrete Inputs"
/// (the JSON texts of <see cref="Headroom.Model.OpArgs"/>). Conventions and every formula: docs/cost-model.md.
/// Never throws; never returns NaN or infinity. Callers cache per distinct (op, dims, types, concrete).
/// </summary>
public static partial class OpCostModel
{
    /// <summary>Largest FLOP count or byte count accepted (1e18); beyond it the record is taken as corrupt.</summary>
    public const double MaxValue = 1e18;

    /// <summary>Estimates the cost of one call of <paramref name="opName"/> (e.g. <c>aten::addmm</c>).</summary>
    public static OpCost Estimate(string opName, string inputDims, string inputTypes, string concreteInputs)
    {
        if (string.IsNullOrWhiteSpace(opName))
        {
            return OpCost.None(OpCostKind.UnknownOp, "no op name");
        }

        if (TableBatchedLookup.Role(opName) is not null)
        {
            return Estimate(opName, inputDims, inputTypes, concreteInputs, link: null);
        }

        var name = opName.StartsWith("aten::", StringComparison.Ordinal) ? opName[6..] : opName;
        if ((name.Contains("::", StringComparison.Ordinal) && !FbgemmOps.Contains(name)) || !IsKnown(name))
        {
            return OpCost.None(OpCostKind.UnknownOp, $"no formula for '{opName}'");
        }

        return Guarded(() =>
        {
            var args = OpArguments.Parse(inputDims ?? "", inputTypes ?? "", concreteInputs ?? "");
            return Dispatch(name, args) ?? OpCost.None(OpCostKind.UnknownOp, $"no formula for '{opName}'");
        });
    }

    /// <summary>Runs a formula under the "never throw, never NaN" contract: a thrown reason becomes "no estimate".</summary>
    private static OpCost Guarded(Func<OpCost> formula)
    {
        try
        {
            var cost = formula();
            if (!double.IsFinite(cost.Flops) || cost.Flops < 0 || cost.Flops > MaxValue)
            {
                return OpCost.None(OpCostKind.BadDims, $"absurd FLOP count {cost.Flops.ToString("G3", CultureInfo.InvariantCulture)}");
            }

            return cost;
        }
        catch (NoEstimateException e)
        {
            return OpCost.None(e.Kind, e.Message);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or FormatException or OverflowException or ArgumentException or InvalidOperationException or IndexOutOfRangeException)
        {
            return OpCost.None(OpCostKind.Malformed, "argument text is not valid: " + e.Message);
        }
#pragma warning disable CA1031 // the contract is "never throw": any other failure is a record the model cannot read
        catch (Exception e)
        {
            return OpCost.None(OpCostKind.Malformed, $"argument text could not be read ({e.GetType().Name})");
        }
#pragma warning restore CA1031
    }

    private static OpCost? Dispatch(string name, OpArguments a) => name switch
    {
        "mm" => Mm(a),
        "addmm" => Addmm(a),
        "bmm" => Bmm(a),
        "baddbmm" => Baddbmm(a),
        "matmul" => Matmul(a),
        "linear" => Linear(a),
        "_scaled_mm" => ScaledMm(a),
        "einsum" => Einsum(a),
        "convolution" or "_convolution" or "conv1d" or "conv2d" or "conv3d" or "cudnn_convolution" or "miopen_convolution" => ConvForward(name, a),
        "convolution_backward" or "cudnn_convolution_backward" or "miopen_convolution_backward" => ConvBackward(name, a),
        "cudnn_convolution_backward_input" => ConvBackwardInput(a),
        "cudnn_convolution_backward_weight" => ConvBackwardWeight(a),
        _ when AttentionForwardCausalIndex.ContainsKey(name) => AttentionForward(name, a),
        _ when AttentionBackwardCausalIndex.ContainsKey(name) => AttentionBackward(name, a),
        _ when NormOps.Contains(name) => Norm(name, a),
        "softmax" or "_softmax" or "log_softmax" or "_log_softmax" => Softmax(name, a),
        "_softmax_backward_data" or "_log_softmax_backward_data" => SoftmaxBackward(name, a),
        "embedding" => Embedding(a),
        "max_pool2d_with_indices" or "max_pool3d_with_indices" => MaxPool(name, a),
        "max_pool2d_with_indices_backward" or "max_pool3d_with_indices_backward" => MaxPoolBackward(name, a),
        "mse_loss" => MseLoss(a),
        "mse_loss_backward" => MseLossBackward(a),
        _ when IndexingOps.Contains(name) => Indexing(name, a),
        _ when FbgemmOps.Contains(name) => Fbgemm(name, a),
        "embedding_bag" or "_embedding_bag" => EmbeddingBag(a),
        "copy_" or "to" or "_to_copy" or "clone" => Copy(name, a),
        _ when name.StartsWith("_fused_", StringComparison.Ordinal) => FusedOptimizer(name, a),
        _ when name.StartsWith("_foreach_", StringComparison.Ordinal) => Foreach(name, a),
        _ when Reductions.ContainsKey(name) => Reduction(name, a),
        _ when Elementwise.ContainsKey(Base(name)) => ElementwiseOp(name, a),
        _ => null,
    };

    /// <summary>True when <paramref name="opName"/> (with or without <c>aten::</c>) has a formula.</summary>
    public static bool HasFormula(string opName)
    {
        if (string.IsNullOrEmpty(opName))
        {
            return false;
        }

        if (TableBatchedLookup.Role(opName) is not null)
        {
            return true;
        }

        var name = opName.StartsWith("aten::", StringComparison.Ordinal) ? opName[6..] : opName;
        return (!name.Contains("::", StringComparison.Ordinal) || FbgemmOps.Contains(name)) && IsKnown(name);
    }

    private static bool IsKnown(string name) =>
        name is "mm" or "addmm" or "bmm" or "baddbmm" or "matmul" or "linear" or "_scaled_mm" or "einsum"
            or "convolution" or "_convolution" or "conv1d" or "conv2d" or "conv3d" or "cudnn_convolution" or "miopen_convolution"
            or "convolution_backward" or "cudnn_convolution_backward" or "miopen_convolution_backward"
            or "cudnn_convolution_backward_input" or "cudnn_convolution_backward_weight"
            or "softmax" or "_softmax" or "log_softmax" or "_log_softmax" or "_softmax_backward_data" or "_log_softmax_backward_data"
            or "embedding" or "embedding_bag" or "_embedding_bag" or "copy_" or "to" or "_to_copy" or "clone"
            or "max_pool2d_with_indices" or "max_pool3d_with_indices" or "max_pool2d_with_indices_backward" or "max_pool3d_with_indices_backward"
            or "mse_loss" or "mse_loss_backward"
        || IndexingOps.Contains(name) || FbgemmOps.Contains(name)
        || AttentionForwardCausalIndex.ContainsKey(name) || AttentionBackwardCausalIndex.ContainsKey(name) || NormOps.Contains(name)
        || FusedOptimizerFlops.ContainsKey(name.TrimEnd('_'))
        || (name.StartsWith("_foreach_", StringComparison.Ordinal) && ForeachFlops(name) is not null)
        || Reductions.ContainsKey(name) || Elementwise.ContainsKey(Base(name));

    /// <summary>The op name without a trailing in-place underscore (<c>add_</c> → <c>add</c>).</summary>
    private static string Base(string name) => name.Length > 1 && name[^1] == '_' && name[^2] != '_' ? name[..^1] : name;

    private static OpCost Make(double flops, double read, double written, DataType type, ComputeUnit unit, string formula)
    {
        if (!double.IsFinite(read) || !double.IsFinite(written) || read < 0 || written < 0 || read > MaxValue || written > MaxValue)
        {
            throw new NoEstimateException(OpCostKind.BadDims, "absurd byte count");
        }

        return new OpCost(OpCostKind.Estimate, flops, (long)read, (long)written, type.Name, unit, formula, "")
        {
            Assumed = formula.Contains("not recorded", StringComparison.Ordinal),
        };
    }

    private static string N(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);

    private static string S(long[] shape) => "[" + string.Join(",", shape) + "]";

    private static void Require(bool condition, string reason)
    {
        if (!condition)
        {
            throw OpArguments.Mismatch(reason);
        }
    }

    /// <summary>The broadcast of shapes (NumPy rules); throws when they do not broadcast.</summary>
    internal static long[] Broadcast(IEnumerable<long[]> shapes)
    {
        long[] result = [];
        foreach (var s in shapes)
        {
            var rank = Math.Max(result.Length, s.Length);
            var merged = new long[rank];
            for (var i = 0; i < rank; i++)
            {
                var x = i - (rank - result.Length) >= 0 ? result[i - (rank - result.Length)] : 1;
                var y = i - (rank - s.Length) >= 0 ? s[i - (rank - s.Length)] : 1;
                Require(x == y || x == 1 || y == 1, $"shapes do not broadcast ({S(result)} and {S(s)})");
                merged[i] = x == 1 ? y : x;
            }

            result = merged;
        }

        return result;
    }
}
