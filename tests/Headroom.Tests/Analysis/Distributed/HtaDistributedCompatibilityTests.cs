using System.Globalization;
using Headroom.Analysis.Distributed;
using Headroom.Tests.Support;
using Xunit;

namespace Headroom.Tests.Analysis.Distributed;

/// <summary>
/// The distributed per-rank analyses under HTA conventions against HTA 0.6.1's own outputs on every reference job
/// (shared/data/reference/hta): idle-time breakdown and interval statistics, kernel launch statistics, comm/comp overlap.
/// HTA writes microseconds; Headroom keeps nanoseconds. Rows are compared as sets: HTA orders streams and launch rows by
/// file order, which the model does not keep.
/// </summary>
public sealed class HtaDistributedCompatibilityTests
{
    private static readonly string[] CategoryNames = ["host_wait", "kernel_wait", "other"];

    public static TheoryData<string> JobsWithIdleTime() =>
        HtaReference.JobsWhere(dir => HtaReference.CsvHasRows(Path.Combine(dir, "idle_time_breakdown.csv")));

    public static TheoryData<string> JobsWithLaunchStats() =>
        HtaReference.JobsWhere(dir => Directory.Exists(dir) && Directory.GetFiles(dir, "cuda_kernel_launch_stats_rank*.csv").Length > 0);

    public static TheoryData<string> JobsWithOverlap() => HtaReference.JobsWhere(dir => File.Exists(Path.Combine(dir, "comm_comp_overlap.csv")));

    [Theory]
    [MemberData(nameof(JobsWithIdleTime))]
    public void Idle_time_per_stream_and_category_matches_HTA_within_half_a_percent_of_the_stream_idle_or_5_us(string job)
    {
        // Given HTA's idle-time breakdown (rank, stream, category, idle_time µs, idle_time_ratio)
        var reference = IdleReference(job);

        // When Headroom computes the idle time of every rank under HTA conventions
        var headroom = IdleRows(job);

        // Then the same (rank, stream, category) rows exist
        Assert.Equal(reference.Keys.Order(), headroom.Keys.Order());

        // And every idle time agrees within max(0.5% of the stream's total idle, 5 µs), every ratio within 0.01
        var mismatches = new List<string>();
        foreach (var (key, (idle, ratio)) in reference)
        {
            var row = headroom[key].Row;
            var tolerance = StreamTolerance(reference, key);
            Compare(mismatches, $"{key} idle_time", idle, row.IdleNs / 1000.0, tolerance);
            Compare(mismatches, $"{key} idle_time_ratio", ratio, row.Ratio, 0.01);
        }

        Assert.True(mismatches.Count == 0, $"{job}: outside tolerance:\n{string.Join('\n', mismatches)}");
    }

    [Theory]
    [MemberData(nameof(JobsWithIdleTime))]
    public void Idle_interval_statistics_match_HTA_within_half_a_percent_of_the_stream_idle_or_5_us(string job)
    {
        // Given HTA's interval statistics (pandas describe() of the gaps, rounded to 2 decimals, blank when undefined)
        var table = CsvTable.Read(Path.Combine(HtaReference.ReferenceDir(job), "idle_time_interval_stats.csv"));
        var reference = IdleReference(job);
        var headroom = IdleRows(job);

        // Then each row's count is HTA's, and mean, std, min, quartiles and max agree within the stream's tolerance
        Assert.Equal(reference.Count, table.Rows.Count);
        var mismatches = new List<string>();
        for (var r = 0; r < table.Rows.Count; r++)
        {
            var key = (int.Parse(table[r, "rank"], CultureInfo.InvariantCulture), int.Parse(table[r, "stream"], CultureInfo.InvariantCulture), table[r, "idle_category"]);
            Assert.True(headroom.ContainsKey(key), $"{job}: Headroom has no idle row {key}");
            var stats = headroom[key].Row.Intervals;
            var tolerance = StreamTolerance(reference, key);
            Compare(mismatches, $"{key} count", HtaReference.Number(table[r, "count"]), stats.Count, 0);
            foreach (var (column, ns) in StatColumns(stats))
            {
                Compare(mismatches, $"{key} {column}", HtaReference.Number(table[r, column]), ns / 1000, tolerance);
            }
        }

        Assert.True(mismatches.Count == 0, $"{job}: outside tolerance:\n{string.Join('\n', mismatches)}");
    }

