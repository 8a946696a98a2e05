using Headroom.Analysis.Comparison;
using Headroom.Report;
using Headroom.Store;
using Headroom.Tests.Support;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Headroom.Tests.Store;

/// <summary>Specification of the run store as a library: what a saved run gives back, and how bad store files are refused.</summary>
public sealed class RunStoreTests
{
    private static long Save(RunStore store, Headroom.Analysis.AnalysisResult result, string? label, params string[] paths)
    {
        var fingerprint = RunFingerprint.Compute(paths, ToolInfo.Version, "test", null)!;
        using var json = new MemoryStream();
        JsonReportRenderer.Write(AnalyzeReport.Create(result), json);
        return store.Save(result, System.Text.Encoding.UTF8.GetString(json.ToArray()), label, fingerprint, ToolInfo.Version);
    }

    [Fact]
    public void A_saved_sample_run_loads_back_as_exactly_the_comparable_run_of_a_fresh_analysis()
    {
        // Given the shipped 2-rank sample, analysed and saved under a label
        using var temp = new TempStore();
        var sample = RepositoryFiles.Sample();
        var result = StoreFixtures.Analyze(sample);
        using var store = RunStore.Open(temp.Path);
        var id = Save(store, result, "baseline", sample);

        // When it is loaded back by label and by id
        var byLabel = store.LoadComparable("baseline");
        var byId = store.LoadComparable(id.ToString(System.Globalization.CultureInfo.InvariantCulture));

        // Then it equals ComparableRun.From of a fresh analysis, field by field (ranks, breakdown, MFU, op and kernel tables, samples)
        var fresh = ComparableRun.From(StoreFixtures.Analyze(sample), "baseline", ToolInfo.Version);
        Assert.Equal(StoreFixtures.Canonical(fresh), StoreFixtures.Canonical(byLabel));
        Assert.Equal(StoreFixtures.Canonical(fresh), StoreFixtures.Canonical(byId));
        Assert.Equal([0, 1], byLabel.Ranks.Select(r => r.Rank));
        Assert.All(byLabel.Ranks, r => Assert.Equal("h100-sxm", r.HardwareId));
        Assert.All(byLabel.Ranks, r => Assert.Equal(r.Tables.StepNumbers.Count, Assert.IsType<long[]>(r.Tables.Ops[0].PerStepNs).Length));
        Assert.True(byLabel.Ranks[0].Tables.Ops.Count > 5 && byLabel.Ranks[0].Tables.Kernels.Count > 5);
    }

    [Fact]
    public void A_saved_real_trace_loads_back_as_exactly_its_comparable_run()
    {
        // Given a real two-stream DDP trace with three profiler steps, saved without a label
        var trace = SharedData.Require("traces/kineto/hta-a100-ddp-nccl-rank0of2.json.gz");
        using var temp = new TempStore();
        var result = StoreFixtures.Analyze(trace);
        using var store = RunStore.Open(temp.Path);
        var id = Save(store, result, null, trace);

        // When it is loaded back
        var loaded = store.LoadComparable($"{id}");

        // Then it is the comparable run, named "run ID", with the three step samples
        Assert.Equal(StoreFixtures.Canonical(ComparableRun.From(result, $"run {id}", ToolInfo.Version)), StoreFixtures.Canonical(loaded));
        Assert.Equal([4L, 5L, 6L], loaded.Ranks.Single().Tables.StepNumbers);
        var run = store.Find($"{id}")!;
        Assert.Equal(1, run.RankCount);
        Assert.Equal("a100", run.Hardware.Split('-')[0]);
        Assert.Equal("ok", store.IntegrityCheck());
    }

    [Fact]
    public void Removing_a_run_removes_every_row_of_it_and_keeps_the_others()
    {
        // Given two saved runs
        using var temp = new TempStore();
        var sample = RepositoryFiles.Sample();
        var result = StoreFixtures.Analyze(sample);
        using var store = RunStore.Open(temp.Path);
        var first = Save(store, result, "a", sample);
        var second = Save(store, result, "b", sample);

        // When the first is removed
        var removed = store.Remove("a");

        // Then no table holds a row of it, and the second is whole
        Assert.Equal(first, removed!.Id);
        foreach (var table in new[] { "reports", "inputs", "metadata", "ranks", "steps", "ops", "kernels", "roofline_ops", "headroom_items" })
        {
            Assert.Equal(0L, store.Query($"SELECT count(*) FROM {table} WHERE run_id = {first}").Rows[0][0]);
            Assert.True((long)store.Query($"SELECT count(*) FROM {table} WHERE run_id = {second}").Rows[0][0]! > 0, table);
        }

        Assert.Null(store.Remove("a"));
        Assert.Equal(second, Assert.Single(store.List()).Id);
    }

