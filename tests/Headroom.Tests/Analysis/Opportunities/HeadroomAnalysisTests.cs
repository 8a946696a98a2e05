using System.Globalization;
using Headroom.Analysis;
using Headroom.Analysis.Distributed;
using Headroom.Analysis.Opportunities;
using Headroom.Ingest;
using Headroom.Model;
using Headroom.Tests.Support;
using Xunit;

namespace Headroom.Tests.Analysis.Opportunities;

/// <summary>The ranked opportunities on synthetic traces whose savings can be worked by hand.</summary>
public sealed class HeadroomAnalysisTests
{
    private const string Gemm = "sm90_xmma_gemm_bf16bf16_bf16f32_f32_tn_n_tilesize128x128x64";
    private const string Elementwise = "void at::native::vectorized_elementwise_kernel<4>";
    private const string AllReduce = "ncclDevKernel_AllReduce_Sum_f32_RING_LL(ncclDevComm*, unsigned long, ncclWork*)";
    private const string MmDims = "[[1024,2048],[2048,512]]";

    private static RankAnalysis Analyze(KinetoTraceBuilder b, string name)
    {
        var load = TraceLoader.Load([b.WriteTemp(name + ".json")]);
        Assert.NotNull(load.Run);
        return TraceAnalysis.AnalyzeRank(load.Run.Ranks[0], new AnalysisOptions(), jobHasSeveralSteps: false, new DiagnosticBag());
    }

    private static string Mm(double ts) =>
        string.Create(CultureInfo.InvariantCulture, $"{{\"ph\": \"X\", \"cat\": \"cpu_op\", \"name\": \"aten::mm\", \"pid\": 100, \"tid\": 1, \"ts\": {ts}, \"dur\": 20, ") +
        $"\"args\": {{\"Input Dims\": {MmDims}, \"Input type\": [\"c10::BFloat16\",\"c10::BFloat16\"]}}}}";

    [Fact]
    public void Device_idle_waiting_on_the_host_is_time_saved_per_step()
    {
        // Given two steps whose kernels are each launched after the previous kernel ended
        var b = new KinetoTraceBuilder().Step(1, 0, 1000).Step(2, 1000, 1000);
        b.LaunchedKernel("aten::relu", Elementwise, 1, 10, 20, 100).LaunchedKernel("aten::relu", Elementwise, 2, 500, 510, 100)
            .LaunchedKernel("aten::relu", Elementwise, 3, 1010, 1020, 100).LaunchedKernel("aten::relu", Elementwise, 4, 1500, 1510, 100);

        // When analysed
        var h = Analyze(b, "idle").Headroom;

        // Then windows [20,1020) and [1020,1610) µs hold 400 µs of kernels: 1190 µs idle over 2 steps = 595 µs per step, 74.8%
        Assert.Equal(2, h.Steps);
        Assert.Equal(795_000, h.StepTimeNs);
        var idle = Assert.Single(h.Items, i => i.Kind == HeadroomKind.DeviceIdle);
        Assert.Equal(595_000, idle.SavingNsPerStep);
        Assert.Equal(1190.0 / 1590, idle.ShareOfStep, 9);
        Assert.Equal(HeadroomBound.Host, idle.Bound);
        Assert.Equal("GPU idle 75% of the step waiting on the host", idle.Title);
        Assert.Contains("100% is host wait", idle.Evidence);
        Assert.Contains("CUDA graphs", idle.Suggestion);
        Assert.Equal(h.Items[0], idle); // the largest item ranks first
    }

