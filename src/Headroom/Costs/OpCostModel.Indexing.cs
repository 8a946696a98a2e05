namespace Headroom.Costs;

public static partial class OpCostModel
{
    /// <summary>Data movement and indexing ops: fills, concatenation, gathers and scatters (docs/cost-model.md).</summary>
    private static readonly HashSet<string> IndexingOps = new(StringComparer.Ordinal)
    {
        "fill_", "zero_", "cat", "index_select", "gather", "gather_backward", "scatter_add_", "index_add_", "index_copy_",
        "index_put_", "_index_put_impl_",
    };

    private static OpCost Indexing(string name, OpArguments a) => name switch
    {
        "fill_" or "zero_" => Fill(name, a),
        "cat" => Cat(a),
        "index_select" => IndexSelect(a),
        "gather" => Gather(a),
        "gather_backward" => GatherBackward(a),
        "scatter_add_" => ScatterAdd(a),
        "index_add_" => IndexAdd(a),
        "index_copy_" => IndexCopy(a),
        _ => IndexPut(name, a),
    };

    // fill_(self, value) / zero_(self): 0 FLOPs; writes self; reads the value only when it is a (0-d) tensor
    private static OpCost Fill(string name, OpArguments a)
    {
        var self = a.Tensor(0, "self");
        var value = name == "fill_" ? a.OptionalTensor(1, "value") : null;
        return Make(0, value?.Bytes ?? 0, self.Bytes, self.Type, ComputeUnit.Vector, $"{name}: 0 FLOPs, writes numel={N(self.Numel)}");
    }

    // cat(tensors, dim): 0 FLOPs; reads every input, writes their concatenation (Σ numel)
    private static OpCost Cat(OpArguments a)
    {
        var list = a.List(0, "tensors");
        var type = ListType(a, 0, out var note);
        var shapes = list.Where(s => !(s.Length == 1 && s[0] == 0)).ToList(); // legacy cat skips 1-d empty tensors
        Require(shapes.Count > 0 && shapes.All(s => s.Length == shapes[0].Length && s.Length > 0), "cat inputs do not have one rank");
        var dim = a.Int(1) ?? -1;
        var rank = shapes[0].Length;
        Require(dim >= -rank && dim < rank, $"cat dim {dim} does not fit rank {rank}");
        var axis = (int)(dim < 0 ? dim + rank : dim);
        for (var i = 0; i < rank; i++)
        {
            Require(i == axis || shapes.All(s => s[i] == shapes[0][i]), $"cat inputs differ outside dim {axis}");
        }

        var numel = shapes.Sum(s => OpArguments.Product(s));
        var bytes = numel * type.Size;
        return Make(0, bytes, bytes, type, ComputeUnit.Vector, $"cat: 0 FLOPs, {shapes.Count} tensors, numel={N(numel)}{note}");
    }

    // index_select(self, dim, index): 0 FLOPs; reads the index and the selected slices, writes them
    private static OpCost IndexSelect(OpArguments a)
    {
        var self = a.Tensor(0, "self");
        var index = a.Tensor(2, "index");
        Require(index.Rank <= 1, $"index_select index must be 0-d or 1-d, got {S(index.Shape)}");
        double slice;
        if (self.Rank <= 1)
        {
            slice = 1;
        }
        else
        {
            var dim = a.Int(1) ?? throw OpArguments.Missing("index_select: dim not recorded for a tensor of rank > 1");
            Require(dim >= -self.Rank && dim < self.Rank, $"index_select dim {dim} does not fit {S(self.Shape)}");
            slice = self.Numel / Math.Max(1, self[(int)dim]);
        }

        var outBytes = index.Numel * slice * self.Type.Size;
        return Make(0, index.Bytes + outBytes, outBytes, self.Type, ComputeUnit.Vector, $"index_select: 0 FLOPs, {N(index.Numel)} slices of {N(slice)}");
    }

    // gather(self, dim, index): 0 FLOPs; output has the index's shape: reads the index and one element per index, writes them
    private static OpCost Gather(OpArguments a)
    {
        var self = a.Tensor(0, "self");
        var index = a.Tensor(2, "index");
        Require(index.Rank == self.Rank || (self.Rank <= 1 && index.Rank <= 1), $"gather index {S(index.Shape)} does not fit {S(self.Shape)}");
        var outBytes = index.Numel * self.Type.Size;
        return Make(0, index.Bytes + outBytes, outBytes, self.Type, ComputeUnit.Vector, $"gather: 0 FLOPs, numel(index)={N(index.Numel)}");
    }

