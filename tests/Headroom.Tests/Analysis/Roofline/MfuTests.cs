using Headroom.Analysis;
using Headroom.Ingest;
using Headroom.Model;
using Headroom.Tests.Support;
using Xunit;

namespace Headroom.Tests.Analysis.Roofline;

/// <summary>
/// MFU = model matrix FLOPs / (peak × step time) (MLPerf), checked by hand on one step of a real H100 and a real A100
/// trace. The FLOPs below were summed from the traces' "Input Dims" by a separate script (not Headroom's cost model),
/// the step windows from the kernels launched inside each ProfilerStep (first device start to the next step's first
/// device start, or to the last end for the last step), and the peaks are the catalog's datasheet figures.
/// </summary>
public sealed class MfuTests
{
    private static RankAnalysis Analyze(string trace)
    {
        var load = TraceLoader.Load([SharedData.Require(Path.Combine("traces", "kineto", trace))]);
        Assert.NotNull(load.Run);
        return TraceAnalysis.AnalyzeRank(load.Run.Ranks[0], new AnalysisOptions(), jobHasSeveralSteps: false, new DiagnosticBag());
    }

    [Fact]
    public void H100_BERT_inference_step_6_worked_by_hand()
    {
        var rank = Analyze("tracelens-h100-bert-small-infer.json.gz");
        Assert.Equal("h100-sxm", rank.Hardware.Spec?.Id);

        // ProfilerStep#6 launched 60 kernels: first starts at 1419247333430.849 µs, last ends at 1419247337338.674 µs.
        const long stepNs = 3_907_825;
        // addmm: 2·M·K·N + M·N; flash attention forward (not causal): 4·B·H·Lq·Lk·D. All bf16, M = 141 tokens.
        var flops =
            17 * (2.0 * 141 * 512 * 512 + 141 * 512)        // 17 × 73,996,800   (Q, K, V, output and pooler projections)
            + 4 * (2.0 * 141 * 2048 * 512 + 141 * 512)      // 4 × 295,770,624   (FFN down)
            + 4 * (2.0 * 141 * 512 * 2048 + 141 * 2048)     // 4 × 295,987,200   (FFN up)
            + 1 * (2.0 * 141 * 512 * 30522 + 141 * 30522)   // 1 × 4,411,192,050 (vocabulary projection)
            + 4 * (4.0 * 1 * 8 * 141 * 141 * 64);           // 4 × 40,716,288    (attention, 8 heads of 64)
        Assert.Equal(8_199_034_098d, flops);
        const double bf16Peak = 989.4e12; // H100 SXM dense bf16 tensor-core peak
        var expected = flops / bf16Peak / (stepNs / 1e9); // 0.0021206

        var step = Assert.Single(rank.Mfu.Steps);
        Assert.Equal(6, step.Step);
        Assert.Equal(stepNs, step.TimeNs);
        Assert.Equal(flops, step.ModelFlops);
        Assert.Equal(expected, step.Mfu!.Value, 12);
        Assert.Equal(0.0021206, step.Mfu.Value, 6);
        Assert.Equal(step.Mfu, step.Hfu); // no activation checkpointing
        Assert.Equal(["bf16 matrix 989.4 TFLOP/s"], rank.Mfu.Peak);
        Assert.Equal(1.0, rank.Mfu.MatrixCoverage);
    }

    [Fact]
    public void A100_recommender_step_1009_worked_by_hand_with_TF32_and_fp32_GEMMs()
    {
        var rank = Analyze("hta-diff-pair/control-a100-rank3of8.json.gz");
        Assert.Equal("a100-sxm4-40gb", rank.Hardware.Spec?.Id);

        // ProfilerStep#1009: device window 1661203462599325 → 1661203462674792 µs (next step's first device start).
        const long stepNs = 75_467_000;
        // 156 mm/addmm/bmm calls with fp32 inputs. Those whose kernels are TF32 tensor-core kernels (ampere_sgemm... no;
        // sm80_xmma_gemm_..._tf32 / s1688gemm names) run at the TF32 peak; the rest (cutlass/sgemm fp32 kernels, e.g. the
        // 98304×15×15 addmm and the K=1 bmms) at the fp32 peak.
        const double tf32Flops = 329_805_038_592;
        const double fp32Flops = 14_980_783_104;
        const double tf32Peak = 156e12, fp32Peak = 19.5e12; // A100 dense TF32 tensor-core and fp32 CUDA-core peaks
        var expected = (tf32Flops / tf32Peak + fp32Flops / fp32Peak) / (stepNs / 1e9); // 0.038194

        var step = Assert.Single(rank.Mfu.Steps, s => s.Step == 1009);
        Assert.Equal(stepNs, step.TimeNs);
        Assert.Equal(tf32Flops + fp32Flops, step.ModelFlops);
        Assert.Equal(expected, step.Mfu!.Value, 12);
        Assert.Equal(0.038194, step.Mfu.Value, 6);
        Assert.Equal("tf32 matrix 156 TFLOP/s", rank.Mfu.Peak[0]);
        Assert.Equal(6, rank.Mfu.Steps.Count);
    }

