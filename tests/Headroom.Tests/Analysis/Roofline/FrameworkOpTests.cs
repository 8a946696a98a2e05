using Headroom.Analysis;
using Headroom.Analysis.Roofline;
using Headroom.Ingest;
using Headroom.Tests.Support;
using Xunit;

namespace Headroom.Tests.Analysis.Roofline;

/// <summary>Framework ops (<c>tf_op</c>): parsing, summing, and the TPU trace. XProf's golden agreement is in <see cref="XprofGoldenTests"/>.</summary>
public sealed class FrameworkOpTests
{
    public static TheoryData<string, string, string> TfOps() => new()
    {
        // tf_op as recorded, name, type
        { "jit(f)/jit(main)/add:", "jit(f)/jit(main)/add", "add" },
        { "jit(step)/mlp/wi_0/dot_general[dimension_numbers=(((2,), (0,)), ((), ())) precision=None]:",
            "jit(step)/mlp/wi_0/dot_general[dimension_numbers=(((2,), (0,)), ((), ())) precision=None]", "dot_general" },
        { "model/dense/MatMul:MatMul", "model/dense/MatMul", "MatMul" },
        { "while/body/_Send:_Send", "while/body/_Send", "_Send" },
        { "jit(f)/attention/vmap(jit(_splash))/jit(wrapped)/pallas_call", "jit(f)/attention/vmap(jit(_splash))/jit(wrapped)/pallas_call", "pallas_call" },
        { "jit(f)/reduce_sum[axes=(0, 1)/(2,)]", "jit(f)/reduce_sum[axes=(0, 1)/(2,)]", "reduce_sum" }, // a '/' inside brackets is not a path separator
        { "jit(f)/scatter-add[mode=CLIP]", "jit(f)/scatter-add[mode=CLIP]", "scatter-add[mode=CLIP]" }, // not a primitive name: its own type, as in XProf
        { "jit(f)/state.params['decoder']['kernel']", "jit(f)/state.params['decoder']['kernel']", "state.params['decoder']['kernel']" },
        { "add", "add", "add" },
    };

    [Theory]
    [MemberData(nameof(TfOps))]
    public void A_tf_op_is_parsed_into_name_and_type_as_XProf_does(string tfOp, string name, string type)
    {
        Assert.Equal((name, type), FrameworkOpAnalysis.Parse(tfOp));
    }

    [Fact]
    public void A_framework_op_runs_as_often_as_its_most_frequent_XLA_op_and_sums_their_time_and_costs()
    {
        // Given a JAX op lowered into two XLA ops, run 10 and 20 times, and a second op
        var samples = new[]
        {
            new FrameworkOpSample("jit(f)/dot_general[x]:", "fusion.1", 10, 4_000, 8e9, 8e9, 1e6, "bf16", true),
            new FrameworkOpSample("jit(f)/dot_general[x]:", "copy.2", 20, 1_000, 0, 0, 2e6, "bf16", false),
            new FrameworkOpSample("jit(f)/add:", "add.3", 5, 500, 1e3, 1e3, 0, "fp32", false),
        };

        // When they are summed without a device
        var result = FrameworkOpAnalysis.Aggregate(samples, null);

        // Then the dot_general ran 20 times (not 30) for 5 µs, 8e9 FLOPs and 3e6 bytes, with the dtype of its longest XLA op
        Assert.Equal(2, result.Count);
        Assert.Equal(5_500, result.TimeNs);
        var dot = result.Ops[0];
        Assert.Equal(("jit(f)/dot_general[x]", "dot_general", 20L, 2, 5_000L), (dot.Name, dot.Type, dot.Occurrences, dot.XlaOps, dot.TimeNs));
        Assert.Equal((8e9, 3e6, "bf16", true), (dot.Flops, dot.Bytes, dot.DataType, dot.Matrix));
        Assert.Equal(8e9 / 5e-6, dot.FlopsPerSecond!.Value, 1e-3);
        Assert.Equal(3e6 / 5e-6, dot.BytesPerSecond!.Value, 1e-3);
        Assert.Equal(8e9 / 3e6, dot.Intensity!.Value, 1e-9);
        // Without a device there is no bound or efficiency; an op that moves no bytes has no intensity
        Assert.Equal(RooflineBound.Unknown, dot.Bound);
        Assert.Null(dot.Efficiency);
        Assert.Null(result.Ops[1].Intensity);
    }

    [Fact]
    public void TPU_XLA_ops_are_grouped_by_the_JAX_op_they_came_from()
    {
        // Given the TPU v6e trace, whose XLA ops name their JAX op in a tf_op stat
        var load = TraceLoader.Load([SharedData.Require("traces/xplane/xprof-tpu-v6e-4chip-jax-inference.xplane.pb")]);
        var result = TraceAnalysis.Analyze(load.Run!, new AnalysisOptions());

        foreach (var rank in result.Ranks)
        {
            // Then the three broadcast_add_fusions (100 runs each) are one JAX add that ran 100 times, with their time and FLOPs
            var add = Assert.Single(rank.FrameworkOps.Ops, o => o.Name == "jit(f)/jit(main)/add");
            var fusion = Assert.Single(rank.Roofline.Ops, o => o.Name == "broadcast_add_fusion");
            Assert.Equal(("add", 100L, 3), (add.Type, add.Occurrences, add.XlaOps));
            Assert.Equal(fusion.TimeNs, add.TimeNs);
            Assert.Equal(fusion.Flops, add.Flops);
            Assert.Equal(fusion.Bytes, add.Bytes);
            Assert.Equal(RooflineBound.Memory, add.Bound);
            Assert.Equal(fusion.Efficiency!.Value, add.Efficiency!.Value, 9);

            // And every ns of device activity is either a framework op's or unattributed
            var trace = load.Run!.Ranks[rank.Rank];
            var busy = Enumerable.Range(0, trace.Gpu.Count).Where(trace.Gpu.IsActivity).Sum(g => trace.Gpu.Duration[g]);
            Assert.Equal(busy, rank.FrameworkOps.TimeNs + rank.FrameworkOps.UnattributedNs);
        }
    }

    [Fact]
    public void A_Kineto_trace_has_no_framework_ops()
    {
        var load = TraceLoader.Load([SharedData.Require("traces/kineto/tracelens-h100-bert-small-infer.json.gz")]);
        var rank = Assert.Single(TraceAnalysis.Analyze(load.Run!, new AnalysisOptions()).Ranks);
        Assert.Same(FrameworkOpResult.Empty, rank.FrameworkOps);
    }
}
