namespace Headroom.Costs;

public static partial class OpCostModel
{
    /// <summary>Convolution geometry: N, input channels, output channels, groups, spatial sizes of input, kernel and output.</summary>
    private sealed record ConvShape(long N, long Cin, long Cout, long Groups, long[] In, long[] Kernel, long[] Out)
    {
        /// <summary>Multiply-adds of one pass (forward, grad input or grad weight): N·Cout·Π(out)·(Cin/g)·Π(k).</summary>
        public double Macs => (double)N * Cout * OpArguments.Product(Out) * (Cin / (double)Groups) * OpArguments.Product(Kernel);

        public double OutNumel => (double)N * Cout * OpArguments.Product(Out);

        public double InNumel => (double)N * Cin * OpArguments.Product(In);

        public double WeightNumel => (double)Cout * (Cin / (double)Groups) * OpArguments.Product(Kernel);

        public string Text => $"N={N} Cin={Cin} Cout={Cout} g={Groups} in={S(In)} k={S(Kernel)} out={S(Out)}";
    }

    /// <summary>Argument positions of (bias, stride, padding, dilation, transposed, output padding, groups); -1 = absent.</summary>
    private static (int Bias, int Stride, int Padding, int Dilation, int Transposed, int OutputPadding, int Groups) ConvLayout(string name) => name switch
    {
        "convolution" or "_convolution" => (2, 3, 4, 5, 6, 7, 8),
        "conv1d" or "conv2d" or "conv3d" => (2, 3, 4, 5, -1, -1, 6),
        "cudnn_convolution" => (-1, 3, 2, 4, -1, -1, 5),
        "miopen_convolution" => (2, 4, 3, 5, -1, -1, 6),
        _ => (-1, -1, -1, -1, -1, -1, -1),
    };

    private static long[] Param(OpArguments a, int index, int spatial, long fallback, List<string> assumed, string what)
    {
        var v = index >= 0 ? a.IntList(index) : null;
        if (v is null || v.Length == 0)
        {
            assumed.Add(what);
            return Enumerable.Repeat(fallback, spatial).ToArray();
        }

        Require(v.Length == 1 || v.Length == spatial, $"{what} {S(v)} does not fit {spatial}-d convolution");
        Require(v.All(x => x >= 0 && x <= OpArguments.MaxDim), $"bad {what} {S(v)}");
        return v.Length == 1 ? Enumerable.Repeat(v[0], spatial).ToArray() : v;
    }

