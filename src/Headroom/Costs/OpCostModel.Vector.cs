namespace Headroom.Costs;

public static partial class OpCostModel
{
    private static readonly HashSet<string> NormOps = new(StringComparer.Ordinal)
    {
        "layer_norm", "native_layer_norm", "native_layer_norm_backward",
        "rms_norm", "_fused_rms_norm", "_fused_rms_norm_backward",
        "group_norm", "native_group_norm", "native_group_norm_backward",
        "batch_norm", "_batch_norm_impl_index", "native_batch_norm", "cudnn_batch_norm", "miopen_batch_norm", "_native_batch_norm_legit",
        "_native_batch_norm_legit_no_training", "instance_norm",
        "native_batch_norm_backward", "cudnn_batch_norm_backward", "miopen_batch_norm_backward",
    };

    /// <summary>FLOPs per element of the normalized input (statistics and normalization; affine counted separately).</summary>
    internal const double NormStatsFlops = 5; // mean 1 (add), variance 2 (sub, square-add), normalize 2 (sub, mul by rstd)

    internal const double RmsStatsFlops = 3; // square-add 2, multiply by rsqrt 1

    internal const double NormBackwardFlops = 8; // two reductions (2 each), recombination 4

    internal const double RmsBackwardFlops = 6; // one reduction (2), recombination 4

    private static OpCost Norm(string name, OpArguments a)
    {
        var backward = name.EndsWith("_backward", StringComparison.Ordinal);
        var rms = name.Contains("rms", StringComparison.Ordinal);
        var x = a.Tensor(backward ? 1 : 0, "input");
        var dy = backward ? a.Tensor(0, "grad_out") : (TensorArg?)null;
        if (name == "cudnn_batch_norm_backward" || name == "miopen_batch_norm_backward")
        {
            x = a.Tensor(0, "input");
            dy = a.Tensor(1, "grad_output");
        }

        Require(x.Rank >= 1, $"normalization input must have a dimension, got {S(x.Shape)}");
        var n = x.Numel;
        double read = x.Bytes + (dy?.Bytes ?? 0);
        for (var i = backward ? 2 : 1; i < a.Count; i++)
        {
            if (a.IsTensor(i))
            {
                var t = a.Tensor(i, "parameter or statistic");
                read += t.Bytes;
            }
        }

        var affine = NormAffineCount(name, a);
        double perElement;
        string text;
        if (backward)
        {
            perElement = (rms ? RmsBackwardFlops : NormBackwardFlops) + (2 * affine);
            text = $"{(rms ? "rms" : "norm")} backward: ({N(rms ? RmsBackwardFlops : NormBackwardFlops)} + 2·affine {affine})·numel";
        }
        else
        {
            perElement = (rms ? RmsStatsFlops : NormStatsFlops) + affine;
            text = $"{(rms ? "rms" : "norm")} forward: ({N(rms ? RmsStatsFlops : NormStatsFlops)} + affine {affine})·numel";
        }

        // Backward writes grad input (and small grad weight/bias); forward writes the output (and small mean/rstd).
        var written = x.Bytes;
        return Make(perElement * n, read, written, x.Type, ComputeUnit.Vector, $"{text}, numel={N(n)}");
    }

    /// <summary>How many of weight and bias the op applies (0, 1 or 2).</summary>
    private static int NormAffineCount(string name, OpArguments a)
    {
        int[] positions = name switch
        {
            "layer_norm" => [2, 3],
            "native_layer_norm" => [2, 3],
            "native_layer_norm_backward" => [5, 6],
            "rms_norm" or "_fused_rms_norm" => [2],
            "_fused_rms_norm_backward" => [4],
            "group_norm" => [2, 3],
            "native_group_norm" => [1, 2],
            "native_group_norm_backward" => [4],
            "native_batch_norm_backward" => [2],
            "cudnn_batch_norm_backward" or "miopen_batch_norm_backward" => [2],
            _ => [1, 2], // batch_norm family, instance_norm: (input, weight, bias, ...)
        };
        var count = positions.Count(a.IsTensor);
        // grad weight and grad bias of the backward ops come as a pair with the weight
        return name.EndsWith("_backward", StringComparison.Ordinal) && !name.Contains("rms", StringComparison.Ordinal) && count > 0 ? 2 : count;
    }

    // softmax / log_softmax: 5 per element (max, subtract, exp, sum, divide or subtract log)
    private static OpCost Softmax(string name, OpArguments a)
    {
        var x = a.Tensor(0, "input");
        return Make(5 * x.Numel, x.Bytes, x.Bytes, x.Type, ComputeUnit.Vector, $"{name}: 5·numel, numel={N(x.Numel)}");
    }

    // softmax backward: 4 per element (dy·y, row sum, subtract, multiply); log_softmax backward: 4 (exp, row sum, multiply, subtract)
    private static OpCost SoftmaxBackward(string name, OpArguments a)
    {
        var dy = a.Tensor(0, "grad_output");
        var y = a.Tensor(1, "output");
        Require(dy.Numel == y.Numel, $"softmax backward shapes differ: {S(dy.Shape)} and {S(y.Shape)}");
        return Make(4 * y.Numel, dy.Bytes + y.Bytes, dy.Bytes, dy.Type, ComputeUnit.Vector, $"{name}: 4·numel, numel={N(y.Numel)}");
    }