    [Theory]
    [MemberData(nameof(JobsWithIdleTime))]
    public void Idle_time_and_interval_statistics_equal_HTA_exactly_after_its_rounding_to_two_decimals(string job)
    {
        // Exact agreement is the current state: any drift is a regression worth seeing even inside the tolerance.
        var reference = IdleReference(job);
        var headroom = IdleRows(job);
        var table = CsvTable.Read(Path.Combine(HtaReference.ReferenceDir(job), "idle_time_interval_stats.csv"));

        var mismatches = new List<string>();
        foreach (var (key, (idle, ratio)) in reference)
        {
            var row = headroom[key].Row;
            CompareRounded(mismatches, $"{key} idle_time", idle, row.IdleNs / 1000.0);
            CompareRounded(mismatches, $"{key} idle_time_ratio", ratio, row.Ratio);
        }

        for (var r = 0; r < table.Rows.Count; r++)
        {
            var key = (int.Parse(table[r, "rank"], CultureInfo.InvariantCulture), int.Parse(table[r, "stream"], CultureInfo.InvariantCulture), table[r, "idle_category"]);
            foreach (var (column, ns) in StatColumns(headroom[key].Row.Intervals))
            {
                CompareRounded(mismatches, $"{key} {column}", HtaReference.Number(table[r, column]), ns / 1000);
            }
        }

        Assert.True(mismatches.Count == 0, $"{job}: differs from HTA:\n{string.Join('\n', mismatches)}");
    }

    [Theory]
    [MemberData(nameof(JobsWithLaunchStats))]
    public void Kernel_launch_stats_are_the_same_rows_as_HTA_to_the_microsecond(string job)
    {
        var dir = HtaReference.ReferenceDir(job);
        var ranks = HtaReference.Analyse(job).Ranks;
        foreach (var file in Directory.GetFiles(dir, "cuda_kernel_launch_stats_rank*.csv").Order(StringComparer.Ordinal))
        {
            // Given HTA's launch table of one rank (correlation, cpu_duration, gpu_duration, launch_delay in µs)
            var rank = int.Parse(Path.GetFileNameWithoutExtension(file)["cuda_kernel_launch_stats_rank".Length..], CultureInfo.InvariantCulture);
            var table = CsvTable.Read(file);
            var expected = Enumerable.Range(0, table.Rows.Count)
                .Select(r => Row(long.Parse(table[r, "correlation"], CultureInfo.InvariantCulture), Micros(table[r, "cpu_duration"]),
                    Micros(table[r, "gpu_duration"]), Micros(table[r, "launch_delay"])))
                .Order(StringComparer.Ordinal).ToList();

            // When Headroom computes the rank's launch rows under HTA conventions
            Assert.True(ranks.ContainsKey(rank), $"{job}: Headroom has no rank {rank}; it has {string.Join(", ", ranks.Keys)}");
            var actual = ranks[rank].Launch.Rows
                .Select(r => Row(r.Correlation, r.CpuDurationNs / 1000m, r.GpuDurationNs / 1000m, r.LaunchDelayNs / 1000m))
                .Order(StringComparer.Ordinal).ToList();

            // Then the two are the same multiset of rows, exactly
            var missing = expected.Except(actual).Take(5).ToList();
            var extra = actual.Except(expected).Take(5).ToList();
            Assert.True(expected.SequenceEqual(actual),
                $"{job} rank {rank}: HTA {expected.Count} rows, Headroom {actual.Count}; only in HTA: [{string.Join("; ", missing)}]; only in Headroom: [{string.Join("; ", extra)}]");
        }
    }

    [Theory]
    [MemberData(nameof(JobsWithOverlap))]
    public void Comm_comp_overlap_matches_HTA_to_its_two_decimals_and_is_empty_without_communication(string job)
    {
        // Given HTA's comp_comm_overlap_pctg per rank (blank = NaN when the rank has no communication kernels)
        var table = CsvTable.Read(Path.Combine(HtaReference.ReferenceDir(job), "comm_comp_overlap.csv"));
        var ranks = HtaReference.Analyse(job).Ranks;
        Assert.NotEmpty(table.Rows);

        var mismatches = new List<string>();
        for (var r = 0; r < table.Rows.Count; r++)
        {
            var rank = int.Parse(table[r, "rank"], CultureInfo.InvariantCulture);
            Assert.True(ranks.ContainsKey(rank), $"{job}: Headroom has no rank {rank}");
            var hta = HtaReference.Number(table[r, "comp_comm_overlap_pctg"]);
            var headroom = ranks[rank].OverlapPercent;

            // Then Headroom's CommunicationOverlapPercent is null exactly where HTA's is blank, and otherwise, rounded as HTA rounds, within 0.01 points
            if (hta is null || headroom is null)
            {
                if (hta is not null || headroom is not null)
                {
                    mismatches.Add($"rank {rank}: HTA {hta?.ToString(CultureInfo.InvariantCulture) ?? "NaN"}, Headroom {headroom?.ToString(CultureInfo.InvariantCulture) ?? "null"}");
                }

                continue;
            }

            if (Math.Abs(HtaReference.Round2(headroom.Value) - hta.Value) > 0.01 + 1e-9)
            {
                mismatches.Add($"rank {rank}: HTA {hta.Value}%, Headroom {headroom.Value}%");
            }
        }

        Assert.True(mismatches.Count == 0, $"{job}:\n{string.Join('\n', mismatches)}");
    }

