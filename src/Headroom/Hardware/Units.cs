using System.Globalization;

namespace Headroom.Hardware;

/// <summary>A compute rate in operations per second (FLOP/s; op/s for integer types). Decimal prefixes: 1 TFLOP/s = 1e12.</summary>
/// <param name="PerSecond">Operations per second.</param>
public readonly record struct FlopRate(double PerSecond)
{
    /// <summary>From TFLOP/s (1e12 FLOP/s).</summary>
    public static FlopRate FromTera(double tflops) => new(tflops * 1e12);

    /// <summary>The rate in TFLOP/s.</summary>
    public double Tera => PerSecond / 1e12;

    /// <inheritdoc/>
    public override string ToString() => Tera >= 1000
        ? string.Create(CultureInfo.InvariantCulture, $"{Tera / 1000:0.###} PFLOP/s")
        : string.Create(CultureInfo.InvariantCulture, $"{Tera:0.###} TFLOP/s");
}

/// <summary>A data rate in bytes per second. Decimal prefixes: 1 TB/s = 1e12 B/s, 1 GB/s = 1e9 B/s.</summary>
/// <param name="BytesPerSecond">Bytes per second.</param>
public readonly record struct Bandwidth(double BytesPerSecond)
{
    /// <summary>From TB/s (1e12 B/s).</summary>
    public static Bandwidth FromTerabytes(double tbps) => new(tbps * 1e12);

    /// <summary>From GB/s (1e9 B/s).</summary>
    public static Bandwidth FromGigabytes(double gbps) => new(gbps * 1e9);

    /// <summary>The rate in TB/s.</summary>
    public double Terabytes => BytesPerSecond / 1e12;

    /// <summary>The rate in GB/s.</summary>
    public double Gigabytes => BytesPerSecond / 1e9;

    /// <inheritdoc/>
    public override string ToString() => Terabytes >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{Terabytes:0.###} TB/s")
        : string.Create(CultureInfo.InvariantCulture, $"{Gigabytes:0.#} GB/s");
}

/// <summary>A size in bytes. Memory capacities and caches are quoted by vendors in binary units (GiB, MiB, KiB).</summary>
/// <param name="Bytes">Bytes.</param>
public readonly record struct ByteSize(double Bytes)
{
    /// <summary>From GiB (2^30 bytes).</summary>
    public static ByteSize FromGibibytes(double gib) => new(gib * 1073741824d);

    /// <summary>From MiB (2^20 bytes).</summary>
    public static ByteSize FromMebibytes(double mib) => new(mib * 1048576d);

    /// <summary>From KiB (1024 bytes).</summary>
    public static ByteSize FromKibibytes(double kib) => new(kib * 1024d);

    /// <summary>The size in GiB.</summary>
    public double Gibibytes => Bytes / 1073741824d;

    /// <inheritdoc/>
    public override string ToString() => Bytes >= 1073741824d
        ? string.Create(CultureInfo.InvariantCulture, $"{Gibibytes:0.##} GiB")
        : Bytes >= 1048576d
            ? string.Create(CultureInfo.InvariantCulture, $"{Bytes / 1048576d:0.##} MiB")
            : string.Create(CultureInfo.InvariantCulture, $"{Bytes / 1024d:0.##} KiB");
}

/// <summary>Numeric formats a peak is quoted for. <see cref="Int8"/> rates are integer op/s.</summary>
public enum Precision
{
    /// <summary>IEEE double.</summary>
    Fp64,
    /// <summary>IEEE single.</summary>
    Fp32,
    /// <summary>NVIDIA TensorFloat-32 (also AMD XF32/TF32 matrix modes).</summary>
    Tf32,
    /// <summary>bfloat16.</summary>
    Bf16,
    /// <summary>IEEE half.</summary>
    Fp16,
    /// <summary>8-bit floating point (E4M3/E5M2).</summary>
    Fp8,
    /// <summary>8-bit integer (op/s).</summary>
    Int8,
    /// <summary>4-bit floating point (FP4/MXFP4/NVFP4).</summary>
    Fp4,
}

/// <summary>Which execution units a peak belongs to.</summary>
public enum ComputeUnit
{
    /// <summary>Tensor cores (NVIDIA), matrix cores (AMD), MXUs (TPU).</summary>
    Matrix,
    /// <summary>SIMT / SIMD / VPU lanes.</summary>
    Vector,
}