    // embedding(weight[V, D], indices): 0 FLOPs; reads the indices and one row per index, writes numel(indices)·D
    private static OpCost Embedding(OpArguments a)
    {
        var w = a.Tensor(0, "weight");
        var idx = a.Tensor(1, "indices");
        Require(w.Rank == 2, $"embedding weight must be 2-d, got {S(w.Shape)}");
        var rows = idx.Numel * w[1] * w.Type.Size;
        return Make(0, idx.Bytes + rows, rows, w.Type, ComputeUnit.Vector, $"embedding: 0 FLOPs, gathers {N(idx.Numel)} rows of D={w[1]}");
    }

    // embedding_bag(weight[V, D], indices, offsets, ..., include_last_offset at 7): 0 FLOPs; reads rows, writes one row per bag
    private static OpCost EmbeddingBag(OpArguments a)
    {
        var w = a.Tensor(0, "weight");
        var idx = a.Tensor(1, "indices");
        var offsets = a.Tensor(2, "offsets");
        Require(w.Rank == 2, $"embedding_bag weight must be 2-d, got {S(w.Shape)}");
        var bags = idx.Rank == 2 ? idx[0] : Math.Max(0, offsets.Numel - (a.Bool(7) == true ? 1 : 0));
        var rows = idx.Numel * w[1] * w.Type.Size;
        var read = idx.Bytes + offsets.Bytes + rows + (a.OptionalTensor(6, "per_sample_weights")?.Bytes ?? 0);
        return Make(0, read, bags * w[1] * w.Type.Size, w.Type, ComputeUnit.Vector, $"embedding_bag: 0 FLOPs, {N(idx.Numel)} rows of D={w[1]} into {N(bags)} bags");
    }

    // copy_(self, src): reads src at its dtype, writes self at its dtype; to/_to_copy: dtype from Concrete Inputs (ScalarType)
    private static OpCost Copy(string name, OpArguments a)
    {
        if (name == "copy_")
        {
            var dst = a.Tensor(0, "self");
            var src = a.Tensor(1, "src");
            Broadcast([dst.Shape, src.Shape]);
            return Make(0, src.Bytes, dst.Bytes, dst.Type, ComputeUnit.Vector, $"copy_: 0 FLOPs, {src.Type.Name} → {dst.Type.Name}, numel={N(dst.Numel)}");
        }

        var x = a.Tensor(0, "self");
        var target = x.Type;
        var note = "";
        if (name is "to" or "_to_copy" && a.Int(1) is { } st)
        {
            if (DataTypes.TryFromScalarType((int)st, out var t))
            {
                target = t;
            }
            else
            {
                throw new NoEstimateException(OpCostKind.UnknownDtype, $"unknown target ScalarType {st}");
            }
        }
        else if (name is "to" or "_to_copy")
        {
            note = " (target dtype not recorded: same as source)";
        }

        return Make(0, x.Bytes, x.Numel * target.Size, target, ComputeUnit.Vector, $"{name}: 0 FLOPs, {x.Type.Name} → {target.Name}, numel={N(x.Numel)}{note}");
    }

    // mse_loss(self, target, reduction): subtract and square per element, plus the sum (mean, sum): 3·numel, or 2·numel
    // with reduction none; reads both inputs, writes one element (or numel with none)
    private static OpCost MseLoss(OpArguments a)
    {
        var x = a.Tensor(0, "self");
        var t = a.Tensor(1, "target");
        var outShape = Broadcast([x.Shape, t.Shape]);
        var numel = OpArguments.Product(outShape);
        var reduction = a.Int(2);
        var none = reduction == 0;
        var note = reduction is null ? " (reduction not recorded: mean assumed)" : "";
        var perElement = none ? 2 : 3;
        return Make(perElement * numel, x.Bytes + t.Bytes, (none ? numel : 1) * x.Type.Size, x.Type, ComputeUnit.Vector,
            $"mse_loss: {perElement}·numel, numel={N(numel)}{note}");
    }

    // mse_loss_backward(grad_output, self, target, reduction[, grad_input]): 2/N·(self − target)·grad: 3·numel (subtract,
    // scale, multiply by grad); reads grad_output, self and target, writes grad input
    private static OpCost MseLossBackward(OpArguments a)
    {
        var dy = a.Tensor(0, "grad_output");
        var x = a.Tensor(1, "self");
        var t = a.Tensor(2, "target");
        var outShape = Broadcast([dy.Shape, x.Shape, t.Shape]);
        var numel = OpArguments.Product(outShape);
        return Make(3 * numel, dy.Bytes + x.Bytes + t.Bytes, numel * x.Type.Size, x.Type, ComputeUnit.Vector, $"mse_loss_backward: 3·numel, numel={N(numel)}");
    }
}
