namespace Headroom.Store;

/// <summary>
/// The run store's layout (docs/store.md documents every table and column): an ordered list of migrations, each taking
/// the file from version N-1 to N. <c>PRAGMA user_version</c> holds the version, <c>PRAGMA application_id</c> marks the
/// file as a Headroom store so a foreign SQLite file is never written to.
/// </summary>
public static class StoreSchema
{
    /// <summary>"HDRM": the application id written into every store file.</summary>
    public const int ApplicationId = 0x4844524D;

    /// <summary>The version this build writes and reads.</summary>
    public static int CurrentVersion => Migrations.Count;

    /// <summary>Migration <c>i</c> takes a store from version <c>i</c> to <c>i + 1</c>; never edit a shipped one, append.</summary>
    public static IReadOnlyList<string> Migrations { get; } =
    [
        // v1
        """
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            label TEXT,
            created_at TEXT NOT NULL,
            tool_version TEXT NOT NULL,
            report_schema_version INTEGER NOT NULL,
            reuse_key TEXT NOT NULL,
            conventions TEXT NOT NULL,
            steps_selected TEXT,
            rank_selected INTEGER,
            hardware_override TEXT,
            top INTEGER NOT NULL,
            rank_count INTEGER NOT NULL,
            input_count INTEGER NOT NULL,
            input_bytes INTEGER NOT NULL,
            devices TEXT NOT NULL,
            hardware TEXT NOT NULL,
            step_count INTEGER NOT NULL,
            step_ns INTEGER,
            mfu REAL
        );
        CREATE INDEX runs_label ON runs(label);
        CREATE INDEX runs_reuse_key ON runs(reuse_key);
        CREATE TABLE reports (
            run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
            json TEXT NOT NULL
        );
        CREATE TABLE inputs (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            ord INTEGER NOT NULL,
            path TEXT NOT NULL,
            rank INTEGER NOT NULL,
            rank_source TEXT NOT NULL,
            format TEXT NOT NULL,
            bytes INTEGER NOT NULL,
            sha256 TEXT,
            events INTEGER NOT NULL,
            cpu_events INTEGER NOT NULL,
            gpu_events INTEGER NOT NULL,
            dropped_events INTEGER NOT NULL,
            truncated INTEGER NOT NULL,
            PRIMARY KEY (run_id, ord)
        );
        CREATE TABLE metadata (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            rank INTEGER,
            key TEXT NOT NULL,
            value TEXT NOT NULL
        );
        CREATE INDEX metadata_run ON metadata(run_id);
        CREATE TABLE ranks (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            rank INTEGER NOT NULL,
            rank_source TEXT NOT NULL,
            source_path TEXT NOT NULL,
            device TEXT NOT NULL,
            hardware_id TEXT,
            hardware_name TEXT,
            hardware_how TEXT NOT NULL,
            hardware_confidence TEXT NOT NULL,
            activities INTEGER NOT NULL,
            window_ns INTEGER NOT NULL,
            busy_ns INTEGER NOT NULL,
            computation_ns INTEGER NOT NULL,
            exposed_communication_ns INTEGER NOT NULL,
            communication_total_ns INTEGER NOT NULL,
            memcpy_ns INTEGER NOT NULL,
            memset_ns INTEGER NOT NULL,
            other_ns INTEGER NOT NULL,
            idle_ns INTEGER NOT NULL,
            step_count INTEGER NOT NULL,
            step_ns INTEGER NOT NULL,
            mfu REAL,
            hfu REAL,
            roofline_coverage REAL NOT NULL,
            PRIMARY KEY (run_id, rank)
        );
        CREATE TABLE steps (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            rank INTEGER NOT NULL,
            ord INTEGER NOT NULL,
            number INTEGER NOT NULL,
            name TEXT NOT NULL,
            start_ns INTEGER NOT NULL,
            dur_ns INTEGER NOT NULL,
            window_start_ns INTEGER,
            window_ns INTEGER NOT NULL,
            busy_ns INTEGER NOT NULL,
            computation_ns INTEGER NOT NULL,
            exposed_communication_ns INTEGER NOT NULL,
            idle_ns INTEGER NOT NULL,
            sample INTEGER,
            PRIMARY KEY (run_id, rank, ord)
        );
        CREATE TABLE ops (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            rank INTEGER NOT NULL,
            ord INTEGER NOT NULL,
            name TEXT NOT NULL,
            input_dims TEXT NOT NULL,
            input_types TEXT NOT NULL,
            calls INTEGER NOT NULL,
            kernels INTEGER NOT NULL,
            total_ns INTEGER NOT NULL,
            per_step_ns TEXT NOT NULL,
            PRIMARY KEY (run_id, rank, ord)
        );
        CREATE TABLE kernels (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            rank INTEGER NOT NULL,
            ord INTEGER NOT NULL,
            name TEXT NOT NULL,
            category TEXT NOT NULL,
            count INTEGER NOT NULL,
            total_ns INTEGER NOT NULL,
            per_step_ns TEXT NOT NULL,
            mean_ns INTEGER,
            p50_ns INTEGER,
            p95_ns INTEGER,
            min_ns INTEGER,
            max_ns INTEGER,
            PRIMARY KEY (run_id, rank, ord)
        );
        CREATE TABLE roofline_ops (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            rank INTEGER NOT NULL,
            ord INTEGER NOT NULL,
            name TEXT NOT NULL,
            input_dims TEXT NOT NULL,
            input_types TEXT NOT NULL,
            dtype TEXT NOT NULL,
            unit TEXT NOT NULL,
            calls INTEGER NOT NULL,
            kernels INTEGER NOT NULL,
            flops REAL NOT NULL,
            bytes REAL NOT NULL,
            time_ns INTEGER NOT NULL,
            exposed_ns INTEGER NOT NULL,
            intensity REAL,
            achieved_flops_per_s REAL NOT NULL,
            achieved_bytes_per_s REAL NOT NULL,
            peak_flops_per_s REAL,
            ceiling_flops_per_s REAL,
            efficiency REAL,
            bound TEXT NOT NULL,
            formula TEXT NOT NULL,
            PRIMARY KEY (run_id, rank, ord)
        );
        CREATE TABLE headroom_items (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            rank INTEGER,
            ord INTEGER NOT NULL,
            kind TEXT NOT NULL,
            title TEXT NOT NULL,
            saving_ns_per_step INTEGER NOT NULL,
            share_of_step REAL NOT NULL,
            bound TEXT NOT NULL,
            op TEXT,
            about_rank INTEGER,
            evidence TEXT NOT NULL,
            suggestion TEXT NOT NULL,
            method TEXT NOT NULL
        );
        CREATE INDEX headroom_items_run ON headroom_items(run_id);
        """,
    ];
}
