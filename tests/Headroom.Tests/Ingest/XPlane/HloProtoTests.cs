using Headroom.Analysis;
using Headroom.Analysis.Roofline;
using Headroom.Costs;
using Headroom.Ingest;
using Headroom.Ingest.XPlane;
using Headroom.Tests.Support;
using Xunit;

namespace Headroom.Tests.Ingest.XPlane;

/// <summary>
/// The HLO modules embedded in XSpaces (and saved as <c>*.hlo_proto.pb</c>) and the costs of their instructions. The
/// expected structure and dimensions were read with an independent protobuf wire decoder (a short Python script, not
/// Headroom's reader); the FLOPs and bytes are worked by hand from those dimensions.
/// </summary>
public sealed class HloProtoTests
{
    private static HloModule Conv3d() =>
        HloProtoReader.Read(File.ReadAllBytes(SharedData.Require("traces/xplane/tracelens-mi300x-jax-conv3d.hlo_proto.pb")));

    [Fact]
    public void The_HLO_proto_file_is_read_with_its_computations_instructions_and_shapes()
    {
        // Given the saved HLO module of the MI300X 3-D convolution benchmark
        var module = Conv3d();

        // Then its name, program id, entry and the 19 instructions of its 4 computations are read
        Assert.Equal(("jit_forward_3d_conv", 15L, "main.4_spmd"), (module.Name, module.Id, module.EntryComputationName));
        Assert.Equal(4, module.Computations.Count);
        Assert.Equal(19, module.Computations.Sum(c => c.Instructions.Count));
        var entry = Assert.Single(module.Computations, c => c.Name == "main.4_spmd");
        Assert.Equal((8L, 59L), (entry.Id, entry.RootId));

        // The convolution is a cuDNN/MIOpen custom call: input bf16[1,16,32,60,104] (id 90), kernel bf16[5120,16,1,2,2]
        // (id 94, output features in dimension 0), result (bf16[1,5120,34,31,53], u8[7150336] workspace)
        var conv = Assert.Single(entry.Instructions, i => i.Name == "cudnn-conv.1.0");
        Assert.Equal(("custom-call", "__cudnn$convForward", 84L), (conv.Opcode, conv.CustomCallTarget, conv.Id));
        Assert.Equal([90L, 94L], conv.Operands);
        Assert.Equal("(bf16[1,5120,34,31,53], u8[7150336])", conv.Shape.Text);
        Assert.Equal(0, conv.KernelOutputFeature);

        // Its dimension numbers, bf012_oi012_bf012: input and output batch 0, feature 1, spatial 2-4; kernel output
        // features 0, input features 1, spatial 2-4 (the zeros are proto3 defaults, absent from the bytes)
        var dims = conv.Convolution!;
        Assert.Equal((0L, 1L, 1L, 0L, 0L, 1L), (dims.InputBatch, dims.InputFeature, dims.KernelInputFeature, dims.KernelOutputFeature, dims.OutputBatch, dims.OutputFeature));
        Assert.Equal([2L, 3, 4], dims.InputSpatial);
        Assert.Equal([2L, 3, 4], dims.KernelSpatial);
        Assert.Equal([2L, 3, 4], dims.OutputSpatial);
        Assert.Null(Assert.Single(entry.Instructions, i => i.Id == 90).Convolution);
        var input = Assert.Single(entry.Instructions, i => i.Id == 90);
        Assert.Equal([1L, 16, 32, 60, 104], input.Shape.Dims);
        var fusion = Assert.Single(entry.Instructions, i => i.Name == "input_transpose_fusion.1");
        Assert.Equal(("fusion", "kInput"), (fusion.Opcode, fusion.FusionKind));
        Assert.Equal([107L], fusion.Called);
    }

