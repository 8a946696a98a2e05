namespace Headroom.Costs;

public static partial class OpCostModel
{
    // mm(self[M,K], mat2[K,N]): 2·M·K·N
    private static OpCost Mm(OpArguments a)
    {
        var x = a.Tensor(0, "self");
        var y = a.Tensor(1, "mat2");
        Require(x.Rank == 2 && y.Rank == 2, $"mm needs 2-d operands, got {S(x.Shape)} and {S(y.Shape)}");
        Require(x[1] == y[0], $"inner dimensions differ: {S(x.Shape)} x {S(y.Shape)}");
        double m = x[0], k = x[1], n = y[1];
        return Make(2 * m * k * n, x.Bytes + y.Bytes, m * n * x.Type.Size, x.Type, ComputeUnit.Matrix, $"mm: 2·M·K·N, M={m} K={k} N={n}");
    }

    // addmm(bias, mat1[M,K], mat2[K,N], beta, alpha): 2·M·K·N + M·N (bias add)
    private static OpCost Addmm(OpArguments a)
    {
        var bias = a.Tensor(0, "self");
        var x = a.Tensor(1, "mat1");
        var y = a.Tensor(2, "mat2");
        Require(x.Rank == 2 && y.Rank == 2, $"addmm needs 2-d operands, got {S(x.Shape)} and {S(y.Shape)}");
        Require(x[1] == y[0], $"inner dimensions differ: {S(x.Shape)} x {S(y.Shape)}");
        double m = x[0], k = x[1], n = y[1];
        Broadcast([bias.Shape, [x[0], y[1]]]);
        return Make(2 * m * k * n + m * n, bias.Bytes + x.Bytes + y.Bytes, m * n * x.Type.Size, x.Type, ComputeUnit.Matrix,
            $"addmm: 2·M·K·N + M·N (bias), M={m} K={k} N={n}");
    }

    // bmm(self[B,M,K], mat2[B,K,N]): 2·B·M·K·N
    private static OpCost Bmm(OpArguments a)
    {
        var x = a.Tensor(0, "self");
        var y = a.Tensor(1, "mat2");
        Require(x.Rank == 3 && y.Rank == 3, $"bmm needs 3-d operands, got {S(x.Shape)} and {S(y.Shape)}");
        Require(x[0] == y[0] && x[2] == y[1], $"bmm shapes do not fit: {S(x.Shape)} x {S(y.Shape)}");
        double b = x[0], m = x[1], k = x[2], n = y[2];
        return Make(2 * b * m * k * n, x.Bytes + y.Bytes, b * m * n * x.Type.Size, x.Type, ComputeUnit.Matrix, $"bmm: 2·B·M·K·N, B={b} M={m} K={k} N={n}");
    }

    // baddbmm(self, batch1[B,M,K], batch2[B,K,N], beta, alpha): 2·B·M·K·N + B·M·N
    private static OpCost Baddbmm(OpArguments a)
    {
        var c = a.Tensor(0, "self");
        var x = a.Tensor(1, "batch1");
        var y = a.Tensor(2, "batch2");
        Require(x.Rank == 3 && y.Rank == 3, $"baddbmm needs 3-d batches, got {S(x.Shape)} and {S(y.Shape)}");
        Require(x[0] == y[0] && x[2] == y[1], $"baddbmm shapes do not fit: {S(x.Shape)} x {S(y.Shape)}");
        double b = x[0], m = x[1], k = x[2], n = y[2];
        Broadcast([c.Shape, [x[0], x[1], y[2]]]);
        return Make(2 * b * m * k * n + b * m * n, c.Bytes + x.Bytes + y.Bytes, b * m * n * x.Type.Size, x.Type, ComputeUnit.Matrix,
            $"baddbmm: 2·B·M·K·N + B·M·N, B={b} M={m} K={k} N={n}");
    }

    // matmul(a, b): torch.matmul rules, batch dimensions broadcast; 2·batch·M·K·N
    private static OpCost Matmul(OpArguments a)
    {
        var x = a.Tensor(0, "self");
        var y = a.Tensor(1, "other");
        Require(x.Rank >= 1 && y.Rank >= 1, $"matmul needs at least 1-d operands, got {S(x.Shape)} and {S(y.Shape)}");
        var xs = x.Rank == 1 ? new long[] { 1, x[0] } : x.Shape;
        var ys = y.Rank == 1 ? new long[] { y[0], 1 } : y.Shape;
        Require(xs[^1] == ys[^2], $"inner dimensions differ: {S(x.Shape)} x {S(y.Shape)}");
        var batch = Broadcast([xs[..^2], ys[..^2]]);
        double bt = OpArguments.Product(batch), m = xs[^2], k = xs[^1], n = ys[^1];
        return Make(2 * bt * m * k * n, x.Bytes + y.Bytes, bt * m * n * x.Type.Size, x.Type, ComputeUnit.Matrix,
            $"matmul: 2·batch·M·K·N, batch={bt} (broadcast {S(batch)}) M={m} K={k} N={n}");
    }

