using Headroom.Analysis.Roofline;
using Headroom.Hardware;
using Xunit;
using CostUnit = Headroom.Costs.ComputeUnit;

namespace Headroom.Tests.Analysis.Roofline;

/// <summary>
/// Ceiling, efficiency and bound with values worked by hand, on a device of 100 TFLOP/s bf16 matrix, 10 TFLOP/s fp32
/// vector and 2 TB/s: the bf16 ridge point is 1e14 / 2e12 = 50 FLOP/byte.
/// </summary>
public sealed class RooflineFormulaTests
{
    internal static readonly DeviceSpec Device = new()
    {
        Id = "test",
        Name = "Test device",
        MemoryBandwidth = Bandwidth.FromTerabytes(2),
        MatrixPeaks = new Dictionary<Precision, FlopRate> { [Precision.Bf16] = FlopRate.FromTera(100) },
        VectorPeaks = new Dictionary<Precision, FlopRate> { [Precision.Fp32] = FlopRate.FromTera(10) },
    };

    private static RooflineOp Place(double flops, double bytes, long timeNs, int kernels = 1, double? peak = 1e14, double? bandwidth = 2e12,
        string[]? kernelNames = null, bool communication = false) =>
        RooflineAnalysis.Place("aten::mm", "[]", "[]", "bf16", CostUnit.Matrix, 1, kernels, flops, bytes, timeNs, peak, "bf16 matrix",
            bandwidth, kernelNames ?? ["gemm"], "", communication);

    // flops, bytes, time ns, intensity, achieved FLOP/s, achieved B/s, ceiling, efficiency, bound
    // 2e12 FLOPs, 1e9 B in 40 ms: I = 2000 ≥ 50; ceiling min(1e14, 4e15) = 1e14; 5e13 FLOP/s = 50% of peak; 2.5e10 B/s = 1.25% of BW.
    [Theory]
    [InlineData(2e12, 1e9, 40_000_000L, 2000.0, 5e13, 2.5e10, 1e14, 0.5, RooflineBound.Compute)]
    // 1e9 FLOPs, 1e9 B in 1 ms: I = 1 < 50; ceiling 1 × 2e12 = 2e12; 1e12 FLOP/s = 1% of peak, 1e12 B/s = 50% of BW → 0.5.
    [InlineData(1e9, 1e9, 1_000_000L, 1.0, 1e12, 1e12, 2e12, 0.5, RooflineBound.Memory)]
    // exactly at the ridge point: 5e10 FLOPs, 1e9 B in 1 ms: I = 50 → compute; ceiling 1e14; 5e13 FLOP/s and 1e12 B/s are both 50%.
    [InlineData(5e10, 1e9, 1_000_000L, 50.0, 5e13, 1e12, 1e14, 0.5, RooflineBound.Compute)]
    // a copy: 0 FLOPs, 4e9 B in 2 ms: I = 0; ceiling 0; 2e12 B/s = 100% of BW.
    [InlineData(0.0, 4e9, 2_000_000L, 0.0, 0.0, 2e12, 0.0, 1.0, RooflineBound.Memory)]
    public void Ceiling_efficiency_and_bound_follow_the_roofline(double flops, double bytes, long timeNs, double intensity,
        double achievedFlops, double achievedBytes, double ceiling, double efficiency, RooflineBound bound)
    {
        var op = Place(flops, bytes, timeNs);
        Assert.Equal(intensity, op.Intensity!.Value, 9);
        Assert.Equal(achievedFlops, op.AchievedFlopsPerSecond, 1e-3);
        Assert.Equal(achievedBytes, op.AchievedBytesPerSecond, 1e-3);
        Assert.Equal(ceiling, op.CeilingFlopsPerSecond!.Value, 1e-3);
        Assert.Equal(efficiency, op.Efficiency!.Value, 12);
        Assert.Equal(bound, op.Bound);
        Assert.False(op.AboveRoofline);
        Assert.Equal("", op.Note);
    }

    [Fact]
    public void Efficiency_equals_achieved_rate_over_the_ceiling_at_that_intensity()
    {
        // 1e9 FLOPs, 1e8 B (I = 10, ceiling 2e13) in 0.1 ms: 1e13 FLOP/s = 10% of peak, 1e12 B/s = 50% of bandwidth = 1e13 / 2e13.
        var op = Place(1e9, 1e8, 100_000);
        Assert.Equal(0.5, op.Efficiency!.Value, 12);
        Assert.Equal(op.AchievedFlopsPerSecond / op.CeilingFlopsPerSecond!.Value, op.Efficiency!.Value, 12);
    }

