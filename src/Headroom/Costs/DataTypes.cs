namespace Headroom.Costs;

/// <summary>A tensor element type: the short compute name and its size in bytes.</summary>
/// <param name="Name">fp32, bf16, fp16, fp8, int64, ...</param>
/// <param name="Size">Bytes per element.</param>
public readonly record struct DataType(string Name, int Size);

/// <summary>PyTorch type names as the profiler writes them in "Input type", and ScalarType numbers as in Concrete Inputs.</summary>
public static class DataTypes
{
    private static readonly DataType Fp32 = new("fp32", 4);
    private static readonly DataType Fp64 = new("fp64", 8);
    private static readonly DataType Fp16 = new("fp16", 2);
    private static readonly DataType Bf16 = new("bf16", 2);
    private static readonly DataType Fp8 = new("fp8", 1);
    private static readonly DataType Int8 = new("int8", 1);
    private static readonly DataType UInt8 = new("uint8", 1);
    private static readonly DataType Int16 = new("int16", 2);
    private static readonly DataType Int32 = new("int32", 4);
    private static readonly DataType Int64 = new("int64", 8);
    private static readonly DataType Bool = new("bool", 1);

    private static readonly Dictionary<string, DataType> ByTypeName = new(StringComparer.Ordinal)
    {
        ["float"] = Fp32,
        ["double"] = Fp64,
        ["c10::Half"] = Fp16,
        ["c10::BFloat16"] = Bf16,
        ["c10::Float8_e4m3fn"] = Fp8,
        ["c10::Float8_e5m2"] = Fp8,
        ["c10::Float8_e4m3fnuz"] = Fp8,
        ["c10::Float8_e5m2fnuz"] = Fp8,
        ["c10::Float8_e8m0fnu"] = Fp8,
        ["signed char"] = Int8,
        ["unsigned char"] = UInt8,
        ["short int"] = Int16,
        ["short"] = Int16,
        ["int"] = Int32,
        ["unsigned int"] = new("uint32", 4),
        ["long int"] = Int64,
        ["long"] = Int64,
        ["long long int"] = Int64,
        ["int64_t"] = Int64,
        ["unsigned long"] = new("uint64", 8),
        ["bool"] = Bool,
        ["c10::complex<float>"] = new("complex64", 8),
        ["c10::complex<double>"] = new("complex128", 16),
        ["c10::complex<c10::Half>"] = new("complex32", 4),
        ["c10::qint8"] = Int8,
        ["c10::quint8"] = UInt8,
        ["c10::qint32"] = Int32,
    };

    /// <summary>Type texts that describe a non-tensor argument (or an absent optional one).</summary>
    private static readonly HashSet<string> NonTensor = new(StringComparer.Ordinal)
    {
        "", "Scalar", "ScalarList", "TensorList", "GenericList", "Int", "Bool", "Double", "String", "Device", "Layout",
        "ScalarType", "MemoryFormat", "None", "Tuple", "Generator", "Stream", "Storage", "Object",
    };

    // c10::ScalarType numbering (c10/core/ScalarType.h).
    private static readonly Dictionary<int, DataType> ByScalarType = new()
    {
        [0] = UInt8,
        [1] = Int8,
        [2] = Int16,
        [3] = Int32,
        [4] = Int64,
        [5] = Fp16,
        [6] = Fp32,
        [7] = Fp64,
        [11] = Bool,
        [15] = Bf16,
        [23] = Fp8,
        [24] = Fp8,
        [25] = Fp8,
        [26] = Fp8,
    };

    /// <summary>The dtype of a PyTorch "Input type" text (<c>float</c>, <c>c10::BFloat16</c>, <c>long int</c>, ...).</summary>
    public static bool TryFromTypeName(string typeName, out DataType type) => ByTypeName.TryGetValue(typeName, out type);

    /// <summary>True for type texts of non-tensor arguments (<c>Scalar</c>, <c>ScalarList</c>, empty for None, ...).</summary>
    public static bool IsNonTensor(string typeName) => NonTensor.Contains(typeName);

    /// <summary>The dtype of a ScalarType number as Concrete Inputs record a <c>dtype=</c> argument (6 = float, 15 = bfloat16).</summary>
    public static bool TryFromScalarType(int scalarType, out DataType type) => ByScalarType.TryGetValue(scalarType, out type);
}