    // Forward: 2·N·Cout·Π(out)·(Cin/g)·Π(k) (+ N·Cout·Π(out) with bias); out = ⌊(in + 2p − d(k−1) − 1)/s⌋ + 1
    private static OpCost ConvForward(string name, OpArguments a)
    {
        var x = a.Tensor(0, "input");
        var w = a.Tensor(1, "weight");
        var layout = ConvLayout(name);
        var bias = layout.Bias >= 0 ? a.OptionalTensor(layout.Bias, "bias") : null;
        Require(x.Rank is >= 3 and <= 5 && w.Rank == x.Rank, $"convolution shapes do not fit: input {S(x.Shape)}, weight {S(w.Shape)}");
        var spatial = x.Rank - 2;
        var transposed = layout.Transposed >= 0 && a.Bool(layout.Transposed) == true;
        var assumed = new List<string>();
        var kernel = w.Shape[2..];
        long groups;
        long cout;
        if (transposed)
        {
            // weight [Cin, Cout/g, k...]
            groups = a.Int(layout.Groups) ?? 1;
            Require(groups >= 1 && w[0] == x[1] && x[1] % groups == 0, $"transposed convolution shapes do not fit: input {S(x.Shape)}, weight {S(w.Shape)}");
            cout = w[1] * groups;
        }
        else
        {
            Require(w[1] > 0 && x[1] % w[1] == 0, $"input channels {x[1]} are not a multiple of the weight's {w[1]}");
            groups = x[1] / w[1];
            var recorded = layout.Groups >= 0 ? a.Int(layout.Groups) : null;
            Require(recorded is null || recorded == groups, $"groups {recorded} do not fit input {S(x.Shape)} and weight {S(w.Shape)}");
            cout = w[0];
            Require(cout % groups == 0, $"output channels {cout} are not a multiple of groups {groups}");
        }

        var stride = Param(a, layout.Stride, spatial, 1, assumed, "stride");
        var padding = Param(a, layout.Padding, spatial, -1, assumed, "padding");
        var dilation = Param(a, layout.Dilation, spatial, 1, assumed, "dilation");
        var outputPadding = transposed ? Param(a, layout.OutputPadding, spatial, 0, [], "output padding") : new long[spatial];
        var inSp = x.Shape[2..];
        var outSp = new long[spatial];
        for (var i = 0; i < spatial; i++)
        {
            Require(stride[i] >= 1, $"stride {S(stride)} is not positive");
            if (padding[i] < 0)
            {
                outSp[i] = inSp[i]; // not recorded: output taken as the input size (stride 1, "same" padding)
            }
            else if (transposed)
            {
                outSp[i] = ((inSp[i] - 1) * stride[i]) - (2 * padding[i]) + (dilation[i] * (kernel[i] - 1)) + outputPadding[i] + 1;
            }
            else
            {
                outSp[i] = ((inSp[i] + (2 * padding[i]) - (dilation[i] * (kernel[i] - 1)) - 1) / stride[i]) + 1;
            }

            Require(outSp[i] >= 0, $"convolution output size negative: input {S(x.Shape)}, weight {S(w.Shape)}");
        }

        // For a transposed convolution the MACs are those of the forward convolution it is the gradient of: N·Cin·Π(in)·(Cout/g)·Π(k).
        var shape = transposed
            ? new ConvShape(x[0], cout, x[1], groups, outSp, kernel, inSp)
            : new ConvShape(x[0], x[1], cout, groups, inSp, kernel, outSp);
        var outNumel = (double)x[0] * cout * OpArguments.Product(outSp);
        var flops = (2 * shape.Macs) + (bias is null ? 0 : outNumel);
        var note = assumed.Count == 0 ? "" : $"; {string.Join(", ", assumed)} not recorded: assumed stride 1, output size = input size";
        return Make(flops, x.Bytes + w.Bytes + (bias?.Bytes ?? 0), outNumel * x.Type.Size, x.Type, ComputeUnit.Matrix,
            $"conv{spatial}d{(transposed ? " transposed" : "")} forward: 2·N·Cout·Π(out)·(Cin/g)·Π(k){(bias is null ? "" : " + N·Cout·Π(out)")}, {shape.Text}{note}");
    }

    // convolution_backward(grad_output, input, weight, bias_sizes, stride, padding, dilation, transposed, output_padding, groups, output_mask)
    // cudnn/miopen_convolution_backward(input, grad_output, weight, padding, stride, dilation, groups, ..., output_mask)
    // grad input: 2·N·Cout·Π(out)·(Cin/g)·Π(k); grad weight: the same; grad bias: N·Cout·Π(out)
    private static OpCost ConvBackward(string name, OpArguments a)
    {
        var generic = name == "convolution_backward";
        var dy = a.Tensor(generic ? 0 : 1, "grad_output");
        var x = a.Tensor(generic ? 1 : 0, "input");
        var w = a.Tensor(2, "weight");
        Require(x.Rank is >= 3 and <= 5 && w.Rank == x.Rank && dy.Rank == x.Rank, $"convolution backward shapes do not fit: grad_output {S(dy.Shape)}, input {S(x.Shape)}, weight {S(w.Shape)}");
        var transposed = generic && a.Bool(7) == true;
        var maskIndex = generic ? 10 : name == "cudnn_convolution_backward" ? 10 : 9;
        var mask = a.BoolList(maskIndex);
        var assumedMask = mask is null;
        mask ??= generic ? [true, true, false] : [true, true];
        var gradInput = mask.Length > 0 && mask[0];
        var gradWeight = mask.Length > 1 && mask[1];
        var gradBias = generic && mask.Length > 2 && mask[2];
        long groups;
        ConvShape shape;
        if (transposed)
        {
            groups = a.Int(9) ?? 1;
            Require(groups >= 1 && w[0] == x[1] && dy[1] == w[1] * groups, "transposed convolution backward shapes do not fit");
            shape = new ConvShape(x[0], dy[1], x[1], groups, dy.Shape[2..], w.Shape[2..], x.Shape[2..]);
        }
        else
        {
            Require(w[1] > 0 && x[1] % w[1] == 0 && dy[1] == w[0] && dy[0] == x[0], $"convolution backward shapes do not fit: grad_output {S(dy.Shape)}, input {S(x.Shape)}, weight {S(w.Shape)}");
            groups = x[1] / w[1];
            shape = new ConvShape(x[0], x[1], w[0], groups, x.Shape[2..], w.Shape[2..], dy.Shape[2..]);
        }

        double flops = 0, read = dy.Bytes, written = 0;
        var parts = new List<string>();
        if (gradInput)
        {
            flops += 2 * shape.Macs;
            read += w.Bytes;
            written += x.Bytes;
            parts.Add("grad input 2·N·Cout·Π(out)·(Cin/g)·Π(k)");
        }

        if (gradWeight)
        {
            flops += 2 * shape.Macs;
            read += x.Bytes;
            written += w.Bytes;
            parts.Add("grad weight 2·N·Cout·Π(out)·(Cin/g)·Π(k)");
        }

        if (gradBias)
        {
            flops += dy.Numel;
            written += dy[1] * dy.Type.Size;
            parts.Add("grad bias N·Cout·Π(out)");
        }

        var note = assumedMask ? "; output_mask not recorded: assumed grad input and grad weight" : "";
        return Make(flops, read, written, x.Type, ComputeUnit.Matrix,
            $"conv{x.Rank - 2}d backward: {(parts.Count == 0 ? "nothing requested" : string.Join(" + ", parts))}, {shape.Text}{note}");
    }

