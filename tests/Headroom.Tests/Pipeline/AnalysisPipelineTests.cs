using System.Text;
using Headroom.Analysis;
using Headroom.Ingest;
using Headroom.Pipeline;
using Headroom.Report;
using Headroom.Tests.Support;
using Xunit;

namespace Headroom.Tests.Pipeline;

/// <summary>Reading and analysing rank by rank gives exactly what analysing the whole job in memory gives.</summary>
public sealed class AnalysisPipelineTests
{
    private static string Json(AnalysisResult result)
    {
        using var buffer = new MemoryStream();
        JsonReportRenderer.Write(AnalyzeReport.Create(result), buffer);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    [Theory]
    [InlineData("traces/kineto/param-v100-dlrm-8rank", null)]
    [InlineData("traces/kineto/param-v100-dlrm-8rank", 5)]
    [InlineData("traces/kineto/hta-128rank-sampled", null)]
    [InlineData("traces/kineto/hta-a100-ddp-nccl-rank0of2.json.gz", null)]
    public void Streaming_rank_by_rank_reports_the_same_as_the_in_memory_job(string relative, int? rank)
    {
        // Given a job, analysed once in memory and once streamed rank by rank
        var path = SharedData.Require(relative);
        var options = new AnalysisOptions(Rank: rank);
        var inMemory = TraceAnalysis.Analyze(TraceLoader.Load([path]).Run!, options);
        var streamed = AnalysisPipeline.AnalyzeFiles([path], options);

        // Then the reports are identical, byte for byte
        Assert.Empty(streamed.Errors);
        Assert.Equal(Json(inMemory), Json(streamed.Result!));
    }

    [Fact]
    public void Streaming_assigns_file_order_ranks_after_every_file_is_read()
    {
        // Given three traces without distributedInfo, one named rank-1
        var dir = Directory.CreateTempSubdirectory("headroom-pipeline-").FullName;
        try
        {
            foreach (var name in new[] { "a.json", "rank-1.json", "c.json" })
            {
                File.WriteAllText(Path.Combine(dir, name), new KinetoTraceBuilder().LaunchedKernel("aten::mm", "volta_sgemm_64x64_nt", 1, 0, 10, 5).ToJson());
            }

            var result = AnalysisPipeline.AnalyzeFiles([dir], new AnalysisOptions()).Result!;

            // Then the named file keeps rank 1 and the others take 0 and 2, in input order
            Assert.Equal([(0, "a.json"), (1, "rank-1.json"), (2, "c.json")], result.Ranks.Select(r => (r.Rank, Path.GetFileName(r.SourcePath))));
            Assert.Equal(result.Ranks.Select(r => r.Rank), result.Inputs.Select(i => i.Rank));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Streaming_reports_an_unusable_file_as_an_error()
    {
        var dir = Directory.CreateTempSubdirectory("headroom-pipeline-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "rank-0.json"), new KinetoTraceBuilder().LaunchedKernel("aten::mm", "k", 1, 0, 10, 5).ToJson(rank: 0));
            File.WriteAllText(Path.Combine(dir, "rank-1.json"), "");
            var outcome = AnalysisPipeline.AnalyzeFiles([dir], new AnalysisOptions());
            Assert.Null(outcome.Result);
            Assert.Equal("file-empty", Assert.Single(outcome.Errors).Code);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
