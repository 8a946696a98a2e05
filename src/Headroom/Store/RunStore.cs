using System.Globalization;
using Headroom.Analysis;
using Headroom.Analysis.Comparison;
using Headroom.Analysis.Kernels;
using Microsoft.Data.Sqlite;

namespace Headroom.Store;

/// <summary>
/// The embedded run store: one SQLite file (docs/store.md). Any number of processes may save at once: the file is in
/// WAL mode, writers wait for each other (busy timeout), and each run is written in one transaction, so a reader sees a
/// run whole or not at all and a process killed mid-save loses only its own run. Not thread-safe: one instance per thread.
/// </summary>
public sealed class RunStore : IDisposable
{
    private const string RunColumns =
        "id, label, created_at, tool_version, conventions, rank_count, input_count, input_bytes, devices, hardware, step_count, step_ns, mfu";

    private const string WayOut = "move the file aside (the next save creates a new store there) or pass --store PATH";

    private readonly SqliteConnection _connection;
    private SqliteTransaction? _migration;

    private readonly IReadOnlyList<string> _migrations;

    private RunStore(string path, SqliteConnection connection, IReadOnlyList<string> migrations)
    {
        Path = path;
        _connection = connection;
        _migrations = migrations;
    }

    /// <summary>The store file.</summary>
    public string Path { get; }