    [Fact]
    public void A_new_store_file_gets_the_current_schema_version_and_an_empty_file_is_initialised()
    {
        // Given an empty file where the store should be
        using var temp = new TempStore();
        File.WriteAllBytes(temp.Path, []);

        // When it is opened for writing
        using var store = RunStore.Open(temp.Path);

        // Then it is a store of the current schema, with no runs
        Assert.Equal(StoreSchema.CurrentVersion, store.SchemaVersion);
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void A_file_that_is_not_SQLite_is_refused_with_the_way_out()
    {
        // Given a text file at the store path
        using var temp = new TempStore();
        File.WriteAllText(temp.Path, "this is not a database, it is a note to self that is long enough to fill SQLite's header page\n");

        // When it is opened
        var e = Assert.Throws<StoreException>(() => RunStore.Open(temp.Path));

        // Then the message says what it is not, and how to get out; the file is untouched
        Assert.Contains("not an SQLite database", e.Message, StringComparison.Ordinal);
        Assert.Contains("--store PATH", e.Message, StringComparison.Ordinal);
        Assert.StartsWith("this is not a database", File.ReadAllText(temp.Path), StringComparison.Ordinal);
    }

    [Fact]
    public void An_SQLite_file_of_another_application_is_refused_and_left_unchanged()
    {
        // Given some other program's SQLite database
        using var temp = new TempStore();
        using (var other = new SqliteConnection($"Data Source={temp.Path};Pooling=false"))
        {
            other.Open();
            using var create = other.CreateCommand();
            create.CommandText = "CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('keep me')";
            create.ExecuteNonQuery();
        }

        var before = File.ReadAllBytes(temp.Path);

        // When it is opened as a store
        var e = Assert.Throws<StoreException>(() => RunStore.Open(temp.Path));

        // Then it is refused and not written to
        Assert.Contains("not a Headroom run store", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(temp.Path));
    }

    [Fact]
    public void A_store_written_by_a_newer_schema_is_refused_and_an_older_one_is_reported_to_read_only_use()
    {
        // Given a store whose schema version is ahead of this build
        using var temp = new TempStore();
        using (RunStore.Open(temp.Path))
        {
        }

        SetUserVersion(temp.Path, StoreSchema.CurrentVersion + 1);

        // When it is opened, then the message names both versions
        var newer = Assert.Throws<StoreException>(() => RunStore.Open(temp.Path));
        Assert.Contains($"schema v{StoreSchema.CurrentVersion + 1}", newer.Message, StringComparison.Ordinal);
        Assert.Contains($"reads up to v{StoreSchema.CurrentVersion}", newer.Message, StringComparison.Ordinal);

        // And a store behind this build's version is not read as if it were current (read-only) but named as older
        SetUserVersion(temp.Path, StoreSchema.CurrentVersion - 1);
        var older = Assert.Throws<StoreException>(() => RunStore.Open(temp.Path, readOnly: true));
        Assert.Contains("older", older.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_v1_store_with_runs_is_upgraded_in_place_by_an_appended_migration_and_then_refused_by_v1()
    {
        // Given a v1 store holding a run
        using var temp = new TempStore();
        var sample = RepositoryFiles.Sample();
        var result = StoreFixtures.Analyze(sample);
        string before;
        using (var v1 = RunStore.Open(temp.Path))
        {
            Save(v1, result, "old", sample);
            before = StoreFixtures.Canonical(v1.LoadComparable("old"));
        }

        // When a build with a second migration (a new column, a new table) opens it
        string[] v2Migrations = [.. StoreSchema.Migrations, "ALTER TABLE runs ADD COLUMN git_commit TEXT; CREATE TABLE notes (run_id INTEGER, text TEXT);"];
        using (var v2 = RunStore.Open(temp.Path, false, v2Migrations))
        {
            // Then it is at v2, the old run reads back unchanged, the new column is there, and new runs save
            Assert.Equal(StoreSchema.CurrentVersion + 1, v2.SchemaVersion);
            Assert.Equal(before, StoreFixtures.Canonical(v2.LoadComparable("old")));
            Assert.Equal([null], v2.Query("SELECT git_commit FROM runs").Rows.Select(r => r[0]));
            Save(v2, result, "new", sample);
            Assert.Equal(2, v2.Count);
        }

        // And the v1 build now refuses it as newer, without touching it
        var e = Assert.Throws<StoreException>(() => RunStore.Open(temp.Path));
        Assert.Contains($"store schema v{StoreSchema.CurrentVersion + 1}", e.Message, StringComparison.Ordinal);
        using var again = RunStore.Open(temp.Path, true, v2Migrations);
        Assert.Equal(2, again.Count);
    }

    [Fact]
    public void Reading_a_store_that_does_not_exist_says_how_to_create_one_and_creates_nothing()
    {
        using var temp = new TempStore();

        var e = Assert.Throws<StoreException>(() => RunStore.Open(temp.Path, readOnly: true));

        Assert.Contains("analyze --save", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(temp.Path));
    }

    [Fact]
    public void The_reuse_key_depends_on_content_and_options_not_on_file_names()
    {
        // Given the sample's two files and a copy of them under other names
        using var temp = new TempStore();
        var sample = RepositoryFiles.Sample();
        var copies = Directory.GetFiles(sample).Order(StringComparer.Ordinal).Select((f, i) =>
        {
            var copy = Path.Combine(temp.Folder, $"renamed-{i}.gz");
            File.Copy(f, copy);
            return copy;
        }).ToArray();

        // Then the same content gives the same key, other options another key, and each file's hash is its SHA-256
        var key = RunFingerprint.Compute([sample], "1.0", "top=10", null)!;
        Assert.Equal(key.Key, RunFingerprint.Compute(copies.Reverse().ToArray(), "1.0", "top=10", null)!.Key);
        Assert.NotEqual(key.Key, RunFingerprint.Compute([sample], "1.0", "top=11", null)!.Key);
        Assert.NotEqual(key.Key, RunFingerprint.Compute([sample], "1.1", "top=10", null)!.Key);
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(copies[0])));
        Assert.Equal(expected, RunFingerprint.Hash(copies[0]).Sha256);
        Assert.Null(RunFingerprint.Compute([Path.Combine(temp.Folder, "missing.json")], "1.0", "", null));
    }

    [Fact]
    public void Every_table_and_column_of_the_store_is_documented_in_store_md()
    {
        // Given a new store and docs/store.md
        using var temp = new TempStore();
        using var store = RunStore.Open(temp.Path);
        var docs = File.ReadAllText(RepositoryFiles.File("docs/store.md")).ReplaceLineEndings("\n");
        var tables = store.Query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").Rows
            .Select(r => (string)r[0]!).ToList();
        Assert.Equal(["headroom_items", "inputs", "kernels", "metadata", "ops", "ranks", "reports", "roofline_ops", "runs", "steps"], tables);

        // Then each table has its section, and the section a row for each column
        foreach (var table in tables)
        {
            var start = docs.IndexOf($"### `{table}`\n", StringComparison.Ordinal);
            Assert.True(start >= 0, $"no section for {table}");
            var end = docs.IndexOf("\n##", start + 5, StringComparison.Ordinal);
            var section = docs[start..(end < 0 ? docs.Length : end)];
            foreach (var column in store.Query($"SELECT name FROM pragma_table_info('{table}')").Rows.Select(r => (string)r[0]!))
            {
                Assert.True(section.Contains($"| `{column}` |", StringComparison.Ordinal), $"{table}.{column} is not documented");
            }
        }

        Assert.Contains($"## Schema (version {StoreSchema.CurrentVersion})", docs, StringComparison.Ordinal);
    }

    private static void SetUserVersion(string path, int version)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA user_version = {version}";
        command.ExecuteNonQuery();
    }
}