    [Fact]
    public void A_convolution_custom_call_costs_its_multiply_adds_and_a_transpose_fusion_its_bytes()
    {
        var costs = new HloModuleCost(Conv3d());

        // The convolution: 2 · (5120·34·31·53 = 286,013,440 outputs) · (16 input features · 1·2·2 window = 64) FLOPs;
        // bytes: input 6,389,760 + kernel 655,360 + output 572,026,880 (the workspace is not counted)
        var conv = costs.Of("cudnn-conv.1.0")!;
        Assert.Equal(2d * 286_013_440 * 64, conv.Flops);
        Assert.Equal(36_609_720_320d, conv.Flops);
        Assert.Equal(6_389_760d + 655_360 + 572_026_880, conv.Bytes);
        Assert.Equal(("convolution custom-call", "bf16[1,5120,34,31,53]", "bf16", true), (conv.Category, conv.Shape, conv.ElementType, conv.Matrix));

        // A transpose fusion: no FLOPs; reads bf16[1,32,60,104,16] and writes bf16[16,199680], 6,389,760 bytes each
        var transpose = costs.Of("input_transpose_fusion.1")!;
        Assert.Equal((0d, 12_779_520d, "input fusion", false), (transpose.Flops, transpose.Bytes, transpose.Category, transpose.Matrix));
        Assert.Null(costs.Of("no-such-instruction"));
    }

    [Fact]
    public void GEMM_fusions_and_GEMM_custom_calls_of_the_MI300X_trace_get_their_HLO_costs()
    {
        // Given the MI300X GEMM benchmark: jit_dot(5) runs the Triton fusion gemm_fusion_dot_general.1 (256×256 @ 256×256);
        // the other jit_dot programs run hipBLASLt custom calls
        var load = TraceLoader.Load([SharedData.Require("traces/xplane/tracelens-mi300x-jax-gemm.xplane.pb")]);
        Assert.Empty(load.Errors);
        var rank = load.Run!.Ranks[0];
        var costs = rank.DeviceOpCosts;

        // Then each of the three gemm_fusion_dot_general_1.kd kernels carries 2·M·N·K = 2·256·256·256 FLOPs and reads two
        // and writes one bf16 256×256 matrix (3 · 131,072 bytes)
        var fusion = costs.Where(kv => kv.Value.Name == "gemm_fusion_dot_general.1").ToList();
        Assert.Equal(3, fusion.Count);
        Assert.All(fusion, kv =>
        {
            Assert.Equal("gemm_fusion_dot_general_1.kd", rank.Strings[rank.Gpu.Name[kv.Key]]);
            Assert.Equal((33_554_432d, 393_216d), (kv.Value.Flops, kv.Value.Bytes));
            Assert.Equal(("bf16[256,256]", "dot fusion", "bf16", true, "HLO shapes"),
                (kv.Value.Shape, kv.Value.Category, kv.Value.DataType, kv.Value.Matrix, kv.Value.Source));
        });

        // The custom calls named custom-call.1 belong to five programs: each kernel gets its own program's GEMM, e.g. jit_dot(49):
        // bf16[8192,4096] @ bf16[4096,8192] → 2 · 8192 · 8192 · 4096 FLOPs
        var calls = costs.Values.Where(c => c.Name == "custom-call.1").ToList();
        Assert.Equal(15, calls.Count);
        Assert.Equal(3, calls.Count(c => c.Shape == "bf16[8192,8192]" && c.Flops == 549_755_813_888d && c.Bytes == 268_435_456d));
        Assert.Equal(3, calls.Count(c => c.Shape == "bf16[16384,4096]" && c.Flops == 2d * 16384 * 4096 * 1024));

        // The copies of jit_convert_element_type (copy.1 on __amd_rocclr_copyBuffer, a scalar bf16 copy: 2 + 2 bytes) have a
        // cost too, but stay off the roofline
        Assert.Contains(costs.Values, c => c.Name == "copy.1" && c.Bytes == 4 && c.Flops == 0);
        var result = TraceAnalysis.Analyze(load.Run!, new AnalysisOptions());
        var roofline = result.Ranks[0].Roofline;
        Assert.DoesNotContain(roofline.Ops, o => o.Name == "copy.1");

        // On the roofline against the MI300X's 1307.4 TFLOP/s bf16 matrix peak: the 8192² × 4096 GEMM, three runs in
        // 672.121 + 587.481 + 573.401 µs, achieves 3 · 549.76 GFLOP / 1.833003 ms = 899.8 TFLOP/s, 68.8% of peak
        var big = Assert.Single(roofline.Ops, o => o.Name == "custom-call.1" && o.InputDims == "bf16[8192,8192]");
        Assert.Equal((3, 3 * 549_755_813_888d, 1_833_003L), (big.Count, big.Flops, big.TimeNs));
        Assert.Equal(RooflineBound.Compute, big.Bound);
        Assert.Equal(3 * 549_755_813_888d / 1.833003e-3 / 1307.4e12, big.Efficiency!.Value, 3);
        Assert.StartsWith("HLO shapes (gemm custom-call)", big.Formula, StringComparison.Ordinal);
        Assert.All(roofline.Ops, o => Assert.InRange(o.Efficiency!.Value, 0, 1));
        var small = Assert.Single(roofline.Ops, o => o.Name == "gemm_fusion_dot_general.1");
        Assert.Equal(3 * 33_554_432d, small.Flops);
        Assert.Equal(1.0, roofline.CoveredComputationTimeNs / (double)roofline.ComputationTimeNs, 9);
    }