    private static IEnumerable<(string Column, double Ns)> StatColumns(DurationStats s) =>
        [("mean", s.MeanNs), ("std", s.StdNs), ("min", s.MinNs), ("25%", s.P25Ns), ("50%", s.P50Ns), ("75%", s.P75Ns), ("max", s.MaxNs)];

    private static string Row(long correlation, decimal cpu, decimal gpu, decimal delay) =>
        string.Create(CultureInfo.InvariantCulture, $"{correlation}: cpu {cpu:0.###}, gpu {gpu:0.###}, delay {delay:0.###}");

    private static decimal Micros(string text) => decimal.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>HTA's idle_time_breakdown.csv by (rank, stream, category): idle µs and ratio (null = NaN).</summary>
    private static Dictionary<(int Rank, int Stream, string Category), (double? Idle, double? Ratio)> IdleReference(string job)
    {
        var table = CsvTable.Read(Path.Combine(HtaReference.ReferenceDir(job), "idle_time_breakdown.csv"));
        var rows = new Dictionary<(int, int, string), (double?, double?)>();
        for (var r = 0; r < table.Rows.Count; r++)
        {
            rows.Add((int.Parse(table[r, "rank"], CultureInfo.InvariantCulture), int.Parse(table[r, "stream"], CultureInfo.InvariantCulture), table[r, "idle_category"]),
                (HtaReference.Number(table[r, "idle_time"]), HtaReference.Number(table[r, "idle_time_ratio"])));
        }

        return rows;
    }

    /// <summary>Headroom's rows by the same key.</summary>
    private static Dictionary<(int Rank, int Stream, string Category), (StreamIdleTime Stream, IdleCategoryTime Row)> IdleRows(string job)
    {
        var rows = new Dictionary<(int, int, string), (StreamIdleTime, IdleCategoryTime)>();
        foreach (var rank in HtaReference.Analyse(job).Ranks.Values)
        {
            Assert.True(rank.Idle.HtaConventions);
            foreach (var stream in rank.Idle.Streams)
            {
                foreach (var c in stream.Categories)
                {
                    rows.Add((rank.Id, stream.Stream, CategoryNames[(int)c.Category]), (stream, c));
                }
            }
        }

        return rows;
    }

    /// <summary>max(0.5% of the stream's total idle time in HTA's table, 5 µs).</summary>
    private static double StreamTolerance(Dictionary<(int Rank, int Stream, string Category), (double? Idle, double? Ratio)> reference,
        (int Rank, int Stream, string Category) key)
    {
        var total = reference.Where(kv => kv.Key.Rank == key.Rank && kv.Key.Stream == key.Stream).Sum(kv => kv.Value.Idle ?? 0);
        return Math.Max(0.005 * Math.Abs(total), 5);
    }

    private static void Compare(List<string> mismatches, string what, double? hta, double headroom, double tolerance)
    {
        if (hta is null || double.IsNaN(headroom))
        {
            if (hta is not null || !double.IsNaN(headroom))
            {
                mismatches.Add($"{what}: HTA {Show(hta)}, Headroom {Show(headroom)}");
            }

            return;
        }

        if (Math.Abs(headroom - hta.Value) > tolerance)
        {
            mismatches.Add($"{what}: HTA {Show(hta)}, Headroom {Show(headroom)} (tolerance {tolerance})");
        }
    }

    private static void CompareRounded(List<string> mismatches, string what, double? hta, double headroom)
    {
        var rounded = double.IsNaN(headroom) ? double.NaN : HtaReference.Round2(headroom);
        if (hta is null ? !double.IsNaN(rounded) : rounded != hta.Value)
        {
            mismatches.Add($"{what}: HTA {Show(hta)}, Headroom {Show(headroom)} (rounded {Show(rounded)})");
        }
    }

    private static string Show(double? v) => v is double d && !double.IsNaN(d) ? d.ToString("R", CultureInfo.InvariantCulture) : "NaN";
}
