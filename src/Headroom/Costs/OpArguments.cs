using System.Globalization;
using System.Text.Json;

namespace Headroom.Costs;

/// <summary>The reason an estimate cannot be made; thrown inside the model and turned into <see cref="OpCost.None"/>.</summary>
internal sealed class NoEstimateException(OpCostKind kind, string reason) : Exception(reason)
{
    public OpCostKind Kind { get; } = kind;
}

/// <summary>A tensor argument: its shape and dtype.</summary>
internal readonly record struct TensorArg(long[] Shape, DataType Type)
{
    public double Numel => OpArguments.Product(Shape);

    public double Bytes => Numel * Type.Size;

    public int Rank => Shape.Length;

    public long this[int axis] => Shape[axis < 0 ? Shape.Length + axis : axis];
}

/// <summary>The parsed "Input Dims", "Input type" and "Concrete Inputs" of one op call.</summary>
internal sealed class OpArguments
{
    /// <summary>Largest dimension accepted (2^40); anything larger is taken as a corrupt record.</summary>
    public const long MaxDim = 1L << 40;

    private readonly long[]?[] _shapes;
    private readonly long[][]?[] _lists;
    private readonly string[] _types;
    private readonly string[] _concrete;

    private OpArguments(long[]?[] shapes, long[][]?[] lists, string[] types, string[] concrete)
    {
        _shapes = shapes;
        _lists = lists;
        _types = types;
        _concrete = concrete;
    }

    public int Count => _shapes.Length;

    public static OpArguments Parse(string dims, string types, string concrete)
    {
        if (string.IsNullOrWhiteSpace(dims))
        {
            throw new NoEstimateException(OpCostKind.MissingShapes, "no input dims recorded");
        }

        long[]?[] shapes;
        long[][]?[] lists;
        using (var doc = JsonDocument.Parse(dims))
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw Malformed("input dims are not a JSON array");
            }

