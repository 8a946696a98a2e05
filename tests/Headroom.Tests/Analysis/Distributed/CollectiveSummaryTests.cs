using Headroom.Analysis.Distributed;
using Headroom.Ingest;
using Headroom.Tests.Support;
using Xunit;

namespace Headroom.Tests.Analysis.Distributed;

/// <summary>Specification of the per-rank collective summary and of how collectives are named and sized.</summary>
public sealed class CollectiveSummaryTests
{
    [Theory]
    // record_param_comms "Collective name" as PyTorch writes it
    [InlineData("allreduce", "all_reduce")]
    [InlineData("allreduce_coalesced", "all_reduce")]
    [InlineData("_allgather_base", "all_gather")]
    [InlineData("all_gather_into_tensor_coalesced", "all_gather")]
    [InlineData("_reduce_scatter_base", "reduce_scatter")]
    [InlineData("reduce_scatter_tensor_coalesced", "reduce_scatter")]
    [InlineData("alltoall_base", "all_to_all")]
    [InlineData("all_to_allv", "all_to_all")]
    [InlineData("broadcast", "broadcast")]
    [InlineData("reduce", "reduce")]
    [InlineData("gather", "gather")]
    [InlineData("scatter", "scatter")]
    [InlineData("send", "send")]
    [InlineData("recv", "recv")]
    [InlineData("barrier", "barrier")]
    // host ops around the launch
    [InlineData("nccl:all_to_all", "all_to_all")]
    [InlineData("c10d::allreduce_", "all_reduce")]
    [InlineData("c10d::_allgather_base_", "all_gather")]
    [InlineData("coalesced", null)]
    public void Normalizes_pytorch_collective_names(string name, string? expected) => Assert.Equal(expected, CollectiveNames.Normalize(name));

    [Theory]
    [InlineData("ncclKernel_AllReduce_RING_LL_Sum_float(ncclDevComm*, unsigned long, ncclWork*)", "all_reduce")]
    [InlineData("ncclDevKernel_SendRecv(ncclDevKernelArgsStorage<4096ul>)", "send_recv")]
    [InlineData("ncclKernel_SendRecv_RING_SIMPLE_Sum_int8_t(ncclDevComm*, unsigned long, ncclWork*)", "send_recv")]
    [InlineData("ncclKernel_Broadcast_RING_LL_Sum_int8_t(ncclDevComm*, unsigned long, ncclWork*)", "broadcast")]
    [InlineData("ncclDevKernel_AllGather_RING_LL(ncclDevKernelArgsStorage<4096ul>)", "all_gather")]
    [InlineData("ncclDevKernel_ReduceScatter_Sum_bf16_RING_LL(ncclDevKernelArgsStorage<4096ul>)", "reduce_scatter")]
    [InlineData("ncclKernel_Reduce_RING_LL_Sum_float", "reduce")]
    [InlineData("void ncclKernel_AllReduce_RING_LL_Sum_float(ncclWorkElem)", "all_reduce")]
    [InlineData("ncclDevKernel_Generic_4(ncclDevKernelArgsStorage<4096ul>)", null)]
    [InlineData("cross_device_reduce_1stage<c10::BFloat16, 8>", "all_reduce")]
    [InlineData("void vllm::cross_device_reduce_2stage<__nv_bfloat16, 8>(...)", "all_reduce")]
    public void Derives_the_collective_from_the_kernel_name(string kernel, string? expected) => Assert.Equal(expected, CollectiveNames.FromKernelName(kernel));

    [Theory]
    [InlineData("nccl:all_reduce", "all_reduce")]
    [InlineData("c10d::alltoall_base_", "all_to_all")]
    [InlineData("gloo:broadcast", "broadcast")]
    [InlineData("record_param_comms", null)]
    [InlineData("aten::sum", null)]
    [InlineData("reduce_grads", null)]
    public void Only_collective_ops_name_a_collective(string op, string? expected) => Assert.Equal(expected, CollectiveNames.FromOpName(op));

    [Theory]
    [InlineData("Float", 4)]
    [InlineData("BFloat16", 2)]
    [InlineData("Half", 2)]
    [InlineData("Double", 8)]
    [InlineData("Long", 8)]
    [InlineData("Int", 4)]
    [InlineData("Byte", 1)]
    [InlineData("Char", 1)]
    [InlineData("Bool", 1)]
    [InlineData("Float8_e4m3fn", 1)]
    [InlineData("ComplexFloat", 8)]
    [InlineData("float", 4)]
    [InlineData("long int", 8)]
    [InlineData("unsigned char", 1)]
    [InlineData("signed char", 1)]
    [InlineData("c10::BFloat16", 2)]
    [InlineData("c10::complex<double>", 16)]
    [InlineData("Scalar", 0)]
    [InlineData("TensorList", 0)]
    [InlineData("", 0)]
    public void Knows_element_sizes(string dtype, int bytes) => Assert.Equal(bytes, CollectiveDataTypes.SizeOf(dtype));

