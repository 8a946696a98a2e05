namespace Headroom.Costs;

public static partial class OpCostModel
{
    // max_poolNd_with_indices(self [N, C, in...], kernel_size, stride, padding, dilation, ceil_mode): one comparison per
    // window element, numel(out)·Π(k); reads the input, writes the output and its int64 indices
    private static OpCost MaxPool(string name, OpArguments a)
    {
        var x = a.Tensor(0, "self");
        var kernel = a.IntList(1) ?? throw OpArguments.Missing($"{name}: kernel_size not recorded");
        var spatial = name.StartsWith("max_pool3d", StringComparison.Ordinal) ? 3 : 2;
        Require(x.Rank == spatial + 1 || x.Rank == spatial + 2, $"{name} input {S(x.Shape)} is not {spatial}-d spatial");
        var k = Expand(kernel, spatial, "kernel_size");
        var stride = a.IntList(2) is { Length: > 0 } st ? Expand(st, spatial, "stride") : k;
        var padding = a.IntList(3) is { Length: > 0 } p ? Expand(p, spatial, "padding") : new long[spatial];
        var dilation = a.IntList(4) is { Length: > 0 } d ? Expand(d, spatial, "dilation") : Enumerable.Repeat(1L, spatial).ToArray();
        var ceil = a.Bool(5) == true;
        var outShape = x.Shape.ToArray();
        for (var i = 0; i < spatial; i++)
        {
            var input = x.Shape[x.Rank - spatial + i];
            Require(k[i] > 0 && stride[i] > 0 && dilation[i] > 0 && padding[i] >= 0 && 2 * padding[i] <= k[i], $"{name}: bad window k={k[i]} s={stride[i]} p={padding[i]}");
            var span = input + (2 * padding[i]) - (dilation[i] * (k[i] - 1)) - 1;
            Require(span >= 0, $"{name}: kernel {k[i]} larger than the padded input {input}");
            var o = (ceil ? (span + stride[i] - 1) / stride[i] : span / stride[i]) + 1;
            if (ceil && (o - 1) * stride[i] >= input + padding[i])
            {
                o--;
            }

            outShape[x.Rank - spatial + i] = o;
        }

        var outNumel = OpArguments.Product(outShape);
        var window = OpArguments.Product(k);
        return Make(outNumel * window, x.Bytes, outNumel * (x.Type.Size + 8), x.Type, ComputeUnit.Vector,
            $"{name}: numel(out)·Π(k), out={S(outShape)} k={S(k)}; writes the output and int64 indices");
    }

    private static long[] Expand(long[] values, int spatial, string what)
    {
        Require(values.Length == 1 || values.Length == spatial, $"{what} {S(values)} does not fit {spatial} spatial dims");
        return values.Length == spatial ? values : Enumerable.Repeat(values[0], spatial).ToArray();
    }

    // max_poolNd_with_indices_backward(grad_output, self, kernel, stride, padding, dilation, ceil_mode, indices): one add
    // per grad_output element (windows may overlap); reads grad_output and indices, writes grad input (numel(self))
    private static OpCost MaxPoolBackward(string name, OpArguments a)
    {
        var dy = a.Tensor(0, "grad_output");
        var x = a.Tensor(1, "self");
        var indices = a.Tensor(7, "indices");
        Require(indices.Numel == dy.Numel && dy.Rank == x.Rank && dy.Numel <= x.Numel, $"{name}: grad_output {S(dy.Shape)} does not fit {S(x.Shape)}");
        return Make(dy.Numel, dy.Bytes + indices.Bytes, x.Numel * dy.Type.Size, dy.Type, ComputeUnit.Vector,
            $"{name}: 1·numel(grad_output), numel={N(dy.Numel)}, grad input numel={N(x.Numel)}");
    }
}
