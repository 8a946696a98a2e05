using Headroom.Ingest;
using Headroom.Tests.Support;
using Xunit;

namespace Headroom.Tests.Ingest.XPlane;

/// <summary>
/// How the GPU kernels of an XSpace are grouped into executions of their HLO ops, on XSpaces written by the test: an
/// embedded HLO module with one elementwise op, whose every execution runs the same kernel twice.
/// </summary>
public sealed class HloExecutionTests
{
    private const long Program = 42;
    private const long Us = 1_000_000; // ps

    /// <summary>An <c>xla.HloProto</c>: module jit_f (id 42), entry computation main: add.1 = f32[1024] add(p0, p1).</summary>
    private static byte[] HloProto()
    {
        static byte[] Shape()
        {
            var shape = new Wire();
            shape.Varint(2, 11); // F32
            shape.Varint(3, 1024);
            return shape.ToArray();
        }

        static byte[] Instruction(string name, string opcode, long id, params long[] operands)
        {
            var i = new Wire();
            i.Bytes(1, System.Text.Encoding.UTF8.GetBytes(name));
            i.Bytes(2, System.Text.Encoding.UTF8.GetBytes(opcode));
            i.Message(3, Shape());
            i.Varint(35, id);
            foreach (var o in operands)
            {
                i.Varint(36, o);
            }

            return i.ToArray();
        }

        var computation = new Wire();
        computation.Bytes(1, "main"u8.ToArray());
        computation.Message(2, Instruction("p0", "parameter", 1));
        computation.Message(2, Instruction("p1", "parameter", 2));
        computation.Message(2, Instruction("add.1", "add", 3, 1, 2));
        computation.Varint(5, 1);
        computation.Varint(6, 3);
        var module = new Wire();
        module.Bytes(1, "jit_f"u8.ToArray());
        module.Bytes(2, "main"u8.ToArray());
        module.Message(3, computation.ToArray());
        module.Varint(5, Program);
        var proto = new Wire();
        proto.Message(1, module.ToArray());
        return proto.ToArray();
    }

    /// <summary>
    /// Two executions of add.1 back to back on one stream, each running add_kernel twice (launched at 0, 1 µs and 10,
    /// 11 µs); with <paramref name="annotated"/>, each execution's launches lie inside a host annotation "add.1".
    /// </summary>
    private static Headroom.Model.RankTrace Load(bool annotated)
    {
        var space = new XSpaceBuilder();
        space.Plane("/host:metadata").EventMetadataWithId(Program, "jit_f(42)", ("Hlo Proto", HloProto()));
        var host = space.Plane("/host:CPU");
        var launches = host.Line(7, "Host Threads/7", 0);
        foreach (var (at, correlation) in new[] { (0L, 1L), (1L, 2L), (10L, 3L), (11L, 4L) })
        {
            launches.Event("hipLaunchKernel", at * Us, Us / 2, ("correlation_id", correlation));
        }

        if (annotated)
        {
            host.Line(99, "python", 0).Event("add.1", 0, 5 * Us).Event("add.1", 10 * Us, 5 * Us);
        }

        var stream = space.Plane("/device:GPU:0").Stat("device_vendor", "AMD").Line(3, "Stream #3(Kernel)", 0);
        foreach (var (at, correlation) in new[] { (20L, 1L), (22L, 2L), (24L, 3L), (26L, 4L) })
        {
            stream.Event("add_kernel", at * Us, Us, ("correlation_id", correlation), ("program_id", Program), ("hlo_module", "jit_f"), ("hlo_op", "add.1"));
        }

        var path = space.WriteTemp();
        try
        {
            var load = TraceLoader.Load([path]);
            Assert.Empty(load.Errors);
            return load.Run!.Ranks.Single();
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Kernels_launched_in_one_host_annotation_of_their_op_are_one_execution()
    {
        // Given two executions of add.1, each two add_kernels launched inside its own "add.1" host annotation
        var rank = Load(annotated: true);

        // Then there are two executions: the first kernel of each holds the module's cost (1,024 FLOPs, 3 × 4 KiB) and
        // the second is linked to it
        Assert.Equal(2, rank.DeviceOpCosts.Count);
        Assert.All(rank.DeviceOpCosts.Values, c => Assert.Equal(("add.1", 1_024d, 12_288d, "HLO shapes"), (c.Name, c.Flops, c.Bytes, c.Source)));
        var holders = rank.DeviceOpCosts.Keys.Order().ToList();
        Assert.Equal(holders.Select(h => h + 1), rank.DeviceOpExecutions.Keys.Order());
        Assert.All(holders, h => Assert.Equal(h, rank.DeviceOpExecutions[h + 1]));
    }

    [Fact]
    public void Without_host_annotations_a_repeated_kernel_counts_as_repeated_executions()
    {
        // Given the same kernels with no host annotation to say where an execution ends
        var rank = Load(annotated: false);

        // Then the run [add_kernel × 4] is split into its shortest repetition: four executions of one kernel (the
        // documented limit: an execution that runs one kernel twice cannot be told from two executions)
        Assert.Equal(4, rank.DeviceOpCosts.Count);
        Assert.Empty(rank.DeviceOpExecutions);
    }
}
