using System.Diagnostics;
using Headroom.Store;
using Headroom.Tests.Cli;
using Headroom.Tests.Support;
using Xunit;

namespace Headroom.Tests.Store;

/// <summary>
/// The store under real processes: several <c>headroom analyze --save</c> at once on one new store, and a process killed
/// inside its save transaction.
/// </summary>
public sealed class StoreConcurrencyTests
{
    private const int Processes = 5;

    [Fact]
    public void Five_processes_saving_at_once_to_a_new_store_all_succeed_and_leave_it_sound()
    {
        // Given a store that does not exist yet
        using var temp = new TempStore();
        var sample = RepositoryFiles.Sample();

        // When five processes analyse and save the sample at the same time (each creating or migrating the store if first)
        var children = Enumerable.Range(0, Processes)
            .Select(i => StoreFixtures.Start(null, "analyze", sample, "--save", "--no-reuse", "--label", $"p{i}", "--store", temp.Path))
            .ToList();
        var outcomes = children.Select(p =>
        {
            var stderr = p.StandardError.ReadToEndAsync();
            _ = p.StandardOutput.ReadToEnd();
            Assert.True(p.WaitForExit(TimeSpan.FromMinutes(3)), "a saving process hung");
            return (p.ExitCode, Stderr: stderr.Result);
        }).ToList();

        // Then every one succeeded with its own run id, and the store holds five whole, readable, equal runs
        Assert.All(outcomes, o => Assert.True(o.ExitCode == 0, o.Stderr));
        Assert.Equal(Enumerable.Range(1, Processes).Select(i => (long)i),
            outcomes.Select(o => long.Parse(System.Text.RegularExpressions.Regex.Match(o.Stderr, @"saved run (\d+)").Groups[1].Value,
                System.Globalization.CultureInfo.InvariantCulture)).Order());
        using var store = RunStore.Open(temp.Path);
        Assert.Equal("ok", store.IntegrityCheck());
        Assert.Equal(Processes, store.Count);
        var expected = StoreFixtures.Canonical(store.LoadComparable("p0") with { Name = "" });
        for (var i = 1; i < Processes; i++)
        {
            Assert.Equal(expected, StoreFixtures.Canonical(store.LoadComparable($"p{i}") with { Name = "" }));
        }

        Assert.Equal(1L, store.Query("SELECT count(DISTINCT json) FROM reports").Rows[0][0]);
    }

    [Fact]
    public void A_process_killed_in_the_middle_of_its_save_loses_only_its_own_run()
    {
        // Given a store with one run
        using var temp = new TempStore();
        var sample = RepositoryFiles.Sample();
        Assert.Equal(0, CliRunner.Run("analyze", sample, "--save", "--label", "kept", "--store", temp.Path).ExitCode);

        // When a second save is killed while its transaction holds every row of the new run, not yet committed
        using var child = StoreFixtures.Start(new Dictionary<string, string> { ["HEADROOM_TEST_PAUSE_BEFORE_COMMIT_MS"] = "120000" },
            "analyze", sample, "--save", "--no-reuse", "--label", "killed", "--store", temp.Path);
        _ = child.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var watch = Stopwatch.StartNew();
        string? line;
        while ((line = child.StandardError.ReadLine()) is not null && !line.Contains("pausing before commit", StringComparison.Ordinal))
        {
            Assert.True(watch.Elapsed < TimeSpan.FromMinutes(2), "the child never reached its commit");
        }

        Assert.NotNull(line);
        child.Kill(entireProcessTree: true);
        Assert.True(child.WaitForExit(TimeSpan.FromSeconds(30)));

        // Then the store is sound, holds the first run whole and nothing of the killed one, and takes new saves
        using var store = RunStore.Open(temp.Path);
        Assert.Equal("ok", store.IntegrityCheck());
        Assert.Equal("kept", Assert.Single(store.List()).Label);
        Assert.Null(store.Find("killed"));
        foreach (var table in new[] { "reports", "inputs", "ranks", "steps", "ops", "kernels", "roofline_ops", "headroom_items", "metadata" })
        {
            Assert.Equal(0L, store.Query($"SELECT count(*) FROM {table} WHERE run_id NOT IN (SELECT id FROM runs)").Rows[0][0]);
        }

        Assert.Equal(2, store.LoadComparable("kept").Ranks.Count);
        var (code, _, stderr) = CliRunner.Run("analyze", sample, "--save", "--no-reuse", "--label", "after", "--store", temp.Path);
        Assert.True(code == 0, stderr);
        Assert.Equal(["after", "kept"], store.List().Select(r => r.Label));
    }
}