    // cudnn_convolution_backward_input(self_size, grad_output, weight, padding, stride, dilation, groups, ...): 2·N·Cout·Π(out)·(Cin/g)·Π(k)
    private static OpCost ConvBackwardInput(OpArguments a)
    {
        var dy = a.Tensor(1, "grad_output");
        var w = a.Tensor(2, "weight");
        Require(dy.Rank is >= 3 and <= 5 && w.Rank == dy.Rank && dy[1] == w[0], $"convolution backward input shapes do not fit: grad_output {S(dy.Shape)}, weight {S(w.Shape)}");
        var groups = a.Int(6);
        var size = a.IntList(0);
        var notes = new List<string>();
        if (groups is null)
        {
            notes.Add("groups not recorded: assumed 1");
        }

        var g = groups ?? 1;
        Require(g >= 1 && w[0] % g == 0, $"groups {g} do not fit weight {S(w.Shape)}");
        var cin = w[1] * g;
        long[] inSp;
        if (size is { Length: > 2 } && size.Length == dy.Rank)
        {
            Require(size[1] == cin, $"input size {S(size)} does not fit weight {S(w.Shape)}");
            inSp = size[2..];
        }
        else
        {
            inSp = dy.Shape[2..];
            notes.Add("input size not recorded: assumed = output size");
        }

        var shape = new ConvShape(dy[0], cin, w[0], g, inSp, w.Shape[2..], dy.Shape[2..]);
        return Make(2 * shape.Macs, dy.Bytes + w.Bytes, shape.InNumel * dy.Type.Size, dy.Type, ComputeUnit.Matrix,
            $"conv{dy.Rank - 2}d grad input: 2·N·Cout·Π(out)·(Cin/g)·Π(k), {shape.Text}{(notes.Count == 0 ? "" : "; " + string.Join("; ", notes))}");
    }

    // cudnn_convolution_backward_weight(weight_size, grad_output, self, padding, stride, dilation, groups, ...): 2·N·Cout·Π(out)·(Cin/g)·Π(k)
    private static OpCost ConvBackwardWeight(OpArguments a)
    {
        var dy = a.Tensor(1, "grad_output");
        var x = a.Tensor(2, "input");
        var size = a.IntList(0);
        if (size is null || size.Length != dy.Rank)
        {
            throw OpArguments.Missing("weight size (kernel) not recorded");
        }

        Require(dy.Rank is >= 3 and <= 5 && x.Rank == dy.Rank && size[0] == dy[1] && size[1] > 0 && x[1] % size[1] == 0,
            $"convolution backward weight shapes do not fit: grad_output {S(dy.Shape)}, input {S(x.Shape)}, weight {S(size)}");
        var shape = new ConvShape(dy[0], x[1], dy[1], x[1] / size[1], x.Shape[2..], size[2..], dy.Shape[2..]);
        return Make(2 * shape.Macs, dy.Bytes + x.Bytes, shape.WeightNumel * x.Type.Size, x.Type, ComputeUnit.Matrix,
            $"conv{dy.Rank - 2}d grad weight: 2·N·Cout·Π(out)·(Cin/g)·Π(k), {shape.Text}");
    }
}
