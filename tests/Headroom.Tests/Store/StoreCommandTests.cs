using System.IO.Compression;
using System.Text.Json;
using Headroom.Store;
using Headroom.Tests.Cli;
using Headroom.Tests.Support;
using Xunit;

namespace Headroom.Tests.Store;

/// <summary>Specification of <c>analyze --save</c>, <c>runs list|show|rm</c> and <c>sql</c> as a user sees them.</summary>
public sealed class StoreCommandTests
{
    [Fact]
    public void Save_list_show_and_remove_the_sample_run()
    {
        // Given the shipped sample saved with a label
        using var temp = new TempStore();
        var sample = RepositoryFiles.Sample();
        var (code, analyzeJson, stderr) = CliRunner.Run("analyze", sample, "--save", "--label", "baseline", "--store", temp.Path, "--json");
        Assert.Equal(0, code);
        Assert.Contains($"headroom: saved run 1 (baseline) to {temp.Path}", stderr, StringComparison.Ordinal);

        // When the runs are listed, then there is one, with its ranks, hardware, step time and MFU from the report
        var report = JsonDocument.Parse(analyzeJson).RootElement;
        var ranks = report.GetProperty("ranks").EnumerateArray().ToList();
        var (listCode, list, _) = CliRunner.Run("runs", "list", "--store", temp.Path, "--json");
        Assert.Equal(0, listCode);
        var run = Assert.Single(JsonDocument.Parse(list).RootElement.EnumerateArray());
        Assert.Equal(1, run.GetProperty("id").GetInt64());
        Assert.Equal("baseline", run.GetProperty("label").GetString());
        Assert.Equal(2, run.GetProperty("ranks").GetInt32());
        Assert.Equal("h100-sxm", run.GetProperty("hardware").GetString());
        Assert.Equal(ranks.Average(r => r.GetProperty("mfu").GetProperty("mfu").GetDouble()), run.GetProperty("mfu").GetDouble(), 6);
        Assert.Equal(ranks.Max(r => r.GetProperty("headroom").GetProperty("step_time_ns").GetInt64()), run.GetProperty("step_ns").GetInt64());
        var table = CliRunner.Run("runs", "list", "--store", temp.Path).Stdout;
        Assert.Matches(@"(?m)^\s*1\s+baseline\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+2\s+h100-sxm\s+\d+\.\d{3} ms\s+\d+\.\d%$", table);

        // And show gives the inputs with their SHA-256 and the per-rank summary; show --json is the report analyze wrote
        var show = CliRunner.Run("runs", "show", "baseline", "--store", temp.Path).Stdout;
        Assert.Contains(RunFingerprint.Hash(Directory.GetFiles(sample).Order(StringComparer.Ordinal).First()).Sha256, show, StringComparison.Ordinal);
        Assert.Contains("NVIDIA H100 80GB HBM3", show, StringComparison.Ordinal);
        Assert.Equal(analyzeJson, CliRunner.Run("runs", "show", "1", "--store", temp.Path, "--json").Stdout);

        // And rm removes it; a second rm is an error naming the run
        Assert.Equal("Removed run 1 (baseline).\n", CliRunner.Run("runs", "rm", "baseline", "--store", temp.Path).Stdout.ReplaceLineEndings("\n"));
        Assert.Equal("[]", CliRunner.Run("runs", "list", "--store", temp.Path, "--json").Stdout.Trim());
        var (rmCode, _, rmError) = CliRunner.Run("runs", "rm", "baseline", "--store", temp.Path);
        Assert.Equal(2, rmCode);
        Assert.Equal($"headroom: error: {temp.Path}: no run 'baseline' (an id or a label); see 'headroom runs list'\n", rmError.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void An_unchanged_trace_reuses_the_stored_result_and_says_so_and_the_json_is_identical()
    {
        // Given a real trace saved once
        var trace = SharedData.Require("traces/kineto/hta-a100-ddp-nccl-rank0of2.json.gz");
        using var temp = new TempStore();
        var first = CliRunner.Run("analyze", trace, "--save", "--store", temp.Path, "--json");
        Assert.Equal(0, first.ExitCode);

        // When it is analysed again (with --save, and with --store only)
        var second = CliRunner.Run("analyze", trace, "--save", "--store", temp.Path, "--json");
        var third = CliRunner.Run("analyze", trace, "--store", temp.Path, "--json");

        // Then both reuse run 1, say so, and write the stored JSON unchanged; no second run is saved
        Assert.StartsWith("headroom: reusing run 1 (same traces, same version", second.Stderr, StringComparison.Ordinal);
        Assert.Equal(first.Stdout, second.Stdout);
        Assert.Equal(first.Stdout, third.Stdout);
        using var store = RunStore.Open(temp.Path);
        Assert.Equal(1, store.Count);

        // And --no-reuse analyses again, to the same JSON; other options are another key
        var fresh = CliRunner.Run("analyze", trace, "--store", temp.Path, "--json", "--no-reuse");
        Assert.DoesNotContain("reusing", fresh.Stderr, StringComparison.Ordinal);
        Assert.Equal(first.Stdout, fresh.Stdout);
        Assert.DoesNotContain("reusing", CliRunner.Run("analyze", trace, "--store", temp.Path, "--json", "--top", "3").Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_changed_trace_file_is_analysed_again_and_saved_as_a_new_run()
    {
        // Given a copy of the sample saved once
        using var temp = new TempStore();
        var folder = Directory.CreateDirectory(Path.Combine(temp.Folder, "job")).FullName;
        foreach (var f in Directory.GetFiles(RepositoryFiles.Sample()))
        {
            File.Copy(f, Path.Combine(folder, Path.GetFileName(f)));
        }

        Assert.Equal(0, CliRunner.Run("analyze", folder, "--save", "--store", temp.Path).ExitCode);

        // When one file's bytes change (rank 1 written uncompressed: the same events, another content hash)
        var rank1 = Path.Combine(folder, "rank-1.pt.trace.json.gz");
        byte[] plain;
        using (var gz = new GZipStream(File.OpenRead(rank1), CompressionMode.Decompress))
        using (var buffer = new MemoryStream())
        {
            gz.CopyTo(buffer);
            plain = buffer.ToArray();
        }

        File.WriteAllBytes(rank1, plain);
        var (code, _, stderr) = CliRunner.Run("analyze", folder, "--save", "--store", temp.Path);

        // Then nothing is reused: a second run is saved, with the new file's hash
        Assert.Equal(0, code);
        Assert.DoesNotContain("reusing", stderr, StringComparison.Ordinal);
        Assert.Contains("headroom: saved run 2", stderr, StringComparison.Ordinal);
        using var store = RunStore.Open(temp.Path);
        Assert.Equal(plain.Length, store.LoadInputs(2).Single(i => i.Path.EndsWith("rank-1.pt.trace.json.gz", StringComparison.Ordinal)).Bytes);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(plain)), store.LoadInputs(2)[1].Sha256);
    }

    [Fact]
    public void Reusing_with_a_new_label_saves_a_labelled_copy()
    {
        using var temp = new TempStore();
        var sample = RepositoryFiles.Sample();
        Assert.Equal(0, CliRunner.Run("analyze", sample, "--save", "--label", "a", "--store", temp.Path).ExitCode);

        var (code, _, stderr) = CliRunner.Run("analyze", sample, "--save", "--label", "b", "--store", temp.Path);

        Assert.Equal(0, code);
        Assert.Contains("reusing run 1 (a)", stderr, StringComparison.Ordinal);
        Assert.Contains("saved run 2 (b)", stderr, StringComparison.Ordinal);
        using var store = RunStore.Open(temp.Path);
        Assert.Equal(StoreFixtures.Canonical(store.LoadComparable("a") with { Name = "x" }), StoreFixtures.Canonical(store.LoadComparable("b") with { Name = "x" }));
        Assert.Equal(store.LoadReportJson(1), store.LoadReportJson(2));
        var newest = JsonDocument.Parse(CliRunner.Run("runs", "list", "--limit", "1", "--json", "--store", temp.Path).Stdout).RootElement;
        Assert.Equal("b", Assert.Single(newest.EnumerateArray()).GetProperty("label").GetString());
    }

    [Fact]
    public void Sql_writes_a_table_csv_or_json_over_the_documented_tables()
    {
        // Given the sample saved
        using var temp = new TempStore();
        Assert.Equal(0, CliRunner.Run("analyze", RepositoryFiles.Sample(), "--save", "--label", "base, \"quoted\"", "--store", temp.Path).ExitCode);
        const string query = "SELECT r.id, r.label, k.rank, count(*) AS kernels FROM runs r JOIN kernels k ON k.run_id = r.id GROUP BY r.id, k.rank ORDER BY k.rank";
        using var store = RunStore.Open(temp.Path);
        var kernels0 = (long)store.Query("SELECT count(*) FROM kernels WHERE rank = 0").Rows[0][0]!;

        // Then CSV quotes per RFC 4180, JSON keeps numbers as numbers, and the table ends with the row count
        var csv = CliRunner.Run("sql", query, "--store", temp.Path, "--format", "csv");
        Assert.Equal(0, csv.ExitCode);
        Assert.StartsWith($"id,label,rank,kernels\n1,\"base, \"\"quoted\"\"\",0,{kernels0}\n1,", csv.Stdout.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        var json = JsonDocument.Parse(CliRunner.Run("sql", query, "--store", temp.Path, "-f", "json").Stdout).RootElement.EnumerateArray().ToList();
        Assert.Equal(2, json.Count);
        Assert.Equal(kernels0, json[0].GetProperty("kernels").GetInt64());
        Assert.Equal("base, \"quoted\"", json[0].GetProperty("label").GetString());
        var table = CliRunner.Run("sql", query, "--store", temp.Path).Stdout;
        Assert.Matches(@"^id\s+label\s+rank\s+kernels\n", table.ReplaceLineEndings("\n"));
        Assert.EndsWith("(2 rows)\n", table.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void Store_commands_on_a_store_that_does_not_exist_create_nothing()
    {
        using var temp = new TempStore();

        var list = CliRunner.Run("runs", "list", "--store", temp.Path);
        var show = CliRunner.Run("runs", "show", "1", "--store", temp.Path);
        var sql = CliRunner.Run("sql", "SELECT 1", "--store", temp.Path);

        Assert.Equal((0, $"No runs stored in {temp.Path} yet; save one with 'headroom analyze --save'.\n"), (list.ExitCode, list.Stdout.ReplaceLineEndings("\n")));
        Assert.All(new[] { show, sql }, r => Assert.Equal((2, $"headroom: error: {temp.Path}: no run store here yet; save a run with 'headroom analyze --save' or pass --store PATH\n"),
            (r.ExitCode, r.Stderr.ReplaceLineEndings("\n"))));
        Assert.False(File.Exists(temp.Path));
    }

    [Fact]
    public void A_label_without_save_is_refused()
    {
        var (code, stdout, stderr) = CliRunner.Run("analyze", RepositoryFiles.Sample(), "--label", "x");

        Assert.Equal((2, ""), (code, stdout));
        Assert.Equal("headroom: error: --label names a saved run: add --save\n", stderr.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Sql_errors_and_writes_are_one_line_and_exit_2()
    {
        using var temp = new TempStore();
        Assert.Equal(0, CliRunner.Run("analyze", RepositoryFiles.Sample(), "--save", "--store", temp.Path).ExitCode);

        var missing = CliRunner.Run("sql", "SELECT * FROM nope", "--store", temp.Path);
        var write = CliRunner.Run("sql", "DELETE FROM runs", "--store", temp.Path);

        Assert.Equal((2, ""), (missing.ExitCode, missing.Stdout));
        Assert.Equal($"headroom: error: {temp.Path}: SQLite Error 1: 'no such table: nope'\n", missing.Stderr.ReplaceLineEndings("\n"));
        Assert.Equal(2, write.ExitCode);
        Assert.Single(write.Stderr.Trim().Split('\n'));
        using var store = RunStore.Open(temp.Path);
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public void A_bad_store_file_is_one_error_line_with_the_way_out_for_every_command()
    {
        // Given a store path holding something that is not a store
        using var temp = new TempStore();
        File.WriteAllText(temp.Path, new string('x', 4096));

        foreach (var args in new[]
        {
            new[] { "analyze", RepositoryFiles.Sample(), "--save", "--store", temp.Path },
            ["runs", "list", "--store", temp.Path],
            ["runs", "show", "1", "--store", temp.Path],
            ["sql", "SELECT 1", "--store", temp.Path],
        })
        {
            var (code, stdout, stderr) = CliRunner.Run(args);
            Assert.Equal(2, code);
            Assert.Equal("", stdout);
            Assert.Equal($"headroom: error: {temp.Path}: not an SQLite database, so not a Headroom run store; "
                + "move the file aside (the next save creates a new store there) or pass --store PATH\n", stderr.ReplaceLineEndings("\n"));
        }
    }
}