    // linear(input[..., K], weight[N, K], bias[N]?): 2·M·K·N (+ M·N with bias), M = numel(input)/K
    private static OpCost Linear(OpArguments a)
    {
        var x = a.Tensor(0, "input");
        var w = a.Tensor(1, "weight");
        var bias = a.OptionalTensor(2, "bias");
        Require(x.Rank >= 1 && w.Rank is 1 or 2, $"linear shapes do not fit: {S(x.Shape)}, weight {S(w.Shape)}");
        double k = x[-1], n = w.Rank == 2 ? w[0] : 1;
        Require(w[-1] == x[-1], $"linear inner dimensions differ: input {S(x.Shape)}, weight {S(w.Shape)}");
        var m = k == 0 ? OpArguments.Product(x.Shape.AsSpan(0, x.Rank - 1)) : x.Numel / k;
        var flops = 2 * m * k * n + (bias is null ? 0 : m * n);
        return Make(flops, x.Bytes + w.Bytes + (bias?.Bytes ?? 0), m * n * x.Type.Size, x.Type, ComputeUnit.Matrix,
            bias is null ? $"linear: 2·M·K·N, M={m} K={k} N={n}" : $"linear: 2·M·K·N + M·N (bias), M={m} K={k} N={n}");
    }

    // _scaled_mm(self[M,K], mat2[K,N], scale_a, scale_b, bias?, scale_result?, out_dtype?, use_fast_accum): 2·M·K·N
    private static OpCost ScaledMm(OpArguments a)
    {
        var x = a.Tensor(0, "self");
        var y = a.Tensor(1, "mat2");
        Require(x.Rank == 2 && y.Rank == 2, $"_scaled_mm needs 2-d operands, got {S(x.Shape)} and {S(y.Shape)}");
        Require(x[1] == y[0], $"inner dimensions differ: {S(x.Shape)} x {S(y.Shape)}");
        double m = x[0], k = x[1], n = y[1];
        double read = x.Bytes + y.Bytes;
        for (var i = 2; i <= 5; i++)
        {
            read += a.OptionalTensor(i, "scale or bias")?.Bytes ?? 0;
        }

        var outType = a.Int(6) is { } st && DataTypes.TryFromScalarType((int)st, out var t) ? t : x.Type;
        var flops = 2 * m * k * n;
        return Make(flops, read, m * n * outType.Size, x.Type, ComputeUnit.Matrix, $"_scaled_mm: 2·M·K·N, M={m} K={k} N={n}, out {outType.Name}");
    }

    // einsum(equation, operands, path): 2·Π(all index sizes) with a contraction of two operands, Π otherwise
    private static OpCost Einsum(OpArguments a)
    {
        var equation = a.Concrete(0).Replace(" ", "", StringComparison.Ordinal);
        if (equation.Length == 0)
        {
            throw OpArguments.Missing("einsum equation not recorded");
        }

        if (equation.Contains("...", StringComparison.Ordinal))
        {
            throw OpArguments.Mismatch($"einsum with ellipsis not resolved: '{equation}'");
        }

        var shapes = a.List(1, "operands");
        var arrow = equation.IndexOf("->", StringComparison.Ordinal);
        var inputs = (arrow >= 0 ? equation[..arrow] : equation).Split(',');
        Require(inputs.Length == shapes.Length, $"einsum '{equation}' names {inputs.Length} operands, {shapes.Length} recorded");
        Require(inputs.Length is 1 or 2, $"einsum with {inputs.Length} operands not resolved");
        var sizes = new Dictionary<char, long>();
        for (var o = 0; o < inputs.Length; o++)
        {
            Require(inputs[o].Length == shapes[o].Length && inputs[o].All(char.IsLetter), $"einsum operand '{inputs[o]}' does not fit shape {S(shapes[o])}");
            for (var i = 0; i < inputs[o].Length; i++)
            {
                var c = inputs[o][i];
                var d = shapes[o][i];
                if (sizes.TryGetValue(c, out var seen) && seen != d)
                {
                    Require(seen == 1 || d == 1, $"einsum index '{c}' has sizes {seen} and {d}");
                    d = Math.Max(seen, d);
                }

                sizes[c] = d;
            }
        }

        string output;
        if (arrow >= 0)
        {
            output = equation[(arrow + 2)..];
            Require(output.All(sizes.ContainsKey), $"einsum output '{output}' names an index no operand has");
        }
        else
        {
            var letters = string.Concat(inputs);
            output = string.Concat(sizes.Keys.Where(c => letters.Count(x => x == c) == 1).Order());
        }

        var all = OpArguments.Product(sizes.Values.ToArray());
        var outNumel = OpArguments.Product(output.Select(c => sizes[c]).ToArray());
        var contracted = sizes.Keys.Any(c => !output.Contains(c, StringComparison.Ordinal));
        var type = ListType(a, 1, out var note);
        var read = shapes.Sum(s => OpArguments.Product(s)) * type.Size;
        var flops = inputs.Length == 2 && contracted ? 2 * all : all;
        return Make(flops, read, outNumel * type.Size, type, inputs.Length == 2 && contracted ? ComputeUnit.Matrix : ComputeUnit.Vector,
            $"einsum '{equation}': {(flops == 2 * all ? "2·" : "")}Π(index sizes) = {N(flops)}{note}");
    }
}
