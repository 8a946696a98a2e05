using Headroom.Analysis;
using Headroom.Ingest;
using Headroom.Model;
using Headroom.Tests.Cli;
using Headroom.Tests.Support;
using Xunit;

namespace Headroom.Tests.Ingest.XPlane;

/// <summary>
/// The XSpace reader on every shared XPlane file. Expected counts were taken with an independent protobuf decoder (a
/// short Python script over the wire format, not Headroom's reader): all events in all lines, and the device
/// activities (GPU "Stream #" lines, the TPU "XLA Ops" line).
/// </summary>
public sealed class XSpaceReaderTests
{
    public static TheoryData<string, long, int, string, int> Files() => new()
    {
        // file, events, device activities, catalog device, ranks (one per device with activity)
        { "tracelens-mi300x-jax-gemm.xplane.pb", 3_782, 54, "mi300x", 1 },
        { "tracelens-mi300x-jax-attention.xplane.pb", 4_380, 105, "mi300x", 1 },
        { "tracelens-mi300x-jax-conv3d-8gpu.xplane.pb", 3_650, 235, "mi300x", 8 },
        { "tracelens-mi355x-jax-te-fused-attn.xplane.pb", 1_992, 150, "mi355x", 1 },
        { "xprof-tpu-v6e-4chip-jax-inference.xplane.pb", 26_723, 6_013, "tpu-v6e", 4 },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_event_is_counted_and_each_active_device_is_a_rank(string file, long events, int activities, string device, int ranks)
    {
        // Given a real XSpace
        var path = SharedData.Require(Path.Combine("traces", "xplane", file));

        // When it is loaded and analysed
        var load = TraceLoader.Load([path]);
        Assert.Empty(load.Errors);
        var run = load.Run!;
        var result = TraceAnalysis.Analyze(run, new AnalysisOptions());

        // Then there is one rank per device with activity, their activities are what the file holds, every device is
        // recognised, and every event of the file is counted: each rank's own device events, plus the host and other
        // planes' events that every rank carries
        Assert.Equal(ranks, run.Ranks.Count);
        Assert.Equal(Enumerable.Range(0, ranks), run.Ranks.Select(r => r.Rank));
        Assert.Equal(activities, run.Ranks.Sum(r => Enumerable.Range(0, r.Gpu.Count).Count(r.Gpu.IsActivity)));
        Assert.Equal(activities, result.Ranks.Sum(r => r.ActivityCount));
        Assert.All(result.Ranks, r => Assert.Equal(device, r.Hardware.Spec?.Id));
        var shared = run.Ranks[0].Census.Count(EventDisposition.Cpu) + run.Ranks[0].Census.Count(EventDisposition.Derived);
        Assert.All(run.Ranks, r => Assert.Equal(shared, r.Census.Count(EventDisposition.Cpu) + r.Census.Count(EventDisposition.Derived)));
        Assert.Equal(events, shared + run.Ranks.Sum(r => r.Census.Count(EventDisposition.Gpu)));
        Assert.All(run.Ranks, r => Assert.Equal("XSpace", r.Metadata.Format));

        // And the devices of one file are ranks in device order, on the file's one clock: no note says otherwise
        Assert.All(run.Ranks, r => Assert.Equal(ranks > 1 ? RankSource.Device : RankSource.FileOrder, r.RankSource));
        Assert.DoesNotContain(run.Diagnostics.Concat(result.Diagnostics), d => d.Code is "rank-from-file-order" or "clock-not-aligned");
    }

    [Fact]
    public void ROCm_kernels_are_linked_to_their_hip_launches_by_correlation_id()
    {
        // Given the MI300X GEMM benchmark: 54 kernels launched by hipModuleLaunchKernel, hipExtModuleLaunchKernel and async copies
        var load = TraceLoader.Load([SharedData.Require("traces/xplane/tracelens-mi300x-jax-gemm.xplane.pb")]);
        var rank = load.Run!.Ranks[0];

        // Then every device activity has its launcher, a hip call on a host thread, which started before it
        var activities = Enumerable.Range(0, rank.Gpu.Count).Where(rank.Gpu.IsActivity).ToList();
        Assert.Equal(54, activities.Count);
        Assert.All(activities, g =>
        {
            var launcher = rank.Gpu.Launcher[g];
            Assert.True(launcher >= 0, rank.Strings[rank.Gpu.Name[g]]);
            Assert.StartsWith("hip", rank.Strings[rank.Cpu.Name[launcher]], StringComparison.Ordinal);
            Assert.Equal(CpuEventKind.Runtime, rank.Cpu.Kind[launcher]);
            Assert.True(rank.Cpu.Start[launcher] <= rank.Gpu.Start[g]);
        });
        var device = Assert.Single(rank.Devices, d => d.Id == 0);
        Assert.Equal((304, 206_141_652_992L, "9.4"), (device.MultiprocessorCount, device.TotalMemoryBytes, device.ComputeCapability));
    }

    public static TheoryData<string, byte[]> BadFiles() => new()
    {
        // A plane (field 1) whose declared length runs far past the end of the file.
        { "length past the end", [0x0A, 0xFF, 0xFF, 0xFF, 0x7F, 0x12, 0x02, 0x2F, 0x78] },
        // A well-formed protobuf that is not an XSpace: one field-1 message holding only a name that is no plane name.
        { "not an XSpace", [0x0A, 0x05, 0x12, 0x03, 0x61, 0x62, 0x63] },
        // A varint that never ends.
        { "endless varint", [0x0A, 0x02, 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF] },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void Malformed_or_foreign_protobufs_give_one_error_line_and_exit_code_2(string what, byte[] bytes)
    {
        var path = Path.Combine(Path.GetTempPath(), $"headroom-bad-{Guid.NewGuid():N}.xplane.pb");
        File.WriteAllBytes(path, bytes);
        try
        {
            var (code, stdout, stderr) = CliRunner.Run("analyze", path);
            Assert.True(code == 2, what);
            Assert.Equal("", stdout);
            var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith($"headroom: error: {path}: ", line, StringComparison.Ordinal);
            Assert.EndsWith("[invalid-protobuf]", line, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_truncated_XSpace_is_an_error_naming_where_it_ends()
    {
        var source = File.ReadAllBytes(SharedData.Require("traces/xplane/tracelens-mi300x-jax-gemm.xplane.pb"));
        var path = Path.Combine(Path.GetTempPath(), $"headroom-cut-{Guid.NewGuid():N}.xplane.pb");
        File.WriteAllBytes(path, source[..50_000]);
        try
        {
            var (code, _, stderr) = CliRunner.Run("analyze", path);
            Assert.Equal(2, code);
            Assert.Contains("runs past the end", stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void XLA_cost_analysis_places_TPU_ops_on_the_roofline()
    {
        // Given the TPU v6e trace, whose XLA ops carry XLA's own flops and bytes_accessed
        var load = TraceLoader.Load([SharedData.Require("traces/xplane/xprof-tpu-v6e-4chip-jax-inference.xplane.pb")]);
        var result = TraceAnalysis.Analyze(load.Run!, new AnalysisOptions());
        var rank = result.Ranks[0];

        // Then broadcast_add_fusion (f32[5,1024,1024,256]: 1,342,177,280 elements, one add each; read one operand and
        // write the result, 4 bytes each: 10,737,418,240 bytes) is on the roofline with XLA's numbers per execution
        var op = Assert.Single(rank.Roofline.Ops, o => o.Name == "broadcast_add_fusion");
        Assert.Equal("f32[5,1024,1024,256]{3,2,1,0:T(8,128)}", op.InputDims);
        Assert.Equal("loop fusion", op.InputTypes);
        Assert.Equal("fp32", op.DataType);
        Assert.Equal(op.Count * 1_342_177_280d, op.Flops);
        Assert.Equal(op.Count * 10_737_418_240d, op.Bytes);
        Assert.Equal(300, op.Count); // three fusions of that name, 100 executions each
        Assert.Equal(op.Flops / (op.TimeNs / 1e9), op.AchievedFlopsPerSecond, 1e-3); // FLOP rate = FLOPs over self time
        // Memory-bound against TPU v6e's 1.638 TB/s (no fp32 peak: compared with the bf16 MXU peak, said in the label)
        Assert.Equal(Headroom.Analysis.Roofline.RooflineBound.Memory, op.Bound);
        Assert.Equal(op.AchievedBytesPerSecond / 1.638e12, op.Efficiency!.Value, 9);
        Assert.InRange(op.Efficiency.Value, 0.5, 1.0);
        Assert.Contains("no fp32 peak", op.Peak, StringComparison.Ordinal);
        Assert.StartsWith("XLA cost analysis (loop fusion)", op.Formula, StringComparison.Ordinal);
        // Copies and collectives stay off the roofline: they are memory and communication time
        Assert.DoesNotContain(rank.Roofline.Ops, o => o.Name.StartsWith("copy", StringComparison.Ordinal) || o.Name.StartsWith("all-reduce", StringComparison.Ordinal));
        Assert.True(rank.Overall.MemcpyNs > rank.Overall.ComputationNs, "the host-offload stress test waits on copies");
        var copies = Assert.Single(rank.Headroom.Items, i => i.Kind == Headroom.Analysis.Opportunities.HeadroomKind.ExposedCopy);
        Assert.Contains("XLA copies", copies.Suggestion, StringComparison.Ordinal); // advice for XLA programs, not PyTorch's
    }

    [Fact]
    public void XLA_op_self_times_sum_to_no_more_than_their_module_time()
    {
        // Given the TPU trace: XLA Modules (stream 1 annotations) and the XLA Ops run inside them (stream 0 activities)
        var load = TraceLoader.Load([SharedData.Require("traces/xplane/xprof-tpu-v6e-4chip-jax-inference.xplane.pb")]);
        foreach (var rank in load.Run!.Ranks)
        {
            var gpu = rank.Gpu;
            var modules = Enumerable.Range(0, gpu.Count).Where(g => gpu.Kind[g] == GpuEventKind.Annotation && gpu.Stream[g] == 1).ToList();
            var ops = Enumerable.Range(0, gpu.Count).Where(gpu.IsActivity).ToList();
            Assert.NotEmpty(modules);

            // Then every op lies inside a module execution, and per module the ops' time (their union: async ops
            // overlap) is no more than the module's
            var covered = 0;
            foreach (var m in modules)
            {
                var (start, end) = (gpu.Start[m], gpu.End(m));
                var inside = ops.Where(o => gpu.Start[o] >= start && gpu.End(o) <= end).ToList();
                covered += inside.Count;
                var union = Headroom.Analysis.IntervalSet.Union(inside.Select(o => (gpu.Start[o], gpu.End(o))));
                Assert.True(union.Length <= end - start, $"rank {rank.Rank}: ops {union.Length} ns in a {end - start} ns module");
            }

            var outside = ops.Where(o => !modules.Any(m => gpu.Start[o] >= gpu.Start[m] && gpu.End(o) <= gpu.End(m)))
                .Select(o => $"{rank.Strings[gpu.Name[o]][..Math.Min(40, rank.Strings[gpu.Name[o]].Length)]} {gpu.Start[o]}+{gpu.Duration[o]}; nearest module "
                    + string.Join(",", modules.Where(m => gpu.End(m) >= gpu.Start[o] - 1000 && gpu.Start[m] <= gpu.End(o) + 1000).Select(m => $"{gpu.Start[m]}+{gpu.Duration[m]}")));
            Assert.Empty(outside); // (module executions can overlap: an op may lie in two)
            Assert.True(covered >= ops.Count);
        }
    }

    [Fact]
    public void XLA_costs_are_checked_against_the_HLO_shapes()
    {
        // Given the TPU trace's rank 0
        var load = TraceLoader.Load([SharedData.Require("traces/xplane/xprof-tpu-v6e-4chip-jax-inference.xplane.pb")]);
        var rank = load.Run!.Ranks[0];
        var activities = RankActivities.Select(rank, false, false, new DiagnosticBag());

        // When its ops are charged
        var charges = Headroom.Analysis.Roofline.RooflineAnalysis.Charge(activities);

        // Then broadcast_add_fusion's shapes in the embedded HLO module (one f32[5,1024,1024,256] operand read, one
        // written: 2 · 5,368,709,120 bytes; its fused add, one FLOP per element: 1,342,177,280) give exactly XLA's numbers
        var check = Assert.Single(charges.CostChecks, c => c.Name == "broadcast_add_fusion");
        Assert.Equal(("fusion", 10_737_418_240d, 10_737_418_240d), (check.Opcode, check.ReportedBytes, check.ShapeBytes!.Value));
        Assert.Equal((1_342_177_280d, 1_342_177_280d), (check.ReportedFlops, check.ShapeFlops!.Value));
        Assert.False(check.Disagrees);
        Assert.DoesNotContain(charges.CostChecks, c => c.Disagrees);
        var fromModule = rank.DeviceOpCosts.Values.Where(c => c.ShapeOpcode.Length > 0).Select(c => c.Name).Distinct().Count();
        Assert.True(fromModule >= charges.CostChecks.Count, $"{fromModule} ops checked against the HLO module, {charges.CostChecks.Count} checks");

        // And the JSON keeps both numbers for every checked op
        var (code, stdout, _) = CliRunner.Run("analyze", SharedData.Require("traces/xplane/xprof-tpu-v6e-4chip-jax-inference.xplane.pb"), "--json", "--rank", "0");
        Assert.Equal(0, code);
        using var json = System.Text.Json.JsonDocument.Parse(stdout);
        var rows = json.RootElement.GetProperty("ranks")[0].GetProperty("roofline").GetProperty("cost_checks").EnumerateArray().ToList();
        Assert.Equal(charges.CostChecks.Count, rows.Count);
        var row = Assert.Single(rows, r => r.GetProperty("name").GetString() == "broadcast_add_fusion");
        Assert.Equal((1_342_177_280d, 1_342_177_280d, 10_737_418_240d, false), (row.GetProperty("reported_flops").GetDouble(),
            row.GetProperty("shape_flops").GetDouble(), row.GetProperty("shape_bytes").GetDouble(), row.GetProperty("disagrees").GetBoolean()));
    }

    [Fact]
    public void Reading_plane_by_plane_from_the_file_gives_what_reading_it_whole_gives()
    {
        // Given the 8-GPU conv3d XSpace, read from the file plane by plane and from memory whole
        var path = SharedData.Require("traces/xplane/tracelens-mi300x-jax-conv3d-8gpu.xplane.pb");
        var fromFile = Headroom.Ingest.XPlane.XSpaceReader.ReadPerDevice(new Headroom.Ingest.XPlane.FileXSpaceSource(path), path);
        var fromMemory = Headroom.Ingest.XPlane.XSpaceReader.ReadPerDevice(new Headroom.Ingest.XPlane.MemoryXSpaceSource(File.ReadAllBytes(path)), path);

        // Then the ranks hold the same events
        Assert.Equal(8, fromFile.Count);
        Assert.Equal(fromMemory.Select(c => (c.EventCount, c.Builder.CpuCount, c.Builder.GpuCount, c.Devices.Count)),
            fromFile.Select(c => (c.EventCount, c.Builder.CpuCount, c.Builder.GpuCount, c.Devices.Count)));
    }
}
