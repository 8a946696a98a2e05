using System.Globalization;
using Headroom.Analysis;
using Headroom.Analysis.Kernels;
using Headroom.Analysis.Roofline;
using Headroom.Hardware;
using Headroom.Ingest;
using Headroom.Model;
using Headroom.Tests.Support;
using Xunit;
using CostUnit = Headroom.Costs.ComputeUnit;

namespace Headroom.Tests.Analysis.Roofline;

/// <summary>The roofline over a synthetic trace with known shapes and kernel durations.</summary>
public sealed class RooflineAnalysisTests
{
    private static string TypedOp(string name, double ts, double dur, string dims, string types) =>
        $"{{\"ph\": \"X\", \"cat\": \"cpu_op\", \"name\": \"{name}\", \"pid\": 100, \"tid\": 1, \"ts\": {ts.ToString(CultureInfo.InvariantCulture)}, " +
        $"\"dur\": {dur.ToString(CultureInfo.InvariantCulture)}, \"args\": {{\"Input Dims\": {dims}, \"Input type\": {types}}}}}";

    private const string MmDims = "[[1024,2048],[2048,512]]";
    private const string Bf16x2 = "[\"c10::BFloat16\",\"c10::BFloat16\"]";

    /// <summary>
    /// aten::matmul (estimated) around aten::mm (estimated) around the launch of one 100 µs GEMM, twice; then an op
    /// without shapes launching a 3 µs elementwise kernel, and an all-reduce kernel.
    /// </summary>
    private static RankActivities Trace()
    {
        var b = new KinetoTraceBuilder();
        for (var k = 0; k < 2; k++)
        {
            var t = k * 1000.0;
            b.Raw(TypedOp("aten::matmul", t + 100, 50, MmDims, Bf16x2))
                .Raw(TypedOp("aten::mm", t + 105, 30, MmDims, Bf16x2))
                .Launch(10 + k, t + 110, 5)
                .Kernel("sm90_xmma_gemm_bf16bf16_bf16f32_f32_tn_n_tilesize128x128x64", t + 200, 100, 10 + k);
        }

        b.Op("aten::unknown_op", 3000, 10).Launch(20, 3002, 2).Kernel("void at::native::vectorized_elementwise_kernel<4>", 3100, 3, 20)
            .Kernel("ncclDevKernel_AllReduce_Sum_f32_RING_LL(ncclDevComm*, unsigned long, ncclWork*)", 3200, 50, -1, stream: 9);
        var load = TraceLoader.Load([b.WriteTemp()]);
        Assert.NotNull(load.Run);
        return RankActivities.Select(load.Run.Ranks[0], htaCompatible: false, jobHasSeveralSteps: false, new DiagnosticBag());
    }

    [Fact]
    public void An_mm_of_known_shapes_gives_its_exact_achieved_rate_charged_once_to_the_innermost_estimated_op()
    {
        var activities = Trace();
        var device = HardwareDetector.Detect(activities.Trace.Devices).Spec;
        Assert.Equal("h100-sxm", device?.Id);
        var result = RooflineAnalysis.Compute(activities, device);

        var op = Assert.Single(result.Ops);
        Assert.Equal("aten::mm", op.Name);
        Assert.Equal(MmDims, op.InputDims);
        Assert.Equal(2, op.Count);
        Assert.Equal(2, op.Kernels);
        Assert.Equal("bf16", op.DataType);
        Assert.Equal(CostUnit.Matrix, op.Unit);
        // 2·M·K·N = 2·1024·2048·512 = 2,147,483,648 FLOPs per call; bytes (1024·2048 + 2048·512 + 1024·512)·2 = 7,340,032.
        Assert.Equal(2 * 2_147_483_648d, op.Flops);
        Assert.Equal(2 * 7_340_032d, op.Bytes);
        Assert.Equal(200_000, op.TimeNs);
        // 2,147,483,648 FLOPs per 100 µs = 2.147483648e13 FLOP/s; 7,340,032 B per 100 µs = 7.340032e10 B/s.
        Assert.Equal(2.147483648e13, op.AchievedFlopsPerSecond, 1e-2);
        Assert.Equal(7.340032e10, op.AchievedBytesPerSecond, 1e-4);
        // H100 SXM: 989.4 TFLOP/s bf16 matrix, 3.35 TB/s. Intensity 292.57 < ridge 295.34: memory-bound, barely.
        Assert.Equal(989.4e12, op.PeakFlopsPerSecond!.Value, 1);
        Assert.Equal("bf16 matrix", op.Peak);
        Assert.Equal(2_147_483_648d / 7_340_032d, op.Intensity!.Value, 9);
        Assert.Equal(RooflineBound.Memory, op.Bound);
        Assert.Equal(op.Intensity!.Value * 3.35e12, op.CeilingFlopsPerSecond!.Value, 1);
        Assert.Equal(Math.Max(2.147483648e13 / 989.4e12, 7.340032e10 / 3.35e12), op.Efficiency!.Value, 12);
        Assert.False(op.AboveRoofline);
    }

