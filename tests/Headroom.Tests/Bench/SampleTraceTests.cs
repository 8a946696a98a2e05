using Headroom.Analysis;
using Headroom.Analysis.Kernels;
using Headroom.Ingest;
using Headroom.Model;
using Headroom.Tests.Support;
using Xunit;

namespace Headroom.Tests.Bench;

/// <summary>
/// The shipped sample (samples/h100-2rank, written by <c>Headroom.Bench sample</c>) is what the README's first command
/// analyses: it must load cleanly and show what it was made to show (steps, linked kernels, overlapped communication,
/// idle device time, a straggling rank).
/// </summary>
public sealed class SampleTraceTests
{
    private static readonly Lazy<(TraceRun Run, AnalysisResult Analysis)> Loaded = new(() =>
    {
        var load = TraceLoader.Load([RepositoryFiles.Sample()]);
        Assert.True(load.Run is not null, string.Join("; ", load.Errors.Select(e => e.Message)));
        return (load.Run!, TraceAnalysis.Analyze(load.Run!, new AnalysisOptions()));
    });

    private static TraceRun Run => Loaded.Value.Run;

    private static AnalysisResult Analysis => Loaded.Value.Analysis;

    [Fact]
    public void Ships_one_gzipped_trace_per_rank_of_under_a_megabyte()
    {
        var files = Directory.GetFiles(RepositoryFiles.Sample()).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(["rank-0.pt.trace.json.gz", "rank-1.pt.trace.json.gz"], files);
        Assert.All(Directory.GetFiles(RepositoryFiles.Sample()), f => Assert.InRange(new FileInfo(f).Length, 400_000, 1_000_000));
    }

    [Fact]
    public void Loads_two_H100_ranks_from_their_distributed_info_without_warnings()
    {
        Assert.Equal([0, 1], Run.Ranks.Select(r => r.Rank));
        Assert.All(Run.Ranks, r =>
        {
            Assert.Equal(RankSource.DistributedInfo, r.RankSource);
            Assert.Equal("NVIDIA H100 80GB HBM3", r.DeviceName);
            Assert.Equal(85_029_158_912, r.Devices[0].TotalMemoryBytes);
            Assert.Equal("9.0", r.Devices[0].ComputeCapability);
            Assert.Equal(132, r.Devices[0].MultiprocessorCount);
            Assert.Equal("nccl", r.Distributed!.Backend);
            Assert.Equal(2, r.Distributed.WorldSize);
            Assert.True(r.HasSubMicrosecondTimestamps);
            Assert.Equal(0, r.Census.Count(EventDisposition.Dropped));
        });
        Assert.DoesNotContain(Analysis.Diagnostics, d => d.Descriptor.Severity != DiagnosticSeverity.Info);
    }

    [Fact]
    public void Finds_five_steps_on_every_rank()
    {
        Assert.All(Analysis.Ranks, r => Assert.Equal([2L, 3L, 4L, 5L, 6L], r.Steps.Select(s => s.Step.Number)));
    }

    [Fact]
    public void Links_every_device_activity_to_its_launch_and_op()
    {
        Assert.All(Run.Ranks, r =>
        {
            Assert.True(r.Gpu.Count > 3_000);
            for (var g = 0; g < r.Gpu.Count; g++)
            {
                Assert.True(r.Gpu.Launcher[g] >= 0 && r.Gpu.Op[g] >= 0, $"device event {g} of rank {r.Rank} is not linked");
            }
        });
    }

    [Fact]
    public void Resolves_the_NCCL_kernels_to_their_all_reduce()
    {
        Assert.All(Run.Ranks, r =>
        {
            var nccl = Enumerable.Range(0, r.Gpu.Count).Where(g => r.Strings[r.Gpu.Name[g]].StartsWith("ncclDevKernel_AllReduce", StringComparison.Ordinal)).ToList();
            Assert.Equal(65, nccl.Count);
            Assert.All(nccl, g =>
            {
                Assert.Equal(20, r.Gpu.Stream[g]);
                var c = r.Collectives[r.Gpu.Collective[g]];
                Assert.Equal(("allreduce", 2, "BFloat16"), (c.Name, c.GroupSize, c.DataType));
            });
        });
    }

    [Fact]
    public void Shows_mostly_computation_with_overlapped_communication_and_some_idle_time()
    {
        Assert.All(Analysis.Ranks, r =>
        {
            var o = r.Overall;
            Assert.InRange(o.Share(o.ComputationNs), 0.85, 0.97);
            Assert.InRange(o.Share(o.IdleNs), 0.02, 0.10);
            Assert.InRange(o.CommunicationOverlapPercent ?? 0, 60, 99);
            Assert.Contains(r.Kernels.ByName, k => k.Category == KernelCategory.Gemm);
            Assert.Contains(r.Kernels.ByName, k => k.Category == KernelCategory.Attention);
        });
    }

    [Fact]
    public void Shows_rank_0_waiting_for_the_straggling_rank_1_in_its_collectives()
    {
        var comm = Analysis.Ranks.Select(r => r.Overall.CommunicationTotalNs).ToArray();

        Assert.True(comm[0] > 2 * comm[1], $"rank 0 communicates {comm[0]:N0} ns, rank 1 {comm[1]:N0} ns");
    }

    [Fact]
    public void Reproduces_under_HTA_conventions()
    {
        var hta = TraceAnalysis.Analyze(Run, new AnalysisOptions(HtaCompatible: true));

        Assert.All(hta.Ranks, r => Assert.True(r.HtaTemporal!.ComputeNs > 0));
    }
}