    [Theory]
    // No other stream: all 100 µs exposed. Another stream over 40 µs of it: 60 µs exposed. Over all of it: nothing to save.
    [InlineData(0, 100_000)]
    [InlineData(40, 60_000)]
    [InlineData(100, 0)]
    public void Op_time_hidden_by_another_stream_is_not_a_saving_of_the_step(double hiddenUs, long exposedNs)
    {
        // Given an aten::mm (bf16 1024×2048 · 2048×512) whose 100 µs kernel is overlapped by a kernel on stream 8 for hiddenUs
        var b = new KinetoTraceBuilder().Raw(Mm(10)).Launch(1, 12, 5).Kernel(Gemm, 100, 100, 1);
        if (hiddenUs > 0)
        {
            b.Kernel("some_other_kernel", 100, hiddenUs, -1, stream: 8);
        }

        // When analysed
        var rank = Analyze(b, "hidden-" + hiddenUs);

        // Then the roofline op's exposed time is what no other stream covers, and the saving is exposed × (1 − eff / 80%)
        var op = Assert.Single(rank.Roofline.Ops);
        Assert.Equal(exposedNs, op.ExposedNs);
        var item = rank.Headroom.Items.SingleOrDefault(i => i.Kind == HeadroomKind.BelowRoofline);
        if (exposedNs == 0)
        {
            Assert.Null(item);
            return;
        }

        Assert.NotNull(item);
        // 7,340,032 bytes in 100 µs = 73.4 GB/s of H100's 3.35 TB/s: efficiency 2.19%, memory-bound (intensity 292.6 < ridge 295.3).
        var efficiency = 7.340032e10 / 3.35e12;
        Assert.Equal((long)Math.Round(exposedNs * (1 - efficiency / HeadroomAnalysis.MemoryTarget)), item.SavingNsPerStep);
        Assert.Equal(HeadroomBound.Memory, item.Bound);
        Assert.Equal("aten::mm [M=1024 K=2048 N=512] memory-bound at 2% of memory bandwidth", item.Title);
        Assert.Equal("aten::mm", item.Op);
        Assert.True(rank.Headroom.PerWindow);
        Assert.Equal(100_000, rank.Headroom.StepTimeNs); // the window: the mm kernel (and the hiding kernel inside it)
    }

    public static TheoryData<string, string, string, double, string, string> GemmAdvice() => new()
    {
        // bf16 4096×64·64×4096: 2,147,483,648 FLOPs, 34,603,008 B, intensity 62 < ridge 295: memory-bound; 34.6 MB in 33 µs
        // = 1.049 TB/s = 31.3% of 3.35 TB/s.
        { "[[4096,64],[64,4096]]", "c10::BFloat16", Gemm, 33, "aten::mm [M=4096 K=64 N=4096] memory-bound at 31% of memory bandwidth", "K=64 under-fills the matrix units' tiles" },
        // fp32 4096³ on an sgemm (not TF32) kernel: 137,438,953,472 FLOPs at the fp32 vector peak 66.9 TFLOP/s (H100 has
        // no fp32 matrix peak); 5,870 µs = 23.41 TFLOP/s = 35.0%. bf16's matrix peak is 989.4 / 66.9 = 14.8× higher.
        { "[[4096,4096],[4096,4096]]", "float", "ampere_sgemm_128x64_nn", 5870, "aten::mm [M=4096 K=4096 N=4096] at 35% of fp32 vector peak", "autocast to bf16, whose peak is 14.8× the fp32 one" },
        // bf16 8192×8190·8190×8192: compute-bound; 1,099,243,192,320 FLOPs in 2,500 µs = 439.7 TFLOP/s = 44.4% of 989.4.
        { "[[8192,8190],[8190,8192]]", "c10::BFloat16", Gemm, 2500, "aten::mm [M=8192 K=8190 N=8192] at 44% of bf16 matrix peak", "pad K=8190 to a multiple of 8" },
    };

    [Theory]
    [MemberData(nameof(GemmAdvice))]
    public void A_GEMM_below_its_roofline_gets_a_title_with_its_shape_and_advice_from_it(string dims, string type, string kernel, double us,
        string title, string advice)
    {
        // Given one mm call of the shape and dtype, run by one kernel of the given duration on an H100
        var op = string.Create(CultureInfo.InvariantCulture, $"{{\"ph\": \"X\", \"cat\": \"cpu_op\", \"name\": \"aten::mm\", \"pid\": 100, \"tid\": 1, \"ts\": 10, \"dur\": 20, ") +
            $"\"args\": {{\"Input Dims\": {dims}, \"Input type\": [\"{type}\",\"{type}\"]}}}}";
        var b = new KinetoTraceBuilder().Raw(op).Launch(1, 12, 5).Kernel(kernel, 100, us, 1);

        // When analysed
        var item = Assert.Single(Analyze(b, "gemm-" + us).Headroom.Items, i => i.Kind == HeadroomKind.BelowRoofline);

        // Then
        Assert.Equal(title, item.Title);
        Assert.Contains(advice, item.Suggestion, StringComparison.Ordinal);
    }

    [Fact]
    public void Exposed_collective_is_listed_and_the_part_under_computation_is_not()
    {
        // Given a 50 µs all-reduce, its first 20 µs under a GEMM on another stream
        var b = new KinetoTraceBuilder().LaunchedKernel("aten::mm", Gemm, 1, 0, 100, 120)
            .Kernel(AllReduce, 200, 50, -1, stream: 20);

        // When analysed
        var h = Analyze(b, "comm").Headroom;

        // Then 30 µs is exposed communication, in a 150 µs window (per window: no steps)
        var item = Assert.Single(h.Items, i => i.Kind == HeadroomKind.ExposedCommunication);
        Assert.Equal(30_000, item.SavingNsPerStep);
        Assert.Equal(0.2, item.ShareOfStep, 9);
        Assert.Equal("exposed all_reduce is 20% of the window: overlap or bucket it", item.Title);
        Assert.Equal(HeadroomBound.Communication, item.Bound);
        Assert.Contains("DDP", item.Suggestion);
    }