    [Theory]
    [InlineData("[[394241]]", "[\"float\"]", 1_576_964)]
    [InlineData("[[768],[3392],[],[],[],[]]", "[\"int\",\"int\",\"\",\"\",\"\",\"Scalar\"]", 13_568)]
    [InlineData("[[1073741824],[16777216],[]]", "[\"signed char\",\"signed char\",\"\"]", 1_073_741_824)]
    [InlineData("[[2,3,4]]", "[\"c10::Half\"]", 48)]
    [InlineData("[[],[],[],[]]", "[\"TensorList\",\"\",\"\",\"Scalar\"]", -1)]
    [InlineData("", "", -1)]
    [InlineData("not json", "[\"float\"]", -1)]
    public void Sizes_a_message_from_recorded_shapes(string dims, string types, long bytes) =>
        Assert.Equal(bytes, CollectiveDataTypes.LargestTensorBytes(dims, types));

    [Fact]
    public void Reads_recorded_collective_arguments()
    {
        // DDP rank 0 of 2 (A100, NCCL 2.17.1): every kernel carries its collective arguments; no "Seq".
        var run = TraceLoader.Load([SharedData.Require("traces/kineto/hta-a100-ddp-nccl-rank0of2.json.gz")]).Run!;

        var summary = RankCollectives.From(run.Ranks[0]);

        Assert.Equal((0, 2), (summary.Rank, summary.WorldSize));
        Assert.Equal([4L, 5L, 6L], summary.Steps.Select(s => s.Number));
        Assert.Equal(21, summary.Collectives.Count);
        string[] perStep = ["broadcast", "broadcast", "all_reduce", "all_reduce", "all_reduce", "all_reduce", "all_reduce"];
        Assert.Equal([.. perStep, .. perStep, .. perStep], summary.Collectives.Select(k => k.Name));
        Assert.All(summary.Collectives, k => Assert.Equal(("0", 2, false), (k.ProcessGroup, k.GroupSize, k.SequenceRecorded)));
        Assert.Equal(Enumerable.Range(0, 21).Select(i => (long)i), summary.Collectives.Select(k => k.SequenceNumber));
        Assert.Equal([4L, 4, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6], summary.Collectives.Select(k => k.Step));
        // broadcast 53120 Float, broadcast 53 Long, all_reduce 2049000 Float, ...
        Assert.Equal([212_480L, 424, 8_196_000, 31_502_336, 26_255_360, 26_550_272, 9_724_160], summary.Collectives.Take(7).Select(k => k.MessageBytes));
        // Kernel times and the host op as recorded: the first broadcast at 4458676423385.774 µs + baseTimeNanoseconds.
        var first = summary.Collectives[0];
        Assert.Equal(1_711_964_646_000_000_000 + 4_458_676_423_385_774, first.StartNs);
        Assert.Equal(30_975, first.DurationNs);
        Assert.True(first.HostStartNs < first.StartNs);
    }

    [Fact]
    public void Without_recorded_arguments_names_and_sizes_come_from_the_ops_around_the_launch()
    {
        // DLRM (PyTorch 2.1 era): record_param_comms has no collective arguments; the launch sits inside a
        // "nccl:all_to_all" annotation whose record_shapes give the message, and the kernel is ncclKernel_SendRecv.
        var run = TraceLoader.Load([SharedData.Require("traces/kineto/param-v100-dlrm-8rank/rank-0.json.gz")]).Run!;

        var summary = RankCollectives.From(run.Ranks[0]);

        Assert.Equal((0, 8), (summary.Rank, summary.WorldSize));
        Assert.Equal(["all_to_all", "all_to_all", "all_to_all", "all_to_all", "all_reduce", "all_to_all", "all_reduce", "all_reduce"],
            summary.Collectives.Select(k => k.Name));
        Assert.Equal([24_576L, 192, 1_536, 13_568, 1_576_964, 24_576, 448, 907_840], summary.Collectives.Select(k => k.MessageBytes));
        Assert.All(summary.Collectives, k => Assert.Equal(("", -1, 10L, false), (k.ProcessGroup, k.GroupSize, k.Step, k.SequenceRecorded)));
        Assert.Equal(Enumerable.Range(0, 8).Select(i => (long)i), summary.Collectives.Select(k => k.SequenceNumber));
        // The first all_to_all: kernel 1694128201429795 µs for 2146 µs, launched under record_param_comms at 1694128201429742.
        Assert.Equal((1_694_128_201_429_795_000L, 2_146_000L, 1_694_128_201_429_742_000L),
            (summary.Collectives[0].StartNs, summary.Collectives[0].DurationNs, summary.Collectives[0].HostStartNs!.Value));
        Assert.Equal([new StepWindow(10, 1_694_128_201_428_006_000, 1_694_128_201_441_015_000)], summary.Steps);
    }

    [Fact]
    public void Kernel_names_alone_still_name_the_collective()
    {
        var summary = new MultiRankJobBuilder { Ranks = 2, Steps = 1, Metadata = CollectiveMetadata.KernelNameOnly }.Summaries()[0];

        Assert.Equal(["all_reduce", "all_gather", "send_recv"], summary.Collectives.Select(k => k.Name));
        Assert.All(summary.Collectives, k => Assert.Equal(("", -1L, -1), (k.ProcessGroup, k.MessageBytes, k.GroupSize)));
    }
}
