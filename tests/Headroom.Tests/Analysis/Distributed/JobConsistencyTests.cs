using Headroom.Analysis;
using Headroom.Analysis.Distributed;
using Headroom.Ingest;
using Headroom.Tests.Support;
using Xunit;

namespace Headroom.Tests.Analysis.Distributed;

/// <summary>Ranks that do not form one whole job are named, and the analysis goes on.</summary>
public sealed class JobConsistencyTests
{
    private static string RankFile(string dir, int rank, int worldSize, string groups = "")
    {
        var path = Path.Combine(dir, $"rank-{rank}.json");
        var pg = groups.Length > 0 ? $", \"pg_config\": [{groups}]" : "";
        var kernel = "{\"ph\": \"X\", \"cat\": \"kernel\", \"name\": \"volta_sgemm_64x64_nt\", \"pid\": 0, \"tid\": 7, \"ts\": 10, \"dur\": 5, \"args\": {\"stream\": 7}}";
        File.WriteAllText(path, $"{{\"distributedInfo\": {{\"backend\": \"nccl\", \"rank\": {rank}, \"world_size\": {worldSize}{pg}}}, \"traceEvents\": [{kernel}]}}");
        return path;
    }

    private static IReadOnlyList<Headroom.Model.Diagnostic> Analyze(string folder)
    {
        var run = TraceLoader.Load([folder]).Run;
        Assert.NotNull(run);
        var result = TraceAnalysis.Analyze(run, new AnalysisOptions());
        Assert.Equal(run.Ranks.Count, result.Ranks.Count);

        // Ranks of different jobs are each analysed, but not compared with each other.
        if (result.Diagnostics.Any(d => d.Code == "mixed-jobs"))
        {
            Assert.Null(result.Collectives);
        }

        return result.Diagnostics;
    }

    [Fact]
    public void Names_the_missing_ranks_of_a_job()
    {
        // Given 7 of the 8 ranks of a job
        var dir = Directory.CreateTempSubdirectory("headroom-job-").FullName;
        try
        {
            foreach (var r in new[] { 0, 1, 2, 3, 4, 6, 7 })
            {
                RankFile(dir, r, 8);
            }

            var d = Assert.Single(Analyze(dir), d => d.Code == "missing-ranks");
            Assert.Equal("7 of 8 ranks present; missing: 5", d.Message);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Names_ranks_from_jobs_of_different_sizes()
    {
        var dir = Directory.CreateTempSubdirectory("headroom-job-").FullName;
        try
        {
            RankFile(dir, 0, 2);
            RankFile(dir, 1, 2);
            RankFile(dir, 2, 4);
            var d = Assert.Single(Analyze(dir), d => d.Code == "mixed-jobs");
            Assert.Equal("ranks declare different world sizes (world size 2: 0-1; world size 4: 2); cross-rank analyses were skipped", d.Message);
            Assert.DoesNotContain(Analyze(dir), d => d.Code == "missing-ranks");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Names_ranks_with_different_process_groups()
    {
        var dir = Directory.CreateTempSubdirectory("headroom-job-").FullName;
        try
        {
            RankFile(dir, 0, 2, "{\"pg_name\": \"0\", \"pg_size\": 2, \"ranks\": [0, 1]}");
            RankFile(dir, 1, 2, "{\"pg_name\": \"7\", \"pg_size\": 2, \"ranks\": [0, 1]}");
            Assert.Single(Analyze(dir), d => d.Code == "mixed-jobs");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Finds_nothing_to_say_about_the_real_eight_rank_job()
    {
        var diagnostics = Analyze(SharedData.Require("traces/kineto/param-v100-dlrm-8rank"));
        Assert.DoesNotContain(diagnostics, d => d.Code is "mixed-jobs" or "missing-ranks");
    }

    [Fact]
    public void Goes_on_across_ranks_when_one_rank_has_no_device_work()
    {
        // Given a 3-rank job where ranks 0 and 1 ran an all-reduce and rank 2's trace holds host events only
        var dir = Directory.CreateTempSubdirectory("headroom-job-").FullName;
        try
        {
            foreach (var r in new[] { 0, 1 })
            {
                var trace = new KinetoTraceBuilder()
                    .LaunchedKernel("aten::mm", "volta_sgemm_64x64_nt", 1, 0, 100, 50)
                    .LaunchedKernel("nccl:all_reduce", "ncclKernel_AllReduce_RING_LL_Sum_float", 2, 20, 160 + (r * 30), 40 - (r * 30), stream: 20);
                File.WriteAllText(Path.Combine(dir, $"rank-{r}.json"), trace.ToJson(rank: r));
            }

            File.WriteAllText(Path.Combine(dir, "rank-2.json"), new KinetoTraceBuilder().Op("aten::empty", 0, 5).ToJson(rank: 2));

            // When the job is analysed
            var run = TraceLoader.Load([dir]).Run!;
            var result = TraceAnalysis.Analyze(run, new AnalysisOptions());

            // Then every rank is reported, rank 2 is named as having no device work, and the all-reduce is matched on 0 and 1
            Assert.Equal([0, 1, 2], result.Ranks.Select(r => r.Rank));
            Assert.Contains(result.Diagnostics, d => d.Code == "no-gpu-events" && d.File!.EndsWith("rank-2.json", StringComparison.Ordinal));
            var collectives = Assert.IsType<CollectiveAnalysisResult>(result.Collectives);
            var instance = Assert.Single(collectives.Instances);
            Assert.Equal([0, 1], instance.Ranks.Select(p => p.Rank));
            Assert.Equal(1, instance.LastRank);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Theory]
    [InlineData(new[] { 0, 1, 2, 3, 5, 7, 8, 9 }, "0-3, 5, 7-9")]
    [InlineData(new[] { 4 }, "4")]
    [InlineData(new int[0], "")]
    public void Describes_rank_sets_compactly(int[] ranks, string expected) =>
        Assert.Equal(expected, JobConsistencyAnalysis.Describe(ranks));
}