    [Fact]
    public void Elementwise_chain_between_two_GEMMs_saves_all_but_its_longest_kernel()
    {
        // Given GEMM, then add (10 µs), mul (10 µs), gelu (30 µs) back to back, then GEMM, on one stream
        var b = new KinetoTraceBuilder()
            .LaunchedKernel("aten::mm", Gemm, 1, 0, 100, 100)
            .LaunchedKernel("aten::add", Elementwise, 2, 20, 200, 10)
            .LaunchedKernel("aten::mul", Elementwise, 3, 40, 210, 10)
            .LaunchedKernel("aten::gelu", Elementwise, 4, 60, 220, 30)
            .LaunchedKernel("aten::mm", Gemm, 5, 80, 250, 100);

        // When analysed
        var h = Analyze(b, "chain").Headroom;

        // Then one chain of 3 kernels whose fused form is taken to last 30 µs: saves 20 µs of a 250 µs window
        var chain = Assert.Single(h.Items, i => i.Kind == HeadroomKind.FusionChain);
        Assert.Equal(20_000, chain.SavingNsPerStep);
        Assert.Equal(0.08, chain.ShareOfStep, 9);
        Assert.Equal("memory-bound elementwise chain between two matrix ops (3 kernels, 1 per window): fuse it", chain.Title);
        Assert.Contains("aten::add → aten::mul → aten::gelu", chain.Evidence);
        Assert.Contains("epilogue", chain.Suggestion);
    }

    [Fact]
    public void A_straggler_costs_the_job_the_time_the_others_wait_for_it()
    {
        // Given 8 ranks × 10 steps × 3 collectives, rank 5 starting every collective 1.5 ms late
        var job = new MultiRankJobBuilder { CollectiveDelayNs = { [5] = 1_500_000 } };
        var collectives = CollectiveAnalysis.Analyze(job.Summaries());
        var straggler = collectives.Stragglers.Ranks.Single(r => r.Rank == 5);

        // When the job-level headroom is computed
        var h = HeadroomAnalysis.ForJob(collectives);

        // Then rank 5 is listed with its cost spread over the 10 steps
        var item = Assert.Single(h.Items);
        Assert.Equal(5, item.Rank);
        Assert.Equal(HeadroomKind.Straggler, item.Kind);
        Assert.Equal(HeadroomBound.Imbalance, item.Bound);
        Assert.Equal(10, h.Steps);
        Assert.Equal((long)Math.Round(straggler.CostNs / 10.0), item.SavingNsPerStep);
        Assert.InRange(item.SavingNsPerStep, 3 * 1_500_000 * 0.95, 3 * 1_500_000 * 1.05); // 3 collectives per step, 1.5 ms each
        Assert.StartsWith("rank 5 is last into 100% of collectives", item.Title, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_catalog_device_only_the_device_independent_items_remain()
    {
        // Given an unknown device: roofline items need ceilings; idle does not
        var b = new KinetoTraceBuilder().Raw(Mm(10)).Launch(1, 12, 5).Kernel(Gemm, 100, 100, 1)
            .LaunchedKernel("aten::relu", Elementwise, 2, 500, 600, 100);
        var path = b.WriteTemp("unknown-device.json");
        File.WriteAllText(path, File.ReadAllText(path).Replace("NVIDIA H100 80GB HBM3", "Imaginary Accelerator 9000", StringComparison.Ordinal));
        var load = TraceLoader.Load([path]);
        Assert.NotNull(load.Run);
        var rank = TraceAnalysis.AnalyzeRank(load.Run.Ranks[0], new AnalysisOptions(), jobHasSeveralSteps: false, new DiagnosticBag());

        Assert.Null(rank.Hardware.Spec);
        Assert.DoesNotContain(rank.Headroom.Items, i => i.Kind is HeadroomKind.BelowRoofline or HeadroomKind.ShortKernels);
        var idle = Assert.Single(rank.Headroom.Items, i => i.Kind == HeadroomKind.DeviceIdle);
        Assert.Equal(400_000, idle.SavingNsPerStep); // window [100, 700) µs, 200 µs busy
    }
}