    // gather_backward(grad, self, dim, index): zeros like self, then scatter-add of grad: numel(index) FLOPs;
    // reads grad and the index, writes grad input (numel(self))
    private static OpCost GatherBackward(OpArguments a)
    {
        var grad = a.Tensor(0, "grad");
        var self = a.Tensor(1, "self");
        var index = a.Tensor(3, "index");
        Require(grad.Numel == index.Numel, $"gather_backward grad {S(grad.Shape)} does not match index {S(index.Shape)}");
        return Make(index.Numel, grad.Bytes + index.Bytes, self.Numel * grad.Type.Size, grad.Type, ComputeUnit.Vector,
            $"gather_backward: 1·numel(index), numel(index)={N(index.Numel)}, grad input numel={N(self.Numel)}");
    }

    // scatter_add_(self, dim, index, src): one add per index element; reads the index and as many source elements, and
    // reads and writes the touched elements of self (at most min(numel(index), numel(self)))
    private static OpCost ScatterAdd(OpArguments a)
    {
        var self = a.Tensor(0, "self");
        var index = a.Tensor(2, "index");
        var src = a.Tensor(3, "src");
        Require(index.Rank == src.Rank && index.Numel <= src.Numel, $"scatter_add_ index {S(index.Shape)} does not fit src {S(src.Shape)}");
        var touched = Math.Min(index.Numel, self.Numel) * self.Type.Size;
        return Make(index.Numel, index.Bytes + (index.Numel * src.Type.Size) + touched, touched, self.Type, ComputeUnit.Vector,
            $"scatter_add_: 1·numel(index), numel(index)={N(index.Numel)}, self numel={N(self.Numel)}");
    }

    // index_add_(self, dim, index, source): one add per source element; reads the index and the source, and reads and
    // writes the touched elements of self (at most min(numel(source), numel(self)))
    private static OpCost IndexAdd(OpArguments a)
    {
        var (self, index, src) = IndexedSource(a);
        var touched = Math.Min(src.Numel, self.Numel) * self.Type.Size;
        return Make(src.Numel, index.Bytes + src.Bytes + touched, touched, self.Type, ComputeUnit.Vector,
            $"index_add_: 1·numel(source), numel(source)={N(src.Numel)}, self numel={N(self.Numel)}");
    }

    // index_copy_(self, dim, index, source): 0 FLOPs; reads the index and the source, writes as many elements of self
    private static OpCost IndexCopy(OpArguments a)
    {
        var (self, index, src) = IndexedSource(a);
        return Make(0, index.Bytes + src.Bytes, Math.Min(src.Numel, self.Numel) * self.Type.Size, self.Type, ComputeUnit.Vector,
            $"index_copy_: 0 FLOPs, numel(source)={N(src.Numel)}");
    }

    /// <summary>self, index and source of index_add_/index_copy_ (self, dim, index, source): a 1-d index whose length divides the source.</summary>
    private static (TensorArg Self, TensorArg Index, TensorArg Source) IndexedSource(OpArguments a)
    {
        var self = a.Tensor(0, "self");
        var index = a.Tensor(2, "index");
        var src = a.Tensor(3, "source");
        Require(index.Rank <= 1 && index.Numel > 0 && src.Numel % index.Numel == 0, $"index {S(index.Shape)} does not fit source {S(src.Shape)}");
        Require(src.Rank == self.Rank || (src.Rank <= 1 && self.Rank <= 1), $"source {S(src.Shape)} does not fit self {S(self.Shape)}");
        return (self, index, src);
    }

    // index_put_(self, indices, values, accumulate): writes one element per value (accumulate: one add each, and reads
    // the touched elements); the index tensors are a TensorList the profiler records without shapes: not counted
    private static OpCost IndexPut(string name, OpArguments a)
    {
        var self = a.Tensor(0, "self");
        var values = a.Tensor(2, "values");
        var accumulate = a.Bool(3);
        var indexBytes = a.HasList(1) ? a.List(1, "indices").Sum(s => OpArguments.Product(s)) * 8 : 0;
        var note = a.HasList(1) ? "; index dtype not recorded: int64 assumed" : "; index tensors not recorded: their bytes not counted";
        note += accumulate is null ? "; accumulate not recorded: assumed False" : "";
        var touched = values.Numel * self.Type.Size;
        var flops = accumulate == true ? values.Numel : 0;
        var read = values.Bytes + indexBytes + (accumulate == true ? touched : 0);
        return Make(flops, read, touched, self.Type, ComputeUnit.Vector,
            $"{name}: {(accumulate == true ? "1" : "0")}·numel(values), numel(values)={N(values.Numel)}{note}");
    }
}