    private static RankAnalysis Synthetic(bool checkpointed, string device = "NVIDIA H100 80GB HBM3")
    {
        // Step 1: one forward mm (2·1024·2048·512 FLOPs) in 100 µs; under checkpointing the same mm again inside
        // CheckpointFunctionBackward (recomputation) in another 100 µs.
        const string dims = "[[1024,2048],[2048,512]]";
        var b = new KinetoTraceBuilder().Step(1, 0, 1000);
        b.Raw(Op("aten::mm", 10, 20, dims)).Launch(1, 12, 5).Kernel("sm90_xmma_gemm_bf16bf16_bf16f32", 100, 100, 1);
        if (checkpointed)
        {
            b.Op("CheckpointFunctionBackward", 300, 100).Raw(Op("aten::mm", 310, 20, dims)).Launch(2, 312, 5)
                .Kernel("sm90_xmma_gemm_bf16bf16_bf16f32", 400, 100, 2);
        }

        var path = b.WriteTemp("mfu-" + checkpointed + ".json");
        var text = File.ReadAllText(path).Replace("NVIDIA H100 80GB HBM3", device, StringComparison.Ordinal);
        File.WriteAllText(path, text);
        var load = TraceLoader.Load([path]);
        Assert.NotNull(load.Run);
        return TraceAnalysis.AnalyzeRank(load.Run.Ranks[0], new AnalysisOptions(), jobHasSeveralSteps: false, new DiagnosticBag());
    }

    private static string Op(string name, double ts, double dur, string dims) =>
        $"{{\"ph\": \"X\", \"cat\": \"cpu_op\", \"name\": \"{name}\", \"pid\": 100, \"tid\": 1, \"ts\": {ts}, \"dur\": {dur}, \"args\": {{\"Input Dims\": {dims}, \"Input type\": [\"c10::BFloat16\",\"c10::BFloat16\"]}}}}";

    [Fact]
    public void Recomputed_forward_ops_count_in_HFU_but_not_in_MFU()
    {
        var plain = Synthetic(checkpointed: false).Mfu;
        var checkpointed = Synthetic(checkpointed: true).Mfu;

        const double mm = 2.0 * 1024 * 2048 * 512;
        var s = Assert.Single(checkpointed.Steps);
        Assert.Equal(mm, s.ModelFlops);
        Assert.Equal(2 * mm, s.HardwareFlops);
        Assert.Equal(mm, checkpointed.RecomputedFlops);
        // Step window: first kernel start (100 µs) to last end (500 µs) = 400 µs.
        Assert.Equal(400_000, s.TimeNs);
        Assert.Equal(mm / 989.4e12 / 400e-6, s.Mfu!.Value, 12);
        Assert.Equal(2 * s.Mfu.Value, s.Hfu!.Value, 12);
        Assert.Equal(Assert.Single(plain.Steps).Mfu, Assert.Single(plain.Steps).Hfu);
        Assert.Equal(0, plain.RecomputedFlops);
    }

    [Fact]
    public void Without_a_catalog_device_MFU_is_null_but_the_FLOPs_are_counted()
    {
        var mfu = Synthetic(checkpointed: false, device: "Imaginary Accelerator 9000").Mfu;
        var s = Assert.Single(mfu.Steps);
        Assert.Null(mfu.Mfu);
        Assert.Null(s.Mfu);
        Assert.Equal(2.0 * 1024 * 2048 * 512, s.ModelFlops);
        Assert.Empty(mfu.Peak);
    }
}