    [Fact]
    public void A_point_above_the_roofline_is_not_clipped_and_Winograd_kernels_explain_it()
    {
        // 2e12 FLOPs in 10 ms: 2e14 FLOP/s against a 1e14 peak → efficiency 2.
        var winograd = Place(2e12, 1e9, 10_000_000, kernelNames: ["volta_scudnn_winograd_128x128_ldg1_ldg4_relu_tile148t_nt_v1"]);
        Assert.Equal(2.0, winograd.Efficiency!.Value, 12);
        Assert.True(winograd.AboveRoofline);
        Assert.Equal(RooflineAnalysis.WinogradReason, winograd.Note);

        var fft = Place(2e12, 1e9, 10_000_000, kernelNames: ["fft2d_r2c_32x32"]);
        Assert.Equal(RooflineAnalysis.WinogradReason, fft.Note);

        var assumed = RooflineAnalysis.Place("aten::cudnn_convolution", "[]", "[]", "fp32", CostUnit.Matrix, 1, 1, 2e12, 1e9, 10_000_000,
            1e14, "bf16 matrix", 2e12, ["volta_scudnn_128x64_relu_medium_nn_v1"], "stride not recorded: assumed stride 1", assumed: true);
        Assert.Equal(RooflineAnalysis.AssumedReason, assumed.Note);

        var other = Place(2e12, 1e9, 10_000_000, kernelNames: ["sm90_xmma_gemm_bf16bf16"]);
        Assert.True(other.AboveRoofline);
        Assert.Equal(RooflineAnalysis.AboveRooflineReason, other.Note);
    }

    [Theory]
    // 3e7 B per call at 3e12 B/s (150% of 2 TB/s) with a 2e7 B L2: 3e12 × (1 − 2e7/3e7) = 1e12 ≤ 2e12 → the cache explains it.
    [InlineData(2e7, true)]
    // with a 5e6 B L2: 3e12 × (1 − 5e6/3e7) = 2.5e12 > 2e12 → it does not.
    [InlineData(5e6, false)]
    public void A_memory_bound_point_above_the_roofline_is_put_down_to_the_L2_cache_only_when_a_resident_L2_explains_it(double l2, bool explained)
    {
        var op = RooflineAnalysis.Place("aten::add_", "[]", "[]", "fp32", CostUnit.Vector, 1, 1, 1e6, 3e7, 10_000, 1e14, "fp32 vector", 2e12,
            ["elementwise"], "", cacheBytes: l2);
        Assert.Equal(1.5, op.Efficiency!.Value, 12);
        Assert.Equal(RooflineBound.Memory, op.Bound);
        Assert.Equal(explained ? RooflineAnalysis.CacheReason : RooflineAnalysis.AboveRooflineReason, op.Note);
    }

    [Fact]
    public void Kernels_shorter_than_five_microseconds_on_average_are_latency_bound()
    {
        // 4 kernels in 16 µs: mean 4 µs < 5 µs.
        Assert.Equal(RooflineBound.Latency, Place(1e9, 1e6, 16_000, kernels: 4).Bound);
        Assert.Equal(RooflineBound.Compute, Place(1e9, 1e6, 20_000, kernels: 4).Bound);
    }

    [Fact]
    public void Communication_kernels_are_communication_bound()
    {
        Assert.Equal(RooflineBound.Communication, Place(0, 1e9, 1_000_000, communication: true).Bound);
    }

    [Fact]
    public void Zero_time_zero_bytes_and_no_device_give_no_NaN_or_infinity()
    {
        var zeroTime = Place(1e9, 1e6, 0);
        Assert.Equal(0, zeroTime.AchievedFlopsPerSecond);
        Assert.Equal(0, zeroTime.AchievedBytesPerSecond);
        Assert.Equal(0, zeroTime.Efficiency);

        var zeroBytes = Place(1e9, 0, 1_000_000);
        Assert.Null(zeroBytes.Intensity);
        Assert.Equal(1e14, zeroBytes.CeilingFlopsPerSecond);
        Assert.Equal(0.01, zeroBytes.Efficiency!.Value, 12);
        Assert.Equal(RooflineBound.Compute, zeroBytes.Bound);

        var noDevice = Place(1e9, 1e6, 1_000_000, peak: null, bandwidth: null);
        Assert.Null(noDevice.CeilingFlopsPerSecond);
        Assert.Null(noDevice.Efficiency);
        Assert.Null(noDevice.PeakFlopsPerSecond);
        Assert.Equal(RooflineBound.Unknown, noDevice.Bound);
        Assert.False(noDevice.AboveRoofline);

        var bad = Place(double.NaN, double.PositiveInfinity, -5);
        Assert.All(new[] { bad.Flops, bad.Bytes, bad.AchievedFlopsPerSecond, bad.AchievedBytesPerSecond, bad.Efficiency ?? 0, bad.CeilingFlopsPerSecond ?? 0 },
            v => Assert.True(double.IsFinite(v)));
    }

    [Theory]
    [InlineData("bf16", CostUnit.Matrix, 100.0, "bf16 matrix")]
    [InlineData("fp32", CostUnit.Vector, 10.0, "fp32 vector")]
    [InlineData("fp32", CostUnit.Matrix, 10.0, "fp32 vector (no fp32 matrix peak)")]
    [InlineData("fp16", CostUnit.Matrix, 10.0, "fp32 vector (no fp16 peak)")]
    [InlineData("int64", CostUnit.Vector, 10.0, "fp32 vector (no peak for int64)")]
    [InlineData("bool", CostUnit.Vector, 10.0, "fp32 vector (no peak for bool)")]
    public void The_peak_falls_back_from_matrix_to_vector_then_to_fp32(string dtype, CostUnit unit, double tflops, string label)
    {
        var (peak, used) = RooflineAnalysis.PeakFor(Device, dtype, unit);
        Assert.Equal(tflops, peak!.Value.Tera, 9);
        Assert.Equal(label, used);
    }
}