    [Fact]
    public void Kernels_without_an_estimate_are_reported_per_category_and_coverage_counts_computation_only()
    {
        var result = RooflineAnalysis.Compute(Trace(), RooflineFormulaTests.Device);
        var elementwise = Assert.Single(result.Uncovered, u => u.Category != KernelCategory.Communication);
        Assert.Equal(1, elementwise.Kernels);
        Assert.Equal(3_000, elementwise.TimeNs);
        var comm = Assert.Single(result.Uncovered, u => u.Category == KernelCategory.Communication);
        Assert.Equal(RooflineBound.Communication, comm.Bound);
        Assert.Equal(50_000, comm.TimeNs);
        // Computation: 2 × 100 µs GEMM + 3 µs elementwise; covered 200 µs.
        Assert.Equal(203_000, result.ComputationTimeNs);
        Assert.Equal(200_000, result.CoveredComputationTimeNs);
        Assert.Equal(200.0 / 203.0, result.Coverage, 12);
        Assert.Equal(253_000, result.TotalTimeNs);
        Assert.Equal(200.0 / 253.0, result.CoverageOfAll, 12);
    }

    [Fact]
    public void Without_a_device_there_are_no_ceilings_and_the_bound_is_unknown()
    {
        var result = RooflineAnalysis.Compute(Trace(), device: null);
        var op = Assert.Single(result.Ops);
        Assert.Null(op.CeilingFlopsPerSecond);
        Assert.Null(op.Efficiency);
        Assert.Equal(RooflineBound.Unknown, op.Bound);
        Assert.Equal(2.147483648e13, op.AchievedFlopsPerSecond, 1e-2);
        Assert.Contains(result.Notes, n => n.Contains("--hardware", StringComparison.Ordinal));
    }

    [Fact]
    public void An_estimated_op_that_launches_kernels_itself_absorbs_its_estimated_children_so_nothing_is_counted_twice()
    {
        // aten::matmul launches a 40 µs kernel itself and encloses aten::mm launching a 60 µs one: the matmul's estimate
        // already covers the mm's work, so both kernels are charged to the matmul once (not matmul for 40 µs plus mm for 60 µs).
        var b = new KinetoTraceBuilder()
            .Raw(TypedOp("aten::matmul", 100, 100, MmDims, Bf16x2))
            .Launch(1, 105, 5)
            .Raw(TypedOp("aten::mm", 120, 30, MmDims, Bf16x2))
            .Launch(2, 125, 5)
            .Kernel("void at::native::vectorized_elementwise_kernel<4>", 300, 40, 1)
            .Kernel("sm90_xmma_gemm_bf16bf16_bf16f32_f32_tn_n_tilesize128x128x64", 400, 60, 2);
        var load = TraceLoader.Load([b.WriteTemp()]);
        Assert.NotNull(load.Run);
        var activities = RankActivities.Select(load.Run.Ranks[0], htaCompatible: false, jobHasSeveralSteps: false, new DiagnosticBag());
        var result = RooflineAnalysis.Compute(activities, RooflineFormulaTests.Device);

        var op = Assert.Single(result.Ops);
        Assert.Equal("aten::matmul", op.Name);
        Assert.Equal(1, op.Count);
        Assert.Equal(2, op.Kernels);
        Assert.Equal(100_000, op.TimeNs);
        Assert.Equal(2_147_483_648d, op.Flops);
        Assert.Equal(1.0, result.Coverage);
    }

    [Theory]
    [InlineData("[[1024,2048],[1000,512]]", "[\"c10::BFloat16\",\"c10::BFloat16\"]", "shape_mismatch", "inner dimensions differ")]
    [InlineData("[[1024,2048],[2048,512]]", "[\"c10::Weird\",\"c10::Weird\"]", "unknown_dtype", "")]
    [InlineData("[[-5,2048],[2048,512]]", "[\"float\",\"float\"]", "bad_dims", "")]
    public void Shapes_that_do_not_fit_the_formula_give_no_estimate_and_a_diagnostic_never_a_NaN(string dims, string types, string kind, string reason)
    {
        // Given an aten::mm whose recorded arguments cannot be costed, launching one GEMM
        var b = new KinetoTraceBuilder().Raw(TypedOp("aten::mm", 10, 20, dims, types)).Launch(1, 12, 5)
            .Kernel("sm90_xmma_gemm_bf16bf16_bf16f32", 100, 100, 1);
        var path = b.WriteTemp("bad-" + kind + ".json");

        // When analysed end to end as JSON
        var (code, stdout, _) = Headroom.Tests.Cli.CliRunner.Run("analyze", path, "--json");

        // Then the kernel is uncovered, the op is listed with its reason, a no-cost-estimate diagnostic names it, and no
        // number in the output is NaN or infinite
        Assert.Equal(0, code);
        using var doc = System.Text.Json.JsonDocument.Parse(stdout);
        var roofline = doc.RootElement.GetProperty("ranks")[0].GetProperty("roofline");
        Assert.Equal(0, roofline.GetProperty("ops").GetArrayLength());
        var none = Assert.Single(roofline.GetProperty("no_estimate").EnumerateArray());
        Assert.Equal("aten::mm", none.GetProperty("name").GetString());
        Assert.Equal(kind, none.GetProperty("reason_kind").GetString());
        Assert.Contains(reason, none.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Contains(doc.RootElement.GetProperty("diagnostics").EnumerateArray(), d => d.GetProperty("code").GetString() == "no-cost-estimate"
            && d.GetProperty("message").GetString()!.StartsWith("aten::mm: 1 calls", StringComparison.Ordinal));
        Assert.DoesNotContain("NaN", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Infinity", stdout, StringComparison.Ordinal);
    }
}