            var n = doc.RootElement.GetArrayLength();
            shapes = new long[]?[n];
            lists = new long[][]?[n];
            var i = 0;
            foreach (var arg in doc.RootElement.EnumerateArray())
            {
                if (arg.ValueKind != JsonValueKind.Array)
                {
                    throw Malformed($"input dims argument {i} is not an array");
                }

                var items = arg.EnumerateArray().ToArray();
                if (items.Length > 0 && items.All(e => e.ValueKind == JsonValueKind.Array))
                {
                    lists[i] = items.Select(ShapeOf).ToArray();
                }
                else
                {
                    shapes[i] = ShapeOf(arg);
                }

                i++;
            }
        }

        return new OpArguments(shapes, lists, Strings(types, "input types"), Strings(concrete, "concrete inputs"));
    }

    private static string[] Strings(string json, string what)
    {
        if (string.IsNullOrWhiteSpace(json) || json == "null")
        {
            return [];
        }

        using var doc = JsonDocument.Parse(json);
        if (doc.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw Malformed($"{what} are not a JSON array");
        }

        return doc.RootElement.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() ?? "" : e.GetRawText()).ToArray();
    }

    private static long[] ShapeOf(JsonElement shape)
    {
        if (shape.ValueKind != JsonValueKind.Array)
        {
            throw Malformed("a shape is not an array");
        }

        var dims = new long[shape.GetArrayLength()];
        var i = 0;
        foreach (var d in shape.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out var v))
            {
                throw Malformed($"dimension '{d.GetRawText()}' is not an integer");
            }

            if (v < 0)
            {
                throw new NoEstimateException(OpCostKind.BadDims, $"negative dimension {v}");
            }

            if (v > MaxDim)
            {
                throw new NoEstimateException(OpCostKind.BadDims, $"absurd dimension {v}");
            }

            dims[i++] = v;
        }

        return dims;
    }

    public static NoEstimateException Malformed(string reason) => new(OpCostKind.Malformed, reason);

    public static NoEstimateException Mismatch(string reason) => new(OpCostKind.ShapeMismatch, reason);

    public static NoEstimateException Missing(string reason) => new(OpCostKind.MissingShapes, reason);

    public static double Product(ReadOnlySpan<long> dims)
    {
        double p = 1;
        foreach (var d in dims)
        {
            p *= d;
        }

        return p;
    }

    public IReadOnlyList<string> Types() => _types;

    public string Type(int i) => i < _types.Length ? _types[i] : "";

    public string Concrete(int i) => i < _concrete.Length ? _concrete[i] : "";

    /// <summary>True when argument <paramref name="i"/> is a tensor (a recorded shape whose type is not a non-tensor type).</summary>
    public bool IsTensor(int i) => i < Count && _shapes[i] is not null && !DataTypes.IsNonTensor(Type(i));

    /// <summary>Tensor argument <paramref name="i"/>; throws the reason when it is absent or its dtype is unknown.</summary>
    public TensorArg Tensor(int i, string what)
    {
        if (i >= Count || _shapes[i] is null)
        {
            throw Missing($"{what} (argument {i}) not recorded");
        }

        if (_types.Length == 0)
        {
            throw new NoEstimateException(OpCostKind.UnknownDtype, "no input types recorded");
        }

        var typeName = Type(i);
        if (DataTypes.IsNonTensor(typeName))
        {
            throw Missing($"{what} (argument {i}) is not a tensor ('{typeName}')");
        }

        if (!DataTypes.TryFromTypeName(typeName, out var type))
        {
            throw new NoEstimateException(OpCostKind.UnknownDtype, $"unknown dtype '{typeName}'");
        }

        return new TensorArg(_shapes[i]!, type);
    }

    /// <summary>Optional tensor argument: null when absent or None.</summary>
    public TensorArg? OptionalTensor(int i, string what) => IsTensor(i) ? Tensor(i, what) : null;

    /// <summary>Every tensor argument, in order.</summary>
    public List<TensorArg> Tensors()
    {
        var result = new List<TensorArg>();
        for (var i = 0; i < Count; i++)
        {
            if (IsTensor(i))
            {
                result.Add(Tensor(i, "input"));
            }
        }

        return result;
    }

    /// <summary>The shapes of a TensorList argument; throws when the list shapes were not recorded.</summary>
    public long[][] List(int i, string what)
    {
        if (i < Count && _lists[i] is { } list)
        {
            return list;
        }

        throw Missing($"{what} (argument {i}): list shapes not recorded");
    }

    /// <summary>Whether argument <paramref name="i"/> has recorded list shapes.</summary>
    public bool HasList(int i) => i < Count && _lists[i] is not null;

    /// <summary>Concrete integer list ("[2, 2]") or single integer ("2") at <paramref name="i"/>; null when not recorded.</summary>
    public long[]? IntList(int i)
    {
        var text = Concrete(i).Trim();
        if (text.Length == 0)
        {
            return null;
        }

        if (text.StartsWith('[') && text.EndsWith(']'))
        {
            text = text[1..^1];
            if (text.Trim().Length == 0)
            {
                return [];
            }
        }

        var parts = text.Split(',');
        var values = new long[parts.Length];
        for (var k = 0; k < parts.Length; k++)
        {
            if (!long.TryParse(parts[k].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out values[k]))
            {
                return null;
            }
        }

        return values;
    }

    /// <summary>Concrete integer at <paramref name="i"/>; null when not recorded.</summary>
    public long? Int(int i) => IntList(i) is [var v] && !Concrete(i).TrimStart().StartsWith('[') ? v : null;

    /// <summary>Concrete boolean ("True"/"False") at <paramref name="i"/>; null when not recorded.</summary>
    public bool? Bool(int i) => Concrete(i).Trim() switch
    {
        "True" or "true" or "1" => true,
        "False" or "false" or "0" => false,
        _ => null,
    };

    /// <summary>Concrete boolean list ("[True, False, True]") at <paramref name="i"/>; null when not recorded.</summary>
    public bool[]? BoolList(int i)
    {
        var text = Concrete(i).Trim();
        if (!text.StartsWith('[') || !text.EndsWith(']'))
        {
            return null;
        }

        var parts = text[1..^1].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var values = new bool[parts.Length];
        for (var k = 0; k < parts.Length; k++)
        {
            switch (parts[k])
            {
                case "True" or "true" or "1":
                    values[k] = true;
                    break;
                case "False" or "false" or "0":
                    values[k] = false;
                    break;
                default:
                    return null;
            }
        }

        return values;
    }
}
