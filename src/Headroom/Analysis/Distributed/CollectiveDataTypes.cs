using System.Text.Json;

namespace Headroom.Analysis.Distributed;

/// <summary>
/// Element sizes for collective message sizes, and the message size of a host op from its recorded shapes.
/// </summary>
/// <remarks>
/// <para>Names are compared case-insensitively, without spaces and without a <c>c10::</c>, <c>at::</c> or <c>torch.</c>
/// prefix, so both PyTorch's <c>ScalarType</c> names (record_param_comms "dtype": <c>Float</c>, <c>BFloat16</c>, ...) and
/// the C++ type names of record_shapes ("Input type": <c>float</c>, <c>c10::Half</c>, <c>long int</c>, ...) are found.</para>
/// <list type="table">
/// <listheader><term>bytes</term><description>names</description></listheader>
/// <item><term>1</term><description>Bool, Byte (unsigned char, uint8), Char (signed char, int8), QInt8, QUInt8, Float8_e4m3fn, Float8_e4m3fnuz, Float8_e5m2, Float8_e5m2fnuz, Float8_e8m0fnu</description></item>
/// <item><term>2</term><description>Half (float16), BFloat16, Short (short int, int16), UInt16 (unsigned short)</description></item>
/// <item><term>4</term><description>Float (float32), Int (int32), UInt32 (unsigned int), QInt32, ComplexHalf (c10::complex&lt;c10::Half&gt;)</description></item>
/// <item><term>8</term><description>Double (float64), Long (long int, long long, int64), UInt64 (unsigned long), ComplexFloat (c10::complex&lt;float&gt;)</description></item>
/// <item><term>16</term><description>ComplexDouble (c10::complex&lt;double&gt;)</description></item>
/// </list>
/// <para>Anything else (Scalar, TensorList, empty, unknown) has no size: the message size stays unknown.</para>
/// </remarks>
public static class CollectiveDataTypes
{
    private static readonly (int Size, string[] Names)[] Table =
    [
        (1, ["bool", "byte", "unsignedchar", "uint8", "char", "signedchar", "int8", "qint8", "quint8", "float8_e4m3fn", "float8_e4m3fnuz",
            "float8_e5m2", "float8_e5m2fnuz", "float8_e8m0fnu"]),
        (2, ["half", "float16", "bfloat16", "short", "shortint", "int16", "uint16", "unsignedshort"]),
        (4, ["float", "float32", "int", "int32", "uint32", "unsignedint", "qint32", "complexhalf", "complex<half>"]),
        (8, ["double", "float64", "long", "longint", "longlong", "int64", "uint64", "unsignedlong", "complexfloat", "complex<float>"]),
        (16, ["complexdouble", "complex<double>"]),
    ];

    private static readonly Dictionary<string, int> Sizes = Table.SelectMany(t => t.Names.Select(n => (n, t.Size)))
        .ToDictionary(x => x.n, x => x.Size, StringComparer.Ordinal);

    /// <summary>Bytes per element of <paramref name="dataType"/>; 0 when unknown.</summary>
    public static int SizeOf(string dataType)
    {
        ArgumentNullException.ThrowIfNull(dataType);
        var key = dataType.Trim().ToLowerInvariant().Replace(" ", "", StringComparison.Ordinal)
            .Replace("c10::", "", StringComparison.Ordinal).Replace("at::", "", StringComparison.Ordinal)
            .Replace("torch.", "", StringComparison.Ordinal);
        return Sizes.TryGetValue(key, out var size) ? size : 0;
    }

    /// <summary>Elements × element size; -1 when either is unknown (negative elements or a type without a size).</summary>
    public static long Bytes(long elements, string dataType)
    {
        var size = SizeOf(dataType);
        return elements >= 0 && size > 0 ? elements * size : -1;
    }

    /// <summary>
    /// The largest tensor argument of a host op, in bytes, from its record_shapes texts: "Input Dims"
    /// (<c>[[768],[3392],[]]</c>) and "Input type" (<c>["int","int","Scalar"]</c>). Arguments whose type has no size
    /// (Scalar, TensorList, "") are skipped. -1 when no argument has both a shape and a known type.
    /// </summary>
    public static long LargestTensorBytes(string inputDims, string inputTypes)
    {
        if (string.IsNullOrEmpty(inputDims) || string.IsNullOrEmpty(inputTypes))
        {
            return -1;
        }

        try
        {
            using var dims = JsonDocument.Parse(inputDims);
            using var types = JsonDocument.Parse(inputTypes);
            if (dims.RootElement.ValueKind != JsonValueKind.Array || types.RootElement.ValueKind != JsonValueKind.Array)
            {
                return -1;
            }

            long best = -1;
            var n = Math.Min(dims.RootElement.GetArrayLength(), types.RootElement.GetArrayLength());
            for (var i = 0; i < n; i++)
            {
                var type = types.RootElement[i];
                var shape = dims.RootElement[i];
                if (type.ValueKind != JsonValueKind.String || shape.ValueKind != JsonValueKind.Array)
                {
                    continue;
                }

                var size = SizeOf(type.GetString()!);
                if (size == 0 || !TryElements(shape, out var elements))
                {
                    continue;
                }

                best = Math.Max(best, elements > long.MaxValue / size ? long.MaxValue : elements * size);
            }

            return best;
        }
        catch (JsonException)
        {
            return -1;
        }
    }

    private static bool TryElements(JsonElement shape, out long elements)
    {
        elements = 1;
        foreach (var d in shape.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out var extent) || extent < 0)
            {
                return false;
            }

            elements = extent == 0 ? 0 : elements > long.MaxValue / extent ? long.MaxValue : elements * extent;
        }

        return true;
    }
}