    [Fact]
    public void An_HLO_op_run_as_several_kernels_is_charged_once_for_the_time_of_all()
    {
        // Given the 8-GPU 3-D convolution: on GPU 0, MIOpen runs cudnn-conv.1 as Im3d2Col then a GEMM kernel, five times
        // (the first Im3d2Col carries no hlo_op stat: that execution starts at its GEMM), 9 kernels in 1,566,722 ns
        var load = TraceLoader.Load([SharedData.Require("traces/xplane/tracelens-mi300x-jax-conv3d-8gpu.xplane.pb")]);
        var result = TraceAnalysis.Analyze(load.Run!, new AnalysisOptions());
        var rank = load.Run!.Ranks[0];
        Assert.Equal(5, rank.DeviceOpCosts.Values.Count(c => c.Name == "cudnn-conv.1"));
        Assert.Equal(4, rank.DeviceOpExecutions.Count(kv => rank.DeviceOpCosts[kv.Value].Name == "cudnn-conv.1"));

        // Then the roofline has five executions of it, each 2 · 286,013,440 outputs · 64 = 36,609,720,320 FLOPs and
        // 579,072,000 bytes, over the nine kernels' time: 116.8 TFLOP/s and 1.848 TB/s, memory-bound (63.2 FLOP/B, under
        // the MI300X's ridge) at 34.9% of its 5.3 TB/s
        var conv = Assert.Single(result.Ranks[0].Roofline.Ops, o => o.Name == "cudnn-conv.1");
        Assert.Equal((5, 9, 1_566_722L), (conv.Count, conv.Kernels, conv.TimeNs));
        Assert.Equal((5 * 36_609_720_320d, 5 * 579_072_000d), (conv.Flops, conv.Bytes));
        Assert.Equal(RooflineBound.Memory, conv.Bound);
        Assert.Equal(5 * 579_072_000d / 1.566722e-3 / 5.3e12, conv.Efficiency!.Value, 3);
    }

