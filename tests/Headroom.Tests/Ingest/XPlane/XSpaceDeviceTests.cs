using Headroom.Analysis;
using Headroom.Ingest;
using Headroom.Tests.Support;
using Xunit;

namespace Headroom.Tests.Ingest.XPlane;

/// <summary>Device capabilities an XSpace reports, and what they are used for.</summary>
public sealed class XSpaceDeviceTests
{
    [Fact]
    public void Device_capabilities_are_read_from_the_device_planes()
    {
        // Given the MI300X GEMM benchmark and the TPU v6e run
        var gpu = TraceLoader.Load([SharedData.Require("traces/xplane/tracelens-mi300x-jax-gemm.xplane.pb")]).Run!.Ranks[0].Devices[0];
        var tpu = TraceLoader.Load([SharedData.Require("traces/xplane/xprof-tpu-v6e-4chip-jax-inference.xplane.pb")]).Run!.Ranks[0].Devices[0];

        // Then the GPU plane's clock (kHz), CUs, memory, compute capability and bandwidth are the device's
        Assert.Equal((2_100_000L, 304, 206_141_652_992L, "9.4", 2.6624e12), (gpu.ClockRateKHz, gpu.MultiprocessorCount, gpu.TotalMemoryBytes,
            gpu.ComputeCapability, gpu.MemoryBandwidthBytesPerSecond));
        Assert.Equal(0, gpu.PeakFlopsPerSecond); // a GPU plane reports no peak

        // And the TPU plane's peak and HBM bandwidth are XProf's figures
        Assert.Equal(("TPU v6 Lite", 918e12), (tpu.Name, tpu.PeakFlopsPerSecond));
        Assert.Equal(1_637.993152512e9, tpu.MemoryBandwidthBytesPerSecond, 1.0);
    }

    [Fact]
    public void A_known_device_keeps_the_catalog_figures_over_the_reported_ones()
    {
        // Given the MI300X run, whose ROCm runtime reports 2.66 TB/s for HBM3 the datasheet gives 5.3 TB/s
        var load = TraceLoader.Load([SharedData.Require("traces/xplane/tracelens-mi300x-jax-gemm.xplane.pb")]);
        var rank = TraceAnalysis.Analyze(load.Run!, new AnalysisOptions()).Ranks[0];

        // Then the catalog's MI300X is used
        Assert.Equal("mi300x", rank.Hardware.Spec!.Id);
        Assert.Equal(5.3e12, rank.Hardware.Spec.MemoryBandwidth.BytesPerSecond);
    }

    [Fact]
    public void A_TPU_outside_the_catalog_is_measured_against_the_peaks_its_trace_reports()
    {
        // Given a TPU the catalog does not know, reporting 500 TFLOP/s and 1 TB/s, running a 1 GFLOP, 1 MB convolution in 10 µs
        var space = new XSpaceBuilder();
        var plane = space.Plane("/device:TPU:0").Stat("device_type_string", "TPU v99")
            .Stat("peak_teraflops_per_second", 500.0).Stat("peak_hbm_bw_gigabytes_per_second", 1000.0);
        plane.EventMetadata("%convolution.1 = bf16[64,64]{1,0} convolution(...)", ("flops", 1_000_000_000L), ("bytes_accessed", 1_000_000L),
            ("hlo_category", "convolution"), ("shape_with_layout", "bf16[64,64]{1,0}"));
        plane.Line(1, "XLA Ops", 1_000).Event("%convolution.1 = bf16[64,64]{1,0} convolution(...)", 0, 10_000_000);
        var path = space.WriteTemp();
        try
        {
            var load = TraceLoader.Load([path]);
            var result = TraceAnalysis.Analyze(load.Run!, new AnalysisOptions());
            var rank = result.Ranks.Single();

            // Then the roofline uses those peaks: 1e9 FLOP in 10 µs = 100 TFLOP/s = 20% of 500, compute-bound (1,000 FLOP/B
            // over a 500 FLOP/B ridge), and a diagnostic says where the peaks came from
            Assert.Equal("trace:TPU v99", rank.Hardware.Spec!.Id);
            var op = Assert.Single(rank.Roofline.Ops);
            Assert.Equal(0.2, op.Efficiency!.Value, 9);
            Assert.Equal(Headroom.Analysis.Roofline.RooflineBound.Compute, op.Bound);
            Assert.Contains(result.Diagnostics, d => d.Code == "device-peaks-from-trace");
            Assert.DoesNotContain(result.Diagnostics, d => d.Code == "unknown-device");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void TPU_XLA_ops_are_launched_by_the_host_enqueue_of_their_program()
    {
        // Given the TPU v6e run, whose host enqueues each program run (DoEnqueueProgram, context id _p) and whose chips run
        // them (XLA Modules events consuming that id, _c)
        var load = TraceLoader.Load([SharedData.Require("traces/xplane/xprof-tpu-v6e-4chip-jax-inference.xplane.pb")]);
        var result = TraceAnalysis.Analyze(load.Run!, new AnalysisOptions());

        foreach (var rank in load.Run!.Ranks)
        {
            // Then every XLA op of every chip is linked to the enqueue of the program run it belongs to: one launch call
            // per program run with ops on the chip
            var ops = Enumerable.Range(0, rank.Gpu.Count).Where(rank.Gpu.IsActivity).ToList();
            Assert.All(ops, g => Assert.Equal("DoEnqueueProgram", rank.Strings[rank.Cpu.Name[rank.Gpu.Launcher[g]]]));
            var modules = Enumerable.Range(0, rank.Gpu.Count).Where(g => rank.Gpu.Stream[g] == 1 && !rank.Gpu.IsActivity(g)).ToList();
            var programRuns = modules.Count(m => ops.Any(g => rank.Gpu.Start[g] >= rank.Gpu.Start[m] && rank.Gpu.Start[g] < rank.Gpu.End(m)));
            Assert.Equal(programRuns, ops.Select(g => rank.Gpu.Launcher[g]).Distinct().Count());
            Assert.Equal(programRuns, result.Ranks[rank.Rank].Launch.Summary.LaunchCalls);
        }

        Assert.DoesNotContain(result.Diagnostics, d => d.Code == "gpu-event-without-launch");
        Assert.Equal([104, 103, 103, 103], result.Ranks.Select(r => r.Launch.Summary.LaunchCalls));
    }
}