    /// <summary>
    /// The store used when no <c>--store</c> is given: <c>$HEADROOM_STORE</c>, else <c>headroom/runs.db</c> in the user's
    /// data folder (<c>$XDG_DATA_HOME</c>, else <c>~/.local/share</c> on Linux; <c>%LOCALAPPDATA%</c> on Windows).
    /// </summary>
    public static string DefaultPath =>
        Environment.GetEnvironmentVariable("HEADROOM_STORE") is { Length: > 0 } env
            ? env
            : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify),
                "headroom", "runs.db");

    /// <summary>
    /// Opens the store at <paramref name="path"/>. For writing, creates it (and its folder) when absent and upgrades an older
    /// schema; read-only, the file must exist with the current schema. Throws <see cref="StoreException"/> for a file that
    /// is not a Headroom store of a version this build reads.
    /// </summary>
    public static RunStore Open(string path, bool readOnly = false) => Open(path, readOnly, StoreSchema.Migrations);

    /// <summary>Opens with another migration list: tests use it to play a later version of the schema.</summary>
    internal static RunStore Open(string path, bool readOnly, IReadOnlyList<string> migrations)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = System.IO.Path.GetFullPath(path);
        if (readOnly && !File.Exists(full))
        {
            throw new StoreException($"{path}: no run store here yet; save a run with 'headroom analyze --save' or pass --store PATH");
        }

        if (Directory.Exists(full))
        {
            throw new StoreException($"{path}: is a folder, not a store file; pass --store with a file path");
        }

        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = 120,
        };
        SqliteConnection? connection = null;
        try
        {
            if (!readOnly && System.IO.Path.GetDirectoryName(full) is { Length: > 0 } folder)
            {
                Directory.CreateDirectory(folder);
            }

            connection = new SqliteConnection(builder.ToString());
            connection.Open();
            var store = new RunStore(path, connection, migrations);
            store.Prepare(readOnly);
            return store;
        }
        catch (SqliteException e)
        {
            connection?.Dispose();
            throw Describe(path, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            connection?.Dispose();
            throw new StoreException($"{path}: cannot open the store: {e.Message}; pass --store PATH", e);
        }
        catch (StoreException)
        {
            connection?.Dispose();
            throw;
        }
    }

    private void Prepare(bool readOnly)
    {
        Execute("PRAGMA busy_timeout = 120000");
        var (applicationId, version, objects) = Probe();
        if (applicationId != StoreSchema.ApplicationId && !(applicationId == 0 && version == 0 && objects == 0))
        {
            throw new StoreException($"{Path}: an SQLite database but not a Headroom run store (it has other tables); {WayOut}");
        }

        if (version > _migrations.Count)
        {
            throw new StoreException($"{Path}: written by a newer Headroom (store schema v{version}; this one reads up to v{_migrations.Count}); "
                + "upgrade headroom, or pass --store PATH to use another store");
        }

        if (readOnly)
        {
            if (version < _migrations.Count)
            {
                throw new StoreException(objects == 0
                    ? $"{Path}: the store holds no runs yet; save one with 'headroom analyze --save'"
                    : $"{Path}: store schema v{version} is older than v{_migrations.Count}; run 'headroom runs list' once to upgrade it");
            }

            Execute("PRAGMA query_only = 1");
            return;
        }

        if (version < _migrations.Count)
        {
            Migrate();
        }

        Execute("PRAGMA foreign_keys = ON");
        Execute("PRAGMA synchronous = NORMAL");
    }

    /// <summary>The file's id, version and object count, read in one statement so they come from one snapshot (another process may be creating the schema).</summary>
    private (long ApplicationId, long Version, long Objects) Probe()
    {
        using var command = Command("SELECT (SELECT application_id FROM pragma_application_id), (SELECT user_version FROM pragma_user_version), "
            + "(SELECT count(*) FROM sqlite_master)");
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    /// <summary>Brings the file to the last version of the migration list, one migration at a time, in one transaction (racing creators wait).</summary>
    private void Migrate()
    {
        // WAL lets readers and one writer work at once; it must be set outside a transaction and persists in the file.
        Execute("PRAGMA journal_mode = WAL");
        using var tx = _connection.BeginTransaction(deferred: false);
        _migration = tx;
        var (applicationId, version, objects) = Probe();
        if (applicationId != StoreSchema.ApplicationId && !(applicationId == 0 && version == 0 && objects == 0))
        {
            throw new StoreException($"{Path}: an SQLite database but not a Headroom run store (it has other tables); {WayOut}");
        }

        for (var v = (int)version; v < _migrations.Count; v++)
        {
            Execute(_migrations[v]);
        }

        Execute($"PRAGMA application_id = {StoreSchema.ApplicationId}");
        Execute($"PRAGMA user_version = {_migrations.Count}");
        tx.Commit();
        _migration = null;
    }

    /// <summary>The store schema version of the open file.</summary>
    public int SchemaVersion => Guard(() => (int)Scalar<long>("PRAGMA user_version"));

    /// <summary>
    /// Saves an analysis (which must have been run with <see cref="AnalysisOptions.Comparable"/>) with its JSON report, in one
    /// transaction. Returns the new run's id.
    /// </summary>
    public long Save(AnalysisResult result, string reportJson, string? label, RunFingerprint fingerprint, string toolVersion)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(reportJson);
        ArgumentNullException.ThrowIfNull(fingerprint);
        return Guard(() =>
        {
            using var tx = _connection.BeginTransaction(deferred: false);
            var id = new RunWriter(_connection, tx).Write(result, reportJson, label, fingerprint, toolVersion,
                DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
            PauseForTests();
            tx.Commit();
            return id;
        });
    }

    /// <summary>Test hook: <c>HEADROOM_TEST_PAUSE_BEFORE_COMMIT_MS</c> holds the write transaction open so a test can kill the process mid-save.</summary>
    private static void PauseForTests()
    {
        if (Environment.GetEnvironmentVariable("HEADROOM_TEST_PAUSE_BEFORE_COMMIT_MS") is { } text && int.TryParse(text, out var ms) && ms > 0)
        {
            Console.Error.WriteLine("headroom: test: pausing before commit");
            Console.Error.Flush();
            Thread.Sleep(ms);
        }
    }

    /// <summary>
    /// Saves a copy of stored run <paramref name="id"/> under <paramref name="label"/> (a reused result saved with a new
    /// label): every table's rows, with a new id and time. Returns the new id.
    /// </summary>
    public long CopyAs(long id, string? label) => Guard(() =>
    {
        var columns = Columns("runs").Where(c => c is not "id" and not "label" and not "created_at").ToList();
        var childColumns = RunWriter.ChildTables.ToDictionary(t => t, t => Columns(t).Where(c => c != "run_id").ToList());
        using var tx = _connection.BeginTransaction(deferred: false);
        using var insert = Command($"INSERT INTO runs (label, created_at, {string.Join(", ", columns)}) "
            + $"SELECT @label, @created, {string.Join(", ", columns)} FROM runs WHERE id = @id RETURNING id", tx);
        insert.Parameters.AddWithValue("@label", (object?)label ?? DBNull.Value);
        insert.Parameters.AddWithValue("@created", DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
        insert.Parameters.AddWithValue("@id", id);
        var copy = (long)insert.ExecuteScalar()!;
        foreach (var table in RunWriter.ChildTables)
        {
            var rest = childColumns[table];
            using var rows = Command($"INSERT INTO {table} (run_id, {string.Join(", ", rest)}) SELECT @copy, {string.Join(", ", rest)} FROM {table} WHERE run_id = @id", tx);
            rows.Parameters.AddWithValue("@copy", copy);
            rows.Parameters.AddWithValue("@id", id);
            rows.ExecuteNonQuery();
        }

        tx.Commit();
        return copy;
    });

    /// <summary>The newest run saved with the same <see cref="RunFingerprint.Key"/>, or null.</summary>
    public StoredRun? FindReusable(string key) => Guard(() =>
    {
        using var command = Command($"SELECT {RunColumns} FROM runs WHERE reuse_key = @key ORDER BY id DESC LIMIT 1");
        command.Parameters.AddWithValue("@key", key);
        return ReadRuns(command).FirstOrDefault();
    });

    /// <summary>Runs, newest first; all of them when <paramref name="limit"/> is null.</summary>
    public IReadOnlyList<StoredRun> List(int? limit = null) => Guard(() =>
    {
        using var command = Command($"SELECT {RunColumns} FROM runs ORDER BY id DESC LIMIT @limit");
        command.Parameters.AddWithValue("@limit", limit ?? -1);
        return ReadRuns(command);
    });

    /// <summary>Run count.</summary>
    public long Count => Guard(() => Scalar<long>("SELECT count(*) FROM runs"));

    /// <summary>The run with this id (digits) or, else, the newest run with this label; null when there is none.</summary>
    public StoredRun? Find(string idOrLabel)
    {
        ArgumentNullException.ThrowIfNull(idOrLabel);
        var isId = long.TryParse(idOrLabel, NumberStyles.None, CultureInfo.InvariantCulture, out var id);
        return Guard(() =>
        {
            using var command = isId
                ? Command($"SELECT {RunColumns} FROM runs WHERE id = @key")
                : Command($"SELECT {RunColumns} FROM runs WHERE label = @key ORDER BY id DESC LIMIT 1");
            command.Parameters.AddWithValue("@key", isId ? id : idOrLabel);
            return ReadRuns(command).FirstOrDefault();
        });
    }

    /// <summary>Like <see cref="Find"/>, but a missing run is a <see cref="StoreException"/> that says how to list them.</summary>
    public StoredRun Get(string idOrLabel) =>
        Find(idOrLabel) ?? throw new StoreException($"{Path}: no run '{idOrLabel}' (an id or a label); see 'headroom runs list'");

    /// <summary>The JSON report of run <paramref name="id"/> exactly as <c>analyze --json</c> wrote it.</summary>
    public string LoadReportJson(long id) => Guard(() =>
    {
        using var command = Command("SELECT json FROM reports WHERE run_id = @id");
        command.Parameters.AddWithValue("@id", id);
        return command.ExecuteScalar() as string ?? throw new StoreException($"{Path}: run {id} has no report");
    });

    /// <summary>The input files of run <paramref name="id"/>: path, size, SHA-256, in input order.</summary>
    public IReadOnlyList<HashedFile> LoadInputs(long id) => Guard(() =>
    {
        using var command = Command("SELECT path, bytes, sha256 FROM inputs WHERE run_id = @id ORDER BY ord");
        command.Parameters.AddWithValue("@id", id);
        using var reader = command.ExecuteReader();
        var files = new List<HashedFile>();
        while (reader.Read())
        {
            files.Add(new HashedFile(reader.GetString(0), reader.GetInt64(1), reader.IsDBNull(2) ? "" : reader.GetString(2)));
        }

        return files;
    });

    /// <summary>
    /// The comparable form of a stored run (id or label), equal to <see cref="ComparableRun.From"/> of the analysis it was
    /// saved from, named <see cref="StoredRun.DisplayName"/>.
    /// </summary>
    public ComparableRun LoadComparable(string idOrLabel)
    {
        var run = Get(idOrLabel);
        return Guard(() => new ComparableRunReader(_connection).Read(run));
    }

    /// <summary>Deletes a run and all its rows; returns it, or null when there was none.</summary>
    public StoredRun? Remove(string idOrLabel)
    {
        var run = Find(idOrLabel);
        if (run is null)
        {
            return null;
        }

        Guard(() =>
        {
            using var command = Command("DELETE FROM runs WHERE id = @id");
            command.Parameters.AddWithValue("@id", run.Id);
            return command.ExecuteNonQuery();
        });
        return run;
    }

    /// <summary>Runs one SQL statement (read-only stores refuse writes) and returns its column names and rows.</summary>
    public (IReadOnlyList<string> Columns, IReadOnlyList<object?[]> Rows) Query(string sql) => Guard(() =>
    {
        using var command = Command(sql);
        using var reader = command.ExecuteReader();
        var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return ((IReadOnlyList<string>)columns, (IReadOnlyList<object?[]>)rows);
    });

    /// <summary>SQLite's own consistency check: "ok" when the file is sound.</summary>
    public string IntegrityCheck() => Guard(() => Scalar<string>("PRAGMA integrity_check"));

    /// <summary>Closes the file.</summary>
    public void Dispose() => _connection.Dispose();

    private static List<StoredRun> ReadRuns(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var runs = new List<StoredRun>();
        while (reader.Read())
        {
            runs.Add(new StoredRun(reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1),
                DateTimeOffset.Parse(reader.GetString(2), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
                reader.GetString(3), reader.GetString(4), reader.GetInt32(5), reader.GetInt32(6), reader.GetInt64(7), reader.GetString(8),
                reader.GetString(9), reader.GetInt32(10), reader.IsDBNull(11) ? null : reader.GetInt64(11), reader.IsDBNull(12) ? null : reader.GetDouble(12)));
        }

        return runs;
    }

    private List<string> Columns(string table)
    {
        using var command = Command($"SELECT name FROM pragma_table_info('{table}') ORDER BY cid");
        using var reader = command.ExecuteReader();
        var names = new List<string>();
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    private SqliteCommand Command(string sql, SqliteTransaction? tx = null)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx ?? _migration;
        return command;
    }

    private void Execute(string sql)
    {
        using var command = Command(sql);
        command.ExecuteNonQuery();
    }

    private T Scalar<T>(string sql)
    {
        using var command = Command(sql);
        return (T)command.ExecuteScalar()!;
    }

    private T Guard<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (SqliteException e)
        {
            throw Describe(Path, e);
        }
    }

    /// <summary>One line for an SQLite failure: what it means for the store, and the way out.</summary>
    private static StoreException Describe(string path, SqliteException e) => e.SqliteErrorCode switch
    {
        26 => new StoreException($"{path}: not an SQLite database, so not a Headroom run store; {WayOut}", e),
        11 => new StoreException($"{path}: the store file is damaged ({e.Message.TrimEnd('.')}); {WayOut}", e),
        14 => new StoreException($"{path}: cannot open the store file; check the folder exists and is writable, or pass --store PATH", e),
        8 => new StoreException($"{path}: the store is read-only here ({e.Message.TrimEnd('.')})", e),
        5 or 6 => new StoreException($"{path}: the store stayed locked by another process for 2 minutes; try again", e),
        _ => new StoreException($"{path}: {e.Message.TrimEnd('.')}", e),
    };

    /// <summary>Parses a per-step sample list written as "[1,2,3]".</summary>
    internal static long[] ParseSamples(string text)
    {
        var inner = text.AsSpan().Trim().Trim('[').Trim(']');
        if (inner.IsEmpty)
        {
            return [];
        }

        var values = new List<long>();
        foreach (var range in inner.Split(','))
        {
            values.Add(long.Parse(inner[range], NumberStyles.AllowLeadingSign | NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite,
                CultureInfo.InvariantCulture));
        }

        return [.. values];
    }

    /// <summary>Writes a per-step sample list as a JSON array ("[1,2,3]"), readable by SQLite's json_each.</summary>
    internal static string FormatSamples(IReadOnlyList<long> values) =>
        "[" + string.Join(",", values.Select(v => v.ToString(CultureInfo.InvariantCulture))) + "]";

    /// <summary>Kernel category from its stored lower-case name.</summary>
    internal static KernelCategory ParseCategory(string text) => Enum.Parse<KernelCategory>(text, ignoreCase: true);
}
