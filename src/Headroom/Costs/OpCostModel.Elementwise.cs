namespace Headroom.Costs;

public static partial class OpCostModel
{
    /// <summary>
    /// Elementwise ops and their FLOPs per output element: one per arithmetic operation, a transcendental function
    /// (exp, log, tanh, erf, sqrt, ...) counting as one. In-place variants (<c>add_</c>) use the same entry.
    /// </summary>
    private static readonly Dictionary<string, double> Elementwise = new(StringComparer.Ordinal)
    {
        // unary
        ["abs"] = 1,
        ["neg"] = 1,
        ["relu"] = 1,
        ["relu6"] = 1,
        ["exp"] = 1,
        ["exp2"] = 1,
        ["expm1"] = 1,
        ["log"] = 1,
        ["log2"] = 1,
        ["log10"] = 1,
        ["log1p"] = 1,
        ["sqrt"] = 1,
        ["rsqrt"] = 1,
        ["reciprocal"] = 1,
        ["tanh"] = 1,
        ["sin"] = 1,
        ["cos"] = 1,
        ["erf"] = 1,
        ["floor"] = 1,
        ["ceil"] = 1,
        ["round"] = 1,
        ["trunc"] = 1,
        ["sign"] = 1,
        ["square"] = 1,
        ["clamp"] = 1,
        ["clamp_min"] = 1,
        ["clamp_max"] = 1,
        ["threshold"] = 1,
        ["hardtanh"] = 1,
        ["leaky_relu"] = 2,
        ["nan_to_num"] = 1,
        ["logical_not"] = 1,
        ["bitwise_not"] = 1,
        ["sigmoid"] = 4,
        ["silu"] = 5,
        ["gelu"] = 5,
        ["elu"] = 3,
        ["hardswish"] = 4,
        ["hardsigmoid"] = 3,
        ["mish"] = 5,
        ["softplus"] = 3,
        ["logit"] = 3,
        // binary
        ["add"] = 1,
        ["sub"] = 1,
        ["rsub"] = 1,
        ["mul"] = 1,
        ["div"] = 1,
        ["true_divide"] = 1,
        ["floor_divide"] = 1,
        ["remainder"] = 1,
        ["fmod"] = 1,
        ["pow"] = 1,
        ["maximum"] = 1,
        ["minimum"] = 1,
        ["eq"] = 1,
        ["ne"] = 1,
        ["lt"] = 1,
        ["le"] = 1,
        ["gt"] = 1,
        ["ge"] = 1,
        ["logical_and"] = 1,
        ["logical_or"] = 1,
        ["logical_xor"] = 1,
        ["bitwise_and"] = 1,
        ["bitwise_or"] = 1,
        ["bitwise_xor"] = 1,
        ["atan2"] = 1,
        ["masked_fill"] = 1,
        ["threshold_backward"] = 1,
        ["hardtanh_backward"] = 1,
        ["sigmoid_backward"] = 3,
        ["tanh_backward"] = 3,
        ["gelu_backward"] = 8,
        ["silu_backward"] = 7,
        ["elu_backward"] = 3,
        ["leaky_relu_backward"] = 2,
        ["logit_backward"] = 4,
        // ternary
        ["addcmul"] = 3,
        ["addcdiv"] = 3,
        ["where"] = 1,
        ["lerp"] = 3,
    };

    private static readonly HashSet<string> BoolResult = new(StringComparer.Ordinal)
    {
        "eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor", "logical_not",
    };

