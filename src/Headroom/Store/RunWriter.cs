using System.Globalization;
using Headroom.Analysis;
using Headroom.Analysis.Opportunities;
using Headroom.Report;
using Microsoft.Data.Sqlite;

namespace Headroom.Store;

/// <summary>Writes one analysed run into every table, inside the caller's transaction.</summary>
internal sealed class RunWriter(SqliteConnection connection, SqliteTransaction transaction)
{
    /// <summary>Tables with a <c>run_id</c> column, in the order they are written.</summary>
    public static readonly string[] ChildTables = ["reports", "inputs", "metadata", "ranks", "steps", "ops", "kernels", "roofline_ops", "headroom_items"];

    public long Write(AnalysisResult result, string reportJson, string? label, RunFingerprint fingerprint, string toolVersion, string createdAt)
    {
        var options = result.Options;
        var ranks = result.Ranks.OrderBy(r => r.Rank).ToList();
        var mfus = ranks.Where(r => r.Mfu.Mfu is not null).Select(r => r.Mfu.Mfu!.Value).ToList();
        using var run = Command("""
            INSERT INTO runs (label, created_at, tool_version, report_schema_version, reuse_key, conventions, steps_selected, rank_selected,
                hardware_override, top, rank_count, input_count, input_bytes, devices, hardware, step_count, step_ns, mfu)
            VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11, @p12, @p13, @p14, @p15, @p16, @p17) RETURNING id
            """);
        Bind(run, label, createdAt, toolVersion, AnalyzeReport.CurrentSchemaVersion, fingerprint.Key, options.HtaCompatible ? "hta" : "headroom",
            options.Steps?.ToString(), options.Rank, options.Hardware?.Id, options.TopOps, ranks.Count, result.Inputs.Count, result.Inputs.Sum(i => i.Bytes),
            string.Join(", ", ranks.Select(r => r.Device).Distinct(StringComparer.Ordinal)),
            string.Join(", ", ranks.Select(r => r.Hardware.Spec?.Id).OfType<string>().Distinct(StringComparer.Ordinal)),
            ranks.Count == 0 ? 0 : ranks.Max(r => r.Steps.Count), ranks.Count == 0 ? null : ranks.Max(r => r.Headroom.StepTimeNs),
            mfus.Count == 0 ? null : mfus.Average());
        var id = (long)run.ExecuteScalar()!;

        using (var report = Insert("reports", "json"))
        {
            Row(report, id, reportJson);
        }

        WriteInputs(id, result, fingerprint);
        using var ranksRow = Insert("ranks", "rank", "rank_source", "source_path", "device", "hardware_id", "hardware_name", "hardware_how",
            "hardware_confidence", "activities", "window_ns", "busy_ns", "computation_ns", "exposed_communication_ns", "communication_total_ns", "memcpy_ns",
            "memset_ns", "other_ns", "idle_ns", "step_count", "step_ns", "mfu", "hfu", "roofline_coverage");
        using var stepRow = Insert("steps", "rank", "ord", "number", "name", "start_ns", "dur_ns", "window_start_ns", "window_ns", "busy_ns",
            "computation_ns", "exposed_communication_ns", "idle_ns", "sample");
        using var opRow = Insert("ops", "rank", "ord", "name", "input_dims", "input_types", "calls", "kernels", "total_ns", "per_step_ns");
        using var kernelRow = Insert("kernels", "rank", "ord", "name", "category", "count", "total_ns", "per_step_ns", "mean_ns", "p50_ns", "p95_ns",
            "min_ns", "max_ns");
        using var rooflineRow = Insert("roofline_ops", "rank", "ord", "name", "input_dims", "input_types", "dtype", "unit", "calls", "kernels", "flops",
            "bytes", "time_ns", "exposed_ns", "intensity", "achieved_flops_per_s", "achieved_bytes_per_s", "peak_flops_per_s", "ceiling_flops_per_s",
            "efficiency", "bound", "formula");
        using var headroomRow = Insert("headroom_items", "rank", "ord", "kind", "title", "saving_ns_per_step", "share_of_step", "bound", "op",
            "about_rank", "evidence", "suggestion", "method");
        foreach (var r in ranks)
        {
            var o = r.Overall;
            var comparable = r.Comparable ?? throw new ArgumentException("the run was analysed without AnalysisOptions.Comparable", nameof(result));
            Row(ranksRow, id, r.Rank, Snake(r.RankSource.ToString()), r.SourcePath, r.Device, r.Hardware.Spec?.Id, r.Hardware.Spec?.Name, r.Hardware.How,
                r.Hardware.Confidence, r.ActivityCount, o.WindowNs, o.BusyNs, o.ComputationNs, o.CommunicationNs, o.CommunicationTotalNs, o.MemcpyNs,
                o.MemsetNs, o.OtherNs, o.IdleNs, r.Steps.Count, r.Headroom.StepTimeNs, r.Mfu.Mfu, r.Mfu.Hfu, r.Roofline.Coverage);

            // The comparable per-step samples are the analysed steps that launched device work, in window order: mark each
            // with its index so the samples can be rebuilt exactly.
            var samples = new int?[r.Steps.Count];
            for (var k = 0; k < comparable.StepNumbers.Count; k++)
            {
                var i = Enumerable.Range(0, r.Steps.Count).First(i => samples[i] is null && r.Steps[i].Step.WindowStartNs is not null
                    && r.Steps[i].Step.Number == comparable.StepNumbers[k] && r.Steps[i].Step.WindowNs == comparable.StepNs[k]);
                samples[i] = k;
            }

            for (var i = 0; i < r.Steps.Count; i++)
            {
                var (s, b) = (r.Steps[i].Step, r.Steps[i].Breakdown);
                Row(stepRow, id, r.Rank, i, s.Number, s.Name, s.StartNs, s.DurationNs, s.WindowStartNs, s.WindowNs, b.BusyNs, b.ComputationNs,
                    b.CommunicationNs, b.IdleNs, samples[i]);
            }

            for (var i = 0; i < comparable.Ops.Count; i++)
            {
                var op = comparable.Ops[i];
                Row(opRow, id, r.Rank, i, op.Name, op.InputDims, op.InputTypes, op.Calls, op.Kernels, op.TotalNs, RunStore.FormatSamples(op.PerStepNs));
            }

            var stats = r.Kernels.ByName.GroupBy(k => k.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            for (var i = 0; i < comparable.Kernels.Count; i++)
            {
                var k = comparable.Kernels[i];
                var s = stats.GetValueOrDefault(k.Name);
                Row(kernelRow, id, r.Rank, i, k.Name, JsonReportRenderer.CategoryName(k.Category), k.Count, k.TotalNs, RunStore.FormatSamples(k.PerStepNs),
                    s?.MeanNs, s?.P50Ns, s?.P95Ns, s?.MinNs, s?.MaxNs);
            }

            for (var i = 0; i < r.Roofline.Ops.Count; i++)
            {
                var op = r.Roofline.Ops[i];
                Row(rooflineRow, id, r.Rank, i, op.Name, op.InputDims, op.InputTypes, op.DataType, op.Unit.ToString().ToLowerInvariant(), op.Count,
                    op.Kernels, op.Flops, op.Bytes, op.TimeNs, op.ExposedNs, op.Intensity, op.AchievedFlopsPerSecond, op.AchievedBytesPerSecond,
                    op.PeakFlopsPerSecond, op.CeilingFlopsPerSecond, op.Efficiency, op.Bound.ToString().ToLowerInvariant(), op.Formula);
            }

            WriteHeadroom(headroomRow, id, r.Rank, r.Headroom);
        }

        WriteHeadroom(headroomRow, id, null, result.Headroom ?? HeadroomResult.Empty);
        return id;
    }

    private void WriteInputs(long id, AnalysisResult result, RunFingerprint fingerprint)
    {
        var hashes = fingerprint.Files.GroupBy(f => System.IO.Path.GetFullPath(f.Path), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        using var inputRow = Insert("inputs", "ord", "path", "rank", "rank_source", "format", "bytes", "sha256", "events", "cpu_events", "gpu_events",
            "dropped_events", "truncated");
        using var metaRow = Insert("metadata", "rank", "key", "value");
        Row(metaRow, id, null, "headroom.version", ToolInfo.Version);
        for (var i = 0; i < result.Inputs.Count; i++)
        {
            var input = result.Inputs[i];
            var hashed = hashes.GetValueOrDefault(System.IO.Path.GetFullPath(input.Path));
            Row(inputRow, id, i, input.Path, input.Rank, Snake(input.RankSource.ToString()), input.Format, hashed?.Bytes ?? input.Bytes,
                hashed?.Sha256, input.Events, input.CpuEvents, input.GpuEvents, input.DroppedEvents,
                input.Truncated);
            var m = input.Metadata;
            void Meta(string key, object? value)
            {
                if (value is not null)
                {
                    Row(metaRow, id, input.Rank, key, Convert.ToString(value, CultureInfo.InvariantCulture));
                }
            }

            Meta("trace.schema_version", m.SchemaVersion);
            Meta("trace.display_time_unit", m.DisplayTimeUnit);
            Meta("trace.base_time_ns", m.BaseTimeNanoseconds);
            foreach (var (key, value) in m.Properties.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                Meta(key, value);
            }

            foreach (var d in input.Devices)
            {
                Meta($"device.{d.Id}.name", d.Name);
                Meta($"device.{d.Id}.memory_bytes", d.TotalMemoryBytes);
                Meta($"device.{d.Id}.compute_capability", d.ComputeCapability);
                Meta($"device.{d.Id}.multiprocessors", d.MultiprocessorCount);
            }

            if (input.Distributed is { } dist)
            {
                Meta("distributed.backend", dist.Backend);
                Meta("distributed.rank", dist.Rank);
                Meta("distributed.world_size", dist.WorldSize);
                Meta("distributed.nccl_version", dist.NcclVersion);
            }
        }
    }

    private static void WriteHeadroom(SqliteCommand row, long id, int? rank, HeadroomResult headroom)
    {
        for (var i = 0; i < headroom.Items.Count; i++)
        {
            var h = headroom.Items[i];
            Row(row, id, rank, i, Snake(h.Kind.ToString()), h.Title, h.SavingNsPerStep, h.ShareOfStep, Snake(h.Bound.ToString()), h.Op, h.Rank,
                h.Evidence, h.Suggestion, h.Method);
        }
    }

    private SqliteCommand Command(string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    /// <summary>A prepared insert of one row of <paramref name="table"/>: run_id then <paramref name="columns"/>.</summary>
    private SqliteCommand Insert(string table, params string[] columns)
    {
        var all = new[] { "run_id" }.Concat(columns).ToList();
        var command = Command($"INSERT INTO {table} ({string.Join(", ", all)}) VALUES ({string.Join(", ", all.Select((_, i) => $"@p{i}"))})");
        for (var i = 0; i < all.Count; i++)
        {
            command.Parameters.Add(new SqliteParameter($"@p{i}", null));
        }

        return command;
    }

    private static void Row(SqliteCommand command, params object?[] values)
    {
        Bind(command, values);
        command.ExecuteNonQuery();
    }

    private static void Bind(SqliteCommand command, params object?[] values)
    {
        if (command.Parameters.Count == 0)
        {
            for (var i = 0; i < values.Length; i++)
            {
                command.Parameters.Add(new SqliteParameter($"@p{i}", null));
            }
        }

        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] switch
            {
                null => DBNull.Value,
                bool b => b ? 1 : 0,
                var v => v,
            };
        }
    }

    private static string Snake(string pascal) =>
        string.Concat(pascal.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
