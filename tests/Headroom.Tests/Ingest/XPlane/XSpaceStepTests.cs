using Headroom.Analysis;
using Headroom.Ingest;
using Headroom.Model;
using Headroom.Tests.Support;
using Xunit;

namespace Headroom.Tests.Ingest.XPlane;

/// <summary>
/// Steps and SparseCores in XSpaces, on small XSpaces written by <see cref="XSpaceBuilder"/> (none of the shared traces
/// has a device Steps line, a SparseCore plane or a JAX step annotation). Times below are in µs from the lines'
/// timestamps; the builder takes ps.
/// </summary>
public sealed class XSpaceStepTests
{
    private const long Us = 1_000_000; // ps
    private const long T0 = 5_000_000; // line timestamp, ns

    private static (TraceRun Run, AnalysisResult Result) Analyze(XSpaceBuilder space, AnalysisOptions? options = null)
    {
        var path = space.WriteTemp();
        try
        {
            var load = TraceLoader.Load([path]);
            Assert.Empty(load.Errors);
            return (load.Run!, TraceAnalysis.Analyze(load.Run!, options ?? new AnalysisOptions()));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>A TPU v6e chip running two steps of a fusion (4 µs, then 4 µs) and a convolution (4 µs, then 5 µs).</summary>
    private static XSpaceBuilder TwoTpuSteps(Func<XLineBuilder, XLineBuilder> steps)
    {
        var space = new XSpaceBuilder();
        var tpu = space.Plane("/device:TPU:0").Stat("device_type_string", "TPU v6 Lite");
        tpu.EventMetadata("%fusion.1 = f32[1024]{0} fusion(...)", ("flops", 1_024L), ("bytes_accessed", 8_192L), ("hlo_category", "loop fusion"),
            ("shape_with_layout", "f32[1024]{0}"));
        tpu.EventMetadata("%convolution.2 = bf16[128,128]{1,0} convolution(...)", ("flops", 2_000_000_000L), ("bytes_accessed", 1_000_000L),
            ("hlo_category", "convolution"), ("shape_with_layout", "bf16[128,128]{1,0}"));
        tpu.Line(1, "XLA Ops", T0)
            .Event("%fusion.1 = f32[1024]{0} fusion(...)", 0, 4 * Us)
            .Event("%convolution.2 = bf16[128,128]{1,0} convolution(...)", 4 * Us, 4 * Us)
            .Event("%fusion.1 = f32[1024]{0} fusion(...)", 10 * Us, 4 * Us)
            .Event("%convolution.2 = bf16[128,128]{1,0} convolution(...)", 14 * Us, 5 * Us);
        steps(tpu.Line(2, "Steps", T0));
        return space;
    }

    [Fact]
    public void TPU_steps_come_from_the_device_Steps_line()
    {
        // Given a TPU whose runtime marked two steps, [0, 10) µs and [10, 20) µs, on its Steps line (group_id = step)
        var space = TwoTpuSteps(steps => steps
            .Event("0", 0, 10 * Us, ("group_id", 0L))
            .Event("1", 10 * Us, 10 * Us, ("group_id", 1L)));

        // When it is analysed
        var (run, result) = Analyze(space);

        // Then the rank has those two steps, each the marker's span holding the ops that start in it
        var rank = result.Ranks.Single();
        Assert.Equal([0L, 1L], rank.Steps.Select(s => s.Step.Number));
        Assert.Equal([T0, T0 + 10_000], rank.Steps.Select(s => s.Step.WindowStartNs!.Value));
        Assert.Equal([10_000L, 10_000L], rank.Steps.Select(s => s.Step.WindowNs));
        Assert.Equal([2, 2], rank.Steps.Select(s => s.Step.ActivityCount));
        Assert.Equal([8_000L, 9_000L], rank.Steps.Select(s => s.Breakdown.BusyNs));
        Assert.Equal([2_000L, 1_000L], rank.Steps.Select(s => s.Breakdown.IdleNs));
        // MFU is per step: the convolution's 2e9 model FLOPs in 10 µs against the v6e's 918 TFLOP/s bf16 peak
        Assert.Equal([0L, 1L], rank.Mfu.Steps.Select(s => s.Step!.Value));
        Assert.All(rank.Mfu.Steps, s => Assert.Equal(2e9 / (918e12 * 10e-6), s.Mfu!.Value, 9));
        Assert.DoesNotContain(result.Diagnostics, d => d.Code == "no-step-annotations");
        // The markers are kept (as stream 4 annotations) and counted as the device's events
        Assert.Equal(6, run.Ranks[0].Census.Count(EventDisposition.Gpu));
    }

    [Fact]
    public void A_step_range_selects_the_TPU_steps_by_their_numbers()
    {
        var space = TwoTpuSteps(steps => steps
            .Event("0", 0, 10 * Us, ("group_id", 0L))
            .Event("1", 10 * Us, 10 * Us, ("group_id", 1L)));

        // When only step 1 is asked for
        var (_, result) = Analyze(space, new AnalysisOptions { Steps = new StepRange(1, 1) });

        // Then the analysed window is that step's: 10 µs, 9 of them busy
        var rank = result.Ranks.Single();
        Assert.Equal(10_000, rank.Overall.WindowNs);
        Assert.Equal(9_000, rank.Overall.BusyNs);
        Assert.Equal(1L, Assert.Single(rank.Steps).Step.Number);
    }

    public static TheoryData<string, string, long, long> MarkerNames() => new()
    {
        // first marker's name, second's, expected numbers: group_id absent, so the number in the name, else the ordinal
        { "Step 7", "Step 8", 7, 8 },
        { "41", "42", 41, 42 },
        { "warmup", "steady", 0, 1 },
    };

    [Theory]
    [MemberData(nameof(MarkerNames))]
    public void A_device_step_marker_without_group_id_is_numbered_by_its_name(string first, string second, long firstNumber, long secondNumber)
    {
        var space = TwoTpuSteps(steps => steps.Event(first, 0, 10 * Us).Event(second, 10 * Us, 10 * Us));

        var (_, result) = Analyze(space);

        var rank = result.Ranks.Single();
        Assert.Equal([firstNumber, secondNumber], rank.Steps.Select(s => s.Step.Number));
        Assert.Equal([first, second], rank.Steps.Select(s => s.Step.Name));
    }

    [Fact]
    public void SparseCore_ops_are_their_chips_activities_on_their_own_stream()
    {
        // Given two TPU chips running a 10 µs op each, and chip 1's SparseCore 0 running a 10 µs gather from 5 µs
        var space = new XSpaceBuilder();
        foreach (var chip in new[] { 0, 1 })
        {
            space.Plane($"/device:TPU:{chip}").Stat("device_type_string", "TPU v6 Lite")
                .Line(1, "XLA Ops", T0).Event("%fusion.1 = f32[8]{0} fusion(...)", 0, 10 * Us);
        }

        var sparse = space.Plane("/device:TPU:1 SparseCore 0");
        sparse.Line(1, "Sparse Core Ops", T0).Event("sc_gather.3", 5 * Us, 10 * Us);
        sparse.Line(2, "Sparse Core Modules", T0).Event("jit_lookup(7)", 5 * Us, 10 * Us);
        sparse.Line(3, "Sparse Core Steps", T0).Event("0", 5 * Us, 10 * Us);

        var (run, result) = Analyze(space);

        // Then the SparseCore is part of chip 1 (rank 1), beside its TensorCore: busy 15 µs, not 20
        Assert.Equal(2, run.Ranks.Count);
        var chip1 = run.Ranks[1];
        var activities = Enumerable.Range(0, chip1.Gpu.Count).Where(chip1.Gpu.IsActivity).ToList();
        Assert.Equal([0, 100], activities.Select(g => chip1.Gpu.Stream[g]).Order());
        Assert.Equal(15_000, result.Ranks[1].Overall.BusyNs);
        Assert.Equal(10_000, result.Ranks[0].Overall.BusyNs);
        // No device of its own: the chip is the device
        Assert.Equal([1], chip1.Devices.Select(d => d.Id));
        // Every event is counted: the op and module on chip 1's rank, the SparseCore steps line as derived
        Assert.Equal(4, chip1.Census.Count(EventDisposition.Gpu) + chip1.Census.Count(EventDisposition.Derived));
    }

    [Fact]
    public void JAX_host_step_annotations_give_every_GPU_rank_its_steps()
    {
        // Given two GPUs driven by one JAX process whose host wrapped two steps in StepTraceAnnotation("train", step_num=N):
        // step 1 [50, 150) µs launched kernels 1 and 2 on GPU 0; step 2 [150, 250) µs launched kernel 3 on GPU 0 and 4 on GPU 1
        var space = new XSpaceBuilder();
        var host = space.Plane("/host:CPU");
        host.Line(11, "python", 0)
            .Event("train", 50 * Us, 100 * Us, ("step_num", 1L))
            .Event("train", 150 * Us, 100 * Us, ("step_num", 2L));
        host.Line(12, "runtime", 0)
            .Event("hipLaunchKernel", 60 * Us, 2 * Us, ("correlation_id", 1L))
            .Event("hipLaunchKernel", 70 * Us, 2 * Us, ("correlation_id", 2L))
            .Event("hipLaunchKernel", 160 * Us, 2 * Us, ("correlation_id", 3L))
            .Event("hipLaunchKernel", 170 * Us, 2 * Us, ("correlation_id", 4L));
        space.Plane("/device:GPU:0").Stat("device_vendor", "AMD").Line(7, "Stream #7(Kernel)", 0)
            .Event("gemm_kernel", 100 * Us, 10 * Us, ("correlation_id", 1L))
            .Event("add_kernel", 120 * Us, 5 * Us, ("correlation_id", 2L))
            .Event("gemm_kernel", 220 * Us, 10 * Us, ("correlation_id", 3L));
        space.Plane("/device:GPU:1").Stat("device_vendor", "AMD").Line(7, "Stream #7(Kernel)", 0)
            .Event("gemm_kernel", 230 * Us, 10 * Us, ("correlation_id", 4L));

        var (_, result) = Analyze(space);

        // Then each GPU's rank has the host's steps, mapped onto the device work they launched
        Assert.Equal(2, result.Ranks.Count);
        var gpu0 = result.Ranks[0].Steps;
        Assert.Equal([1L, 2L], gpu0.Select(s => s.Step.Number));
        Assert.Equal(["train", "train"], gpu0.Select(s => s.Step.Name));
        Assert.Equal([2, 1], gpu0.Select(s => s.Step.ActivityCount));
        Assert.Equal(100_000, gpu0[0].Step.WindowStartNs);
        Assert.Equal(220_000, gpu0[0].Step.WindowEndNs); // the next step's first kernel
        Assert.Equal(15_000, gpu0[0].Breakdown.BusyNs);
        var gpu1 = result.Ranks[1].Steps;
        Assert.Equal([1L, 2L], gpu1.Select(s => s.Step.Number));
        Assert.Equal([0, 1], gpu1.Select(s => s.Step.ActivityCount));
        Assert.Equal(230_000, gpu1[1].Step.WindowStartNs);
    }

    [Fact]
    public void JAX_host_step_annotations_give_a_TPU_its_steps_through_the_programs_the_host_enqueued()
    {
        // Given a TPU running one program per step: the host enqueues it (DoEnqueueProgram, context id _p) inside
        // StepTraceAnnotation("train", step_num=N), and the chip runs it later (XLA Modules event consuming that id, _c)
        // with two ops inside: step 7 enqueued at 10 µs and run at [100, 130) µs, step 8 enqueued at 50 µs, run at [140, 170) µs
        var space = new XSpaceBuilder();
        var host = space.Plane("/host:CPU");
        host.Line(1, "python", 0)
            .Event("train", 5 * Us, 40 * Us, ("step_num", 7L))
            .Event("train", 45 * Us, 40 * Us, ("step_num", 8L));
        host.Line(2, "tfrt-non-blocking-queue", 0)
            .Event("DoEnqueueProgram", 10 * Us, 2 * Us, ("_p", 1001L), ("run_id", 1L))
            .Event("DoEnqueueProgram", 50 * Us, 2 * Us, ("_p", 1002L), ("run_id", 2L));
        var tpu = space.Plane("/device:TPU:0").Stat("device_type_string", "TPU v6 Lite");
        tpu.Line(1, "XLA Modules", 0)
            .Event("jit_step(5)", 100 * Us, 30 * Us, ("_c", 1001L), ("run_id", 1L))
            .Event("jit_step(5)", 140 * Us, 30 * Us, ("_c", 1002L), ("run_id", 2L));
        tpu.Line(2, "XLA Ops", 0)
            .Event("%fusion.1 = f32[8]{0} fusion(...)", 100 * Us, 10 * Us).Event("%fusion.2 = f32[8]{0} fusion(...)", 115 * Us, 10 * Us)
            .Event("%fusion.1 = f32[8]{0} fusion(...)", 140 * Us, 10 * Us).Event("%fusion.2 = f32[8]{0} fusion(...)", 155 * Us, 10 * Us);

        var (run, result) = Analyze(space);

        // Then every op is linked to the enqueue of its program (one launch call per program run, no launch missing)
        var rank = run.Ranks.Single();
        var ops = Enumerable.Range(0, rank.Gpu.Count).Where(rank.Gpu.IsActivity).ToList();
        Assert.All(ops, g => Assert.Equal("DoEnqueueProgram", rank.Strings[rank.Cpu.Name[rank.Gpu.Launcher[g]]]));
        Assert.DoesNotContain(result.Diagnostics, d => d.Code == "gpu-event-without-launch");
        var analysis = result.Ranks.Single();
        Assert.Equal((4, 2), (analysis.Launch.Summary.Count, analysis.Launch.Summary.LaunchCalls));
        Assert.Equal(88_000, analysis.Launch.Summary.LaunchDelay.MinNs); // run at 100 µs, enqueue ended at 12 µs (step 8: 140 - 52)

        // And the host steps map onto the device through them: step 7 from its first op to step 8's, step 8 its own ops
        Assert.Equal([7L, 8L], analysis.Steps.Select(s => s.Step.Number));
        Assert.Equal([2, 2], analysis.Steps.Select(s => s.Step.ActivityCount));
        Assert.Equal((100_000L, 140_000L), (analysis.Steps[0].Step.WindowStartNs!.Value, analysis.Steps[0].Step.WindowEndNs!.Value));
        Assert.Equal((140_000L, 165_000L), (analysis.Steps[1].Step.WindowStartNs!.Value, analysis.Steps[1].Step.WindowEndNs!.Value));
    }
}