    // elementwise: k·numel(output), output = broadcast of the tensor inputs; reads each input once, writes the output once
    private static OpCost ElementwiseOp(string name, OpArguments a)
    {
        var op = Base(name);
        if (a.Types().Count == 0)
        {
            throw new NoEstimateException(OpCostKind.UnknownDtype, "no input types recorded");
        }

        var tensors = a.Tensors();
        if (tensors.Count == 0)
        {
            throw OpArguments.Missing($"{name}: no tensor input recorded");
        }

        var inplace = op != name;

        // An out= overload records its output as one more, last, argument (e.g. clamp_min(self, min, out)): written, not read.
        if (!inplace && SchemaArity.TryGetValue(op, out var arity) && a.Count == arity + 1 && a.IsTensor(a.Count - 1) && tensors.Count > 1)
        {
            tensors = tensors.Take(tensors.Count - 1).ToList();
        }

        var outShape = inplace ? tensors[0].Shape : Broadcast(tensors.Select(t => t.Shape));
        var outNumel = OpArguments.Product(outShape);
        var compute = op == "where" && tensors.Count > 1 ? tensors[1].Type : tensors[0].Type;
        var outType = BoolResult.Contains(op) ? new DataType("bool", 1) : compute;
        var perElement = Elementwise[op];
        var read = tensors.Sum(t => t.Bytes);
        return Make(perElement * outNumel, read, outNumel * outType.Size, compute, ComputeUnit.Vector, $"{name}: {N(perElement)}·numel(out), out={S(outShape)}");
    }

    /// <summary>
    /// Arguments of the functional schema (tensors and scalars, as the profiler records them), for ops whose out= overload
    /// appears in traces: one argument more means the last is the out tensor.
    /// </summary>
    private static readonly Dictionary<string, int> SchemaArity = new(StringComparer.Ordinal)
    {
        ["clamp_min"] = 2,
        ["clamp_max"] = 2,
        ["clamp"] = 3,
        ["add"] = 3,
        ["sub"] = 3,
        ["mul"] = 2,
        ["div"] = 2,
        ["relu"] = 1,
        ["sigmoid"] = 1,
        ["tanh"] = 1,
        ["exp"] = 1,
        ["neg"] = 1,
        ["abs"] = 1,
        ["sqrt"] = 1,
        ["rsqrt"] = 1,
        ["threshold_backward"] = 3,
        ["addcmul"] = 4,
        ["addcdiv"] = 4,
    };

    /// <summary>Reductions: FLOPs per input element, and the Concrete Inputs position of their dim list.</summary>
    private static readonly Dictionary<string, (double PerElement, int DimIndex, int KeepDimIndex)> Reductions = new(StringComparer.Ordinal)
    {
        ["sum"] = (1, 1, 2),
        ["nansum"] = (1, 1, 2),
        ["mean"] = (1, 1, 2),
        ["prod"] = (1, 1, 2),
        ["max"] = (1, 1, 2),
        ["min"] = (1, 1, 2),
        ["amax"] = (1, 1, 2),
        ["amin"] = (1, 1, 2),
        ["argmax"] = (1, 1, 2),
        ["argmin"] = (1, 1, 2),
        ["all"] = (1, 1, 2),
        ["any"] = (1, 1, 2),
        ["norm"] = (2, 2, 3),
        ["linalg_vector_norm"] = (2, 2, 3),
        ["linalg_norm"] = (2, 2, 3),
        ["std"] = (3, 1, 3),
        ["var"] = (3, 1, 3),
        ["logsumexp"] = (3, 1, 2),
        ["count_nonzero"] = (1, 1, -1),
    };

    // reductions: k·numel(input) (sum, mean, max: 1; norm: 2, square and add; std/var/logsumexp: 3)
    private static OpCost Reduction(string name, OpArguments a)
    {
        var x = a.Tensor(0, "input");
        var (perElement, dimIndex, _) = Reductions[name];
        var dims = a.IntList(dimIndex);
        double outNumel;
        var note = "";
        if (dims is null || dims.Length == 0 || (dims.Length == 1 && a.IsTensor(dimIndex)))
        {
            outNumel = 1;
            note = dims is null ? " (dims not recorded: full reduction)" : "";
        }
        else
        {
            var reduced = new HashSet<int>();
            foreach (var d in dims)
            {
                Require(x.Rank == 0 ? d is 0 or -1 : d >= -x.Rank && d < x.Rank, $"reduction dim {d} does not fit {S(x.Shape)}");
                reduced.Add(x.Rank == 0 ? 0 : (int)(d < 0 ? d + x.Rank : d));
            }

            outNumel = 1;
            for (var i = 0; i < x.Rank; i++)
            {
                outNumel *= reduced.Contains(i) ? 1 : x.Shape[i];
            }
        }

        var outType = name is "argmax" or "argmin" ? new DataType("int64", 8) : name is "all" or "any" ? new DataType("bool", 1) : x.Type;
        return Make(perElement * x.Numel, x.Bytes, outNumel * outType.Size, x.Type, ComputeUnit.Vector,
            $"{name}: {N(perElement)}·numel(input), numel={N(x.Numel)}, out={N(outNumel)}{note}");
    }