    [Fact]
    public void A_malformed_embedded_HLO_proto_leaves_the_XSpace_readable_and_its_ops_without_cost()
    {
        // Given the GEMM XSpace with every jit_dot HLO module broken: the module name's tag (field 1, length-delimited,
        // 0x0A) turned into a start-group tag (0x0B), which the wire reader refuses
        var bytes = File.ReadAllBytes(SharedData.Require("traces/xplane/tracelens-mi300x-jax-gemm.xplane.pb"));
        byte[] pattern = [0x0A, 0x07, .. "jit_dot"u8, 0x12];
        var broken = 0;
        for (var i = bytes.AsSpan().IndexOf(pattern); i >= 0; i = bytes.AsSpan(i + 1).IndexOf(pattern) is var j and >= 0 ? i + 1 + j : -1)
        {
            bytes[i] = 0x0B;
            broken++;
        }

        Assert.Equal(6, broken);
        var path = Path.Combine(Path.GetTempPath(), $"headroom-hlo-{Guid.NewGuid():N}.xplane.pb");
        File.WriteAllBytes(path, bytes);
        try
        {
            // When it is loaded
            var load = TraceLoader.Load([path]);

            // Then it loads, says which modules could not be read, and only the broadcasts keep a cost
            Assert.Empty(load.Errors);
            var rank = load.Run!.Ranks[0];
            Assert.Equal(54, Enumerable.Range(0, rank.Gpu.Count).Count(rank.Gpu.IsActivity));
            var diagnostic = Assert.Single(load.Run.Diagnostics, d => d.Code == "hlo-proto-unreadable");
            Assert.Equal(6, diagnostic.Count);
            Assert.DoesNotContain(rank.DeviceOpCosts.Values, c => c.Matrix);
            Assert.Contains(rank.DeviceOpCosts.Values, c => c.Name == "wrapped_broadcast");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_malformed_module_in_an_8_GPU_XSpace_is_reported_once_not_once_per_rank()
    {
        // Given the 8-GPU conv3d XSpace with its jit_forward_3d_conv module broken (module name tag 0x0A → 0x0B)
        var bytes = File.ReadAllBytes(SharedData.Require("traces/xplane/tracelens-mi300x-jax-conv3d-8gpu.xplane.pb"));
        byte[] pattern = [0x0A, 0x13, .. "jit_forward_3d_conv"u8, 0x12];
        var at = bytes.AsSpan().IndexOf(pattern);
        Assert.True(at >= 0 && bytes.AsSpan(at + 1).IndexOf(pattern) < 0);
        bytes[at] = 0x0B;
        var path = Path.Combine(Path.GetTempPath(), $"headroom-hlo-{Guid.NewGuid():N}.xplane.pb");
        File.WriteAllBytes(path, bytes);
        try
        {
            // Then its 8 ranks load, the module is reported once, and no rank has a convolution cost
            var load = TraceLoader.Load([path]);
            Assert.Equal(8, load.Run!.Ranks.Count);
            Assert.Equal(1, Assert.Single(load.Run.Diagnostics, d => d.Code == "hlo-proto-unreadable").Count);
            Assert.All(load.Run.Ranks, r => Assert.DoesNotContain(r.DeviceOpCosts.Values, c => c.Matrix));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Random_damage_to_an_HLO_proto_is_a_format_error_or_a_module_that_costs_without_throwing()
    {
        var original = File.ReadAllBytes(SharedData.Require("traces/xplane/tracelens-mi300x-jax-conv3d.hlo_proto.pb"));
        var random = new Random(6);
        for (var trial = 0; trial < 500; trial++)
        {
            var bytes = (byte[])original.Clone();
            for (var k = 0; k < 1 + (trial % 8); k++)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            HloModule module;
            try
            {
                module = HloProtoReader.Read(bytes);
            }
            catch (ProtoFormatException)
            {
                continue;
            }

            var costs = new HloModuleCost(module);
            foreach (var instruction in module.Computations.SelectMany(c => c.Instructions))
            {
                var cost = costs.Of(instruction.Name);
                Assert.True(cost is null || (cost.Flops >= 0 && cost.Bytes >= 0));
            }
        }
    }

    [Fact]
    public void A_fusion_calling_itself_has_no_cost()
    {
        // A hostile module: fusion f calls computation 1, which holds f again
        var shape = new HloShape("f32", [4], []);
        var f = new HloInstruction("f", "fusion", 10, shape, [], [1], [], -1, "kLoop", "", "");
        var module = new HloModule("m", 1, "c", [new HloComputation("c", 1, 10, [f])]);

        Assert.Null(new HloModuleCost(module).Of("f"));
    }

    [Fact]
    public void Absurd_dimensions_give_no_cost_rather_than_infinity()
    {
        // A dot of two f32[2^40, 2^40] matrices: 2 · 2^80 · 2^40 FLOPs, far past 1e18
        var big = new HloShape("f32", [1L << 40, 1L << 40], []);
        var a = new HloInstruction("a", "parameter", 1, big, [], [], [], -1, "", "", "");
        var b = new HloInstruction("b", "parameter", 2, big, [], [], [], -1, "", "", "");
        var dot = new HloInstruction("dot", "dot", 3, big, [1, 2], [], [1], -1, "", "", "");
        var module = new HloModule("m", 1, "c", [new HloComputation("c", 1, 3, [a, b, dot])]);

        Assert.Null(new HloModuleCost(module).Of("dot"));
    }

    public static TheoryData<int[], int> Runs() => new()
    {
        // kernel names of one op's consecutive kernels on a stream, and the kernels per execution
        { [1, 1, 2, 3, 4], 5 },          // TransformerEngine backward: two fills, then three attention kernels: one execution
        { [1, 1, 2, 3, 4, 1, 1, 2, 3, 4], 5 }, // the same op twice in a row
        { [7, 7], 1 },                   // a one-kernel op twice in a row
        { [5, 6], 2 },                   // MIOpen: Im3d2Col then a GEMM
        { [6], 1 },
        { [1, 2, 1], 3 },                // no repetition fills the run: one execution
    };

    [Theory]
    [MemberData(nameof(Runs))]
    public void Without_host_annotations_a_run_of_kernels_splits_into_repetitions_of_its_shortest_repeating_sequence(int[] names, int period)
    {
        Assert.Equal(period, HloExecutions.Period(names));
    }

    [Fact]
    public void The_kernels_launched_in_one_host_annotation_of_an_op_are_one_execution()
    {
        // Given the MI355X TransformerEngine run: each TE backward call runs two workspace fills and three ck_tile kernels,
        // launched inside the host annotation XLA names after the op (te_fused_attn_backward_ffi.12 / .18), five times each
        var load = TraceLoader.Load([SharedData.Require("traces/xplane/tracelens-mi355x-jax-te-fused-attn.xplane.pb")]);
        var rank = load.Run!.Ranks[0];

        // Then each call is one execution: the first fill holds the cost and the other four kernels are linked to it
        foreach (var op in new[] { "te_fused_attn_backward_ffi.12", "te_fused_attn_backward_ffi.18" })
        {
            var holders = rank.DeviceOpCosts.Where(kv => kv.Value.Name == op).Select(kv => kv.Key).ToList();
            Assert.Equal(5, holders.Count);
            Assert.All(holders, h => Assert.Equal(4, rank.DeviceOpExecutions.Count(kv => kv.Value == h)));
            Assert.All(holders, h => Assert.Contains("fillBuffer", rank.Strings[rank.Gpu.Name[h]], StringComparison.Ordinal));
        }

        // And the framework op they came from ran 5 times as 2 XLA ops, with 10 × 85,899,345,920 FLOPs
        var result = TraceAnalysis.Analyze(load.Run!, new AnalysisOptions());
        var backward = Assert.Single(result.Ranks[0].FrameworkOps.Ops, o => o.Type == "te_fused_attn_backward_ffi");
        Assert.Equal((5L, 2, 10 * 85_899_345_920d), (backward.Occurrences, backward.XlaOps, backward.Flops));
        Assert.Equal("jit(loss_fn)/transpose(jvp())/te_fused_attn_backward_ffi", backward.Name);
    }
}
