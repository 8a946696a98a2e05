using Headroom.Analysis.Comparison;
using Microsoft.Data.Sqlite;

namespace Headroom.Store;

/// <summary>Rebuilds a <see cref="ComparableRun"/> from the ranks, steps, ops and kernels tables.</summary>
internal sealed class ComparableRunReader(SqliteConnection connection)
{
    public ComparableRun Read(StoredRun run)
    {
        var ranks = new List<(int Rank, string Device, string? HardwareId, long Window, long Computation, long Exposed, long Idle, double? Mfu)>();
        Query("SELECT rank, device, hardware_id, window_ns, computation_ns, exposed_communication_ns, idle_ns, mfu FROM ranks "
            + "WHERE run_id = @id ORDER BY rank", run.Id, reader =>
        {
            ranks.Add((reader.GetInt32(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetInt64(3),
                reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6), reader.IsDBNull(7) ? null : reader.GetDouble(7)));
        });

        var stepNumbers = Group<long>();
        var stepNs = Group<long>();
        Query("SELECT rank, number, window_ns FROM steps WHERE run_id = @id AND sample IS NOT NULL ORDER BY rank, sample", run.Id, reader =>
        {
            Add(stepNumbers, reader.GetInt32(0), reader.GetInt64(1));
            Add(stepNs, reader.GetInt32(0), reader.GetInt64(2));
        });

        var ops = Group<OpSignatureStats>();
        Query("SELECT rank, name, input_dims, input_types, calls, kernels, total_ns, per_step_ns FROM ops WHERE run_id = @id "
            + "ORDER BY rank, ord", run.Id, reader =>
        {
            Add(ops, reader.GetInt32(0), new OpSignatureStats(reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4),
                reader.GetInt64(5), reader.GetInt64(6), RunStore.ParseSamples(reader.GetString(7))));
        });

        var kernels = Group<KernelNameStats>();
        Query("SELECT rank, name, category, count, total_ns, per_step_ns FROM kernels WHERE run_id = @id ORDER BY rank, ord", run.Id, reader =>
        {
            Add(kernels, reader.GetInt32(0), new KernelNameStats(reader.GetString(1), RunStore.ParseCategory(reader.GetString(2)), reader.GetInt64(3),
                reader.GetInt64(4), RunStore.ParseSamples(reader.GetString(5))));
        });

        return new ComparableRun(run.DisplayName, run.ToolVersion, [.. ranks.Select(r => new ComparableRunRank(r.Rank, r.Device, r.HardwareId, r.Window,
            r.Computation, r.Exposed, r.Idle, r.Mfu, new ComparableRank(Of(stepNumbers, r.Rank), Of(stepNs, r.Rank), Of(ops, r.Rank), Of(kernels, r.Rank))))]);
    }

    private void Query(string sql, long id, Action<SqliteDataReader> row)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("@id", id);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            row(reader);
        }
    }

    private static Dictionary<int, List<T>> Group<T>() => [];

    private static void Add<T>(Dictionary<int, List<T>> groups, int rank, T value)
    {
        if (!groups.TryGetValue(rank, out var list))
        {
            groups[rank] = list = [];
        }

        list.Add(value);
    }

    private static List<T> Of<T>(Dictionary<int, List<T>> groups, int rank) => groups.TryGetValue(rank, out var list) ? list : [];
}
