using Headroom.Ingest;
using Headroom.Model;
using Xunit;

namespace Headroom.Tests.Ingest;

/// <summary>
/// Which rank each input file is: <c>distributedInfo.rank</c>, else a rank in the file name, else the file's position
/// among the inputs (skipping ranks already claimed).
/// </summary>
public sealed class RankAssignmentTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("headroom-ranks-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("rank-3.json", 3)]
    [InlineData("worker_12.pt.trace.json", 12)]
    [InlineData("RANK7.json", 7)]
    [InlineData("trace_rank3.json.gz", 3)]
    [InlineData("worker0.1623143089861.pt.trace.json", 0)]
    [InlineData("job.rank_15.json", 15)]
    public void Takes_the_rank_from_the_file_name_when_the_trace_declares_none(string fileName, int rank)
    {
        var path = Write(fileName, rank: null);

        var run = Load(path);

        var trace = Assert.Single(run.Ranks);
        Assert.Equal(rank, trace.Rank);
        Assert.Equal(RankSource.FileName, trace.RankSource);
        var d = Assert.Single(run.Diagnostics, d => d.Code == "rank-from-file-name");
        Assert.Equal(path, d.File);
        Assert.Contains($"rank {rank}", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Prefers_distributedInfo_rank_over_the_file_name()
    {
        var path = Write("rank-5.json", rank: 2);

        var trace = Assert.Single(Load(path).Ranks);

        Assert.Equal(2, trace.Rank);
        Assert.Equal(RankSource.DistributedInfo, trace.RankSource);
    }

    [Fact]
    public void Numbers_unnamed_files_by_input_order_skipping_claimed_ranks()
    {
        // Given, in this order: an unnamed file, a file named rank-0, another unnamed file, and one declaring rank 2
        var z = Write("z.json", rank: null);
        var rank0 = Write("rank-0.json", rank: null);
        var a = Write("a.json", rank: null);
        var declared = Write("declared.json", rank: 2);

        // When they are loaded together
        var run = Load(z, rank0, a, declared);

        // Then the unnamed files take the free ranks 1 and 3 in input order (not name order), and ranks come out sorted
        Assert.Equal([(0, rank0, RankSource.FileName), (1, z, RankSource.FileOrder), (2, declared, RankSource.DistributedInfo), (3, a, RankSource.FileOrder)],
            run.Ranks.Select(r => (r.Rank, r.SourcePath, r.RankSource)));
        Assert.Equal([z, a], run.Diagnostics.Where(d => d.Code == "rank-from-file-order").Select(d => d.File));
    }

    [Fact]
    public void Numbers_the_files_of_a_folder_in_natural_name_order()
    {
        // Given a folder whose files carry no rank: natural order puts part9 before part10
        var folder = Directory.CreateDirectory(Path.Combine(_dir, "job")).FullName;
        string[] names = ["part10.json", "part9.json", "part1.json"];
        foreach (var name in names)
        {
            Write(Path.Combine("job", name), rank: null);
        }

        var run = Load(folder);

        Assert.Equal(["part1.json", "part9.json", "part10.json"], run.Ranks.Select(r => Path.GetFileName(r.SourcePath)));
        Assert.Equal([0, 1, 2], run.Ranks.Select(r => r.Rank));
        Assert.All(run.Ranks, r => Assert.Equal(RankSource.FileOrder, r.RankSource));
    }

    [Fact]
    public void A_single_unnamed_file_is_rank_0_without_an_order_notice()
    {
        var run = Load(Write("trace.json", rank: null));

        var trace = Assert.Single(run.Ranks);
        Assert.Equal((0, RankSource.FileOrder), (trace.Rank, trace.RankSource));
        Assert.DoesNotContain(run.Diagnostics, d => d.Code is "rank-from-file-order" or "rank-from-file-name");
    }

    [Fact]
    public void A_rank_in_a_file_name_clashing_with_a_declared_rank_is_a_duplicate_analysed_under_a_free_id()
    {
        var declared = Write("declared.json", rank: 4);
        var named = Write("worker4.json", rank: null);

        var result = TraceLoader.Load([declared, named]);

        Assert.NotNull(result.Run);
        Assert.Equal([(0, named), (4, declared)], result.Run.Ranks.Select(r => (r.Rank, r.SourcePath)));
        var warning = Assert.Single(result.Run.Diagnostics, d => d.Code == "duplicate-rank");
        Assert.Equal(named, warning.File);
        Assert.Contains(declared, warning.Message, StringComparison.Ordinal);
        Assert.Contains("analysed as rank 0", warning.Message, StringComparison.Ordinal);
    }

    private static TraceRun Load(params string[] paths)
    {
        var result = TraceLoader.Load(paths);
        Assert.True(result.Errors.Count == 0, string.Join("; ", result.Errors.Select(e => $"{e.Code}: {e.Message}")));
        return result.Run!;
    }

    private string Write(string relative, int? rank)
    {
        var path = Path.Combine(_dir, relative);
        var distributed = rank is int r ? $"\"distributedInfo\": {{\"backend\": \"nccl\", \"rank\": {r}, \"world_size\": 8}}, " : "";
        File.WriteAllText(path, $$"""{{{distributed}}"traceEvents": [{"ph": "X", "cat": "cpu_op", "name": "op", "ts": 1, "dur": 2, "pid": 1, "tid": 1}]}""");
        return path;
    }
}