    /// <summary>FLOPs per parameter of the fused optimizer steps.</summary>
    private static readonly Dictionary<string, (double Flops, int States, string Text)> FusedOptimizerFlops = new(StringComparer.Ordinal)
    {
        // m = β1·m + (1−β1)·g: 3; v = β2·v + (1−β2)·g²: 4; p −= lr·m̂/(√v̂ + ε): 5 (bias corrections are scalars)
        ["_fused_adam"] = (12, 2, "Adam 12/param"),
        // Adam + decoupled decay p ·= (1 − lr·wd): 1
        ["_fused_adamw"] = (13, 2, "AdamW 13/param"),
        // momentum buf = μ·buf + g: 2; p −= lr·buf: 2
        ["_fused_sgd"] = (4, 1, "SGD with momentum 4/param"),
        ["_fused_adagrad"] = (6, 1, "Adagrad 6/param"),
    };

    // _fused_adam_(params, grads, exp_avgs, exp_avg_sqs, ...): 12·P (AdamW 13·P); reads params, grads and states; writes params and states
    private static OpCost FusedOptimizer(string name, OpArguments a)
    {
        if (!FusedOptimizerFlops.TryGetValue(name.TrimEnd('_'), out var spec))
        {
            throw new NoEstimateException(OpCostKind.UnknownOp, $"no formula for '{name}'");
        }

        var parameters = a.List(0, "params");
        var p = parameters.Sum(s => OpArguments.Product(s));
        var type = ListType(a, 0, out var note);
        var read = p * (2 + spec.States) * type.Size;
        var written = p * (1 + spec.States) * type.Size;
        return Make(spec.Flops * p, read, written, type, ComputeUnit.Vector, $"{name}: {spec.Text}, P={N(p)} in {parameters.Length} tensors{note}");
    }

    /// <summary>FLOPs per element of a _foreach_ op (the elementwise entry of its base name), null when not elementwise.</summary>
    private static double? ForeachFlops(string name)
    {
        var op = Base(name["_foreach_".Length..]);
        return op switch
        {
            "copy" or "zero" => 0,
            "norm" => 2,
            _ => Elementwise.TryGetValue(op, out var k) ? k : null,
        };
    }

    // _foreach_op(list, other list or scalar, ...): k·Σ numel; reads every tensor list, writes the first list's size
    private static OpCost Foreach(string name, OpArguments a)
    {
        var perElement = ForeachFlops(name) ?? throw new NoEstimateException(OpCostKind.UnknownOp, $"no formula for '{name}'");
        var first = a.List(0, "self");
        var n = first.Sum(s => OpArguments.Product(s));
        var type = ListType(a, 0, out var note);
        var op = Base(name["_foreach_".Length..]);
        double read = 0;
        for (var i = 0; i < a.Count; i++)
        {
            if (a.HasList(i))
            {
                read += a.List(i, "list").Sum(s => OpArguments.Product(s)) * type.Size;
            }
            else if (a.IsTensor(i))
            {
                read += a.Tensor(i, "tensor").Bytes;
            }
        }

        if (op is "copy" && a.HasList(1))
        {
            read -= n * type.Size; // copy_ overwrites self without reading it
        }
        else if (op is "zero")
        {
            read = 0;
        }

        var written = op == "norm" ? first.Length * type.Size : n * type.Size;
        return Make(perElement * n, read, written, type, ComputeUnit.Vector, $"{name}: {N(perElement)}·Σnumel, Σnumel={N(n)} in {first.Length} tensors{note}");
    }

    /// <summary>The dtype of a TensorList argument: the profiler writes "TensorList", not the element type; fp32 is assumed.</summary>
    private static DataType ListType(OpArguments a, int index, out string note)
    {
        if (DataTypes.TryFromTypeName(a.Type(index), out var t))
        {
            note = "";
            return t;
        }

        note = "; list dtype not recorded: fp32 assumed";
        return new DataType("fp32", 4);
    }
}
