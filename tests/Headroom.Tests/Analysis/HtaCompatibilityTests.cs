using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Headroom.Analysis;
using Headroom.Ingest;
using Headroom.Model;
using Headroom.Tests.Support;
using Xunit;

namespace Headroom.Tests.Analysis;

/// <summary>
/// Headroom under <c>--hta-compatible</c> against the outputs of Holistic Trace Analysis 0.6.1 on the real traces
/// (shared/data/reference/hta, README there). Each reference job is one test case, named by the job.
/// HTA writes microseconds; Headroom keeps nanoseconds.
/// </summary>
public sealed class HtaCompatibilityTests
{
    /// <summary>The single case yielded when the shared data is absent: its test skips with SharedData's message.</summary>

    private static readonly ConcurrentDictionary<string, Lazy<JobResult>> Results = new(StringComparer.Ordinal);

    /// <summary>What a job's load and HTA-mode analysis gave (the trace itself is not kept).</summary>
    private sealed record JobResult(IReadOnlyList<Diagnostic> LoadErrors, AnalysisResult? Analysis);

    public static TheoryData<string> JobsWithTemporalBreakdown() => HtaReferenceJobs.Where(dir => HtaReferenceJobs.CsvHasRows(Path.Combine(dir, "temporal_breakdown.csv")));

    public static TheoryData<string> JobsWithKernelTypeTable() => HtaReferenceJobs.Where(dir => HtaReferenceJobs.CsvHasRows(Path.Combine(dir, "gpu_kernel_type_breakdown.csv")));

    public static TheoryData<string> JobsWithProfilerSteps() => HtaReferenceJobs.Where(dir => File.Exists(Path.Combine(dir, "profiler_steps.txt")));

    /// <summary>Jobs on which HTA's temporal breakdown raised (README "Failures": no GPU events).</summary>
    public static TheoryData<string> JobsWhereHtaFailed() => HtaReferenceJobs.Where(dir => HtaRaised(dir, "get_temporal_breakdown"));

    [Theory]
    [MemberData(nameof(JobsWithTemporalBreakdown))]
    public void Temporal_breakdown_matches_HTA_per_rank_within_half_a_percent_of_kernel_time(string job)
    {
        // Given HTA's temporal breakdown of the job
        var reference = CsvTable.Read(Path.Combine(HtaReferenceJobs.ReferenceDir(job), "temporal_breakdown.csv"));
        Assert.NotEmpty(reference.Rows);

        // When Headroom analyses the same trace(s) in HTA mode
        var ranks = AnalyseRanks(job);

        // Then every rank's four times agree within max(0.5% of kernel_time, 5 µs)
        Assert.Equal(RanksOf(reference), ranks.Keys.Order());
        var mismatches = new List<string>();
        for (var row = 0; row < reference.Rows.Count; row++)
        {
            var rank = int.Parse(reference[row, "rank"], CultureInfo.InvariantCulture);
            var hta = ranks[rank].HtaTemporal;
            Assert.NotNull(hta);
            var kernelTime = Micros(reference[row, "kernel_time(us)"]);
            var tolerance = Math.Max(0.005m * kernelTime, 5m);
            Compare(mismatches, $"rank {rank} idle", Micros(reference[row, "idle_time(us)"]), hta.IdleNs, tolerance);
            Compare(mismatches, $"rank {rank} compute", Micros(reference[row, "compute_time(us)"]), hta.ComputeNs, tolerance);
            Compare(mismatches, $"rank {rank} non_compute", Micros(reference[row, "non_compute_time(us)"]), hta.NonComputeNs, tolerance);
            Compare(mismatches, $"rank {rank} kernel_time", kernelTime, hta.KernelTimeNs, tolerance);
        }

        Assert.True(mismatches.Count == 0, $"{job}: outside tolerance:\n{string.Join('\n', mismatches)}");
    }

    [Theory]
    [MemberData(nameof(JobsWithTemporalBreakdown))]
    public void Temporal_breakdown_equals_HTA_exactly(string job)
    {
        // Exact agreement is the current state: any drift is a regression worth seeing even inside the tolerance.
        var reference = CsvTable.Read(Path.Combine(HtaReferenceJobs.ReferenceDir(job), "temporal_breakdown.csv"));
        var ranks = AnalyseRanks(job);

        var mismatches = new List<string>();
        for (var row = 0; row < reference.Rows.Count; row++)
        {
            var rank = int.Parse(reference[row, "rank"], CultureInfo.InvariantCulture);
            Assert.True(ranks.ContainsKey(rank), $"{job}: Headroom has no rank {rank}; it has {string.Join(", ", ranks.Keys)}");
            var hta = ranks[rank].HtaTemporal!;
            Compare(mismatches, $"rank {rank} idle", Micros(reference[row, "idle_time(us)"]), hta.IdleNs, 0);
            Compare(mismatches, $"rank {rank} compute", Micros(reference[row, "compute_time(us)"]), hta.ComputeNs, 0);
            Compare(mismatches, $"rank {rank} non_compute", Micros(reference[row, "non_compute_time(us)"]), hta.NonComputeNs, 0);
            Compare(mismatches, $"rank {rank} kernel_time", Micros(reference[row, "kernel_time(us)"]), hta.KernelTimeNs, 0);
        }

        Assert.True(mismatches.Count == 0, $"{job}: differs from HTA:\n{string.Join('\n', mismatches)}");
    }

    [Theory]
    [MemberData(nameof(JobsWithKernelTypeTable))]
    public void Kernel_type_table_summed_over_ranks_matches_HTA_within_half_a_percent_of_total_time(string job)
    {
        // Given HTA's kernel-type table (already summed over ranks) and Headroom's per-rank tables summed the same way
        var reference = KernelTypeReference(job);
        var headroom = KernelTypeSums(job);
        var total = reference.Values.Sum();
        var tolerance = Math.Max(0.005m * total, 5m);

        // Then every combination, present on either side (absent = 0), agrees within max(0.5% of the total, 5 µs)
        var mismatches = new List<string>();
        foreach (var type in reference.Keys.Union(headroom.Keys).Order(StringComparer.Ordinal))
        {
            Compare(mismatches, type, reference.GetValueOrDefault(type), headroom.GetValueOrDefault(type), tolerance);
        }

        Assert.True(mismatches.Count == 0, $"{job}: outside tolerance (total {total} µs):\n{string.Join('\n', mismatches)}");
    }

    [Theory]
    [MemberData(nameof(JobsWithKernelTypeTable))]
    public void Kernel_type_table_equals_HTA_exactly_including_zero_rows(string job)
    {
        var reference = KernelTypeReference(job);
        var headroom = KernelTypeSums(job);

        // HTA keeps zero-length overlap rows (e.g. "COMPUTATION overlapping MEMORY,0"): the row sets must match too.
        Assert.Equal(reference.Keys.Order(StringComparer.Ordinal), headroom.Keys.Order(StringComparer.Ordinal));
        var mismatches = new List<string>();
        foreach (var (type, micros) in reference)
        {
            Compare(mismatches, type, micros, headroom[type], 0);
        }

        Assert.True(mismatches.Count == 0, $"{job}: differs from HTA:\n{string.Join('\n', mismatches)}");
    }

    [Theory]
    [MemberData(nameof(JobsWithProfilerSteps))]
    public void Keeps_the_profiler_steps_HTA_keeps(string job)
    {
        // Given HTA's get_profiler_steps() output, a Python list such as "[4, 5]" or "[]"
        var text = File.ReadAllText(Path.Combine(HtaReferenceJobs.ReferenceDir(job), "profiler_steps.txt")).Trim();
        Assert.StartsWith("[", text, StringComparison.Ordinal);
        Assert.EndsWith("]", text, StringComparison.Ordinal);
        var expected = text[1..^1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToList();

        // When Headroom analyses the job in HTA mode (the last step is dropped when the job has two or more step names)
        var steps = AnalyseRanks(job).Values.SelectMany(r => r.Steps).Select(s => s.Step.Number).Distinct().Order().ToList();

        // Then the union over ranks of the steps it keeps is HTA's list
        Assert.Equal(expected, steps);
    }

    [Theory]
    [MemberData(nameof(JobsWhereHtaFailed))]
    public void Returns_a_zero_breakdown_and_says_why_where_HTA_raised(string job)
    {
        // Given a trace on which HTA's temporal breakdown raised IndexError (no GPU events)
        var result = Result(job);

        // When Headroom loads and analyses it in HTA mode
        Assert.Empty(result.LoadErrors);
        var analysis = result.Analysis!;

        // Then every rank has an all-zero breakdown and no kernel types
        Assert.NotEmpty(analysis.Ranks);
        foreach (var rank in analysis.Ranks)
        {
            Assert.Equal(new HtaTemporalBreakdown(0, 0, 0, 0), rank.HtaTemporal);
            Assert.Empty(rank.KernelTypes);
            Assert.Equal(0, rank.ActivityCount);
            Assert.Equal(0, rank.Overall.BusyNs);

            // And a diagnostic naming the file says there is no device activity to break down
            Assert.Contains(analysis.Diagnostics, d => d.Code is "no-gpu-events" or "cupti-range-mode" && d.File == rank.SourcePath);
        }
    }

    [Fact]
    public void Names_CUPTI_range_mode_rather_than_missing_GPU_events()
    {
        var result = Result("hta-a100-cupti-range-mode");

        var diagnostics = result.Analysis!.Diagnostics;
        var range = Assert.Single(diagnostics, d => d.Code == "cupti-range-mode");
        Assert.EndsWith("hta-a100-cupti-range-mode.json.gz", range.File, StringComparison.Ordinal);
        Assert.DoesNotContain(diagnostics, d => d.Code == "no-gpu-events");
    }

    [Fact]
    public void Every_job_without_a_temporal_breakdown_is_one_where_HTA_raised()
    {
        // The failure theory above must cover exactly the README's four failed traces, and the others must have rows.
        var root = SharedData.Require("reference/hta");
        var jobs = SharedData.KinetoJobs().Select(j => j.Name).ToList();
        var withoutRows = jobs.Where(j => !HtaReferenceJobs.CsvHasRows(Path.Combine(root, j, "temporal_breakdown.csv"))).Order(StringComparer.Ordinal).ToList();
        var raised = jobs.Where(j => HtaRaised(Path.Combine(root, j), "get_temporal_breakdown")).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(["hta-a100-cupti-range-mode", "hta-cpu-only-rank34", "hta-no-distributed-info", "hta-rank-non-gpu"], raised);
        Assert.Equal(raised, withoutRows);
    }

    private static Dictionary<int, RankAnalysis> AnalyseRanks(string job)
    {
        var result = Result(job);
        Assert.True(result.LoadErrors.Count == 0, $"{job} did not load: {string.Join("; ", result.LoadErrors.Select(e => $"{e.Code}: {e.Message}"))}");
        return result.Analysis!.Ranks.ToDictionary(r => r.Rank);
    }

    /// <summary>Loads and analyses a job once per test run; every theory over the job shares the result.</summary>
    private static JobResult Result(string job)
    {
        var path = HtaReferenceJobs.TracePath(job);
        return Results.GetOrAdd(job, _ => new Lazy<JobResult>(() =>
        {
            var load = TraceLoader.Load([path]);
            return new JobResult(load.Errors, load.Run is null ? null : TraceAnalysis.Analyze(load.Run, new AnalysisOptions(HtaCompatible: true)));
        })).Value;
    }

    private static Dictionary<string, decimal> KernelTypeReference(string job)
    {
        var table = CsvTable.Read(Path.Combine(HtaReferenceJobs.ReferenceDir(job), "gpu_kernel_type_breakdown.csv"));
        var sums = new Dictionary<string, decimal>(StringComparer.Ordinal);
        for (var row = 0; row < table.Rows.Count; row++)
        {
            sums.Add(table[row, "kernel_type"], Micros(table[row, "sum"]));
        }

        return sums;
    }

    private static Dictionary<string, long> KernelTypeSums(string job)
    {
        var sums = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var rank in AnalyseRanks(job).Values)
        {
            foreach (var row in rank.KernelTypes)
            {
                sums[row.Type] = sums.GetValueOrDefault(row.Type) + row.Ns;
            }
        }

        return sums;
    }

    private static void Compare(List<string> mismatches, string what, decimal htaMicros, long headroomNs, decimal toleranceMicros)
    {
        var headroomMicros = headroomNs / 1000m;
        if (Math.Abs(headroomMicros - htaMicros) > toleranceMicros)
        {
            mismatches.Add($"{what}: HTA {htaMicros} µs, Headroom {headroomMicros} µs (tolerance {toleranceMicros} µs)");
        }
    }

    /// <summary>An HTA value such as "207.0" or "49", in µs, exactly.</summary>
    private static decimal Micros(string text) => decimal.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static List<int> RanksOf(CsvTable temporal) =>
        [.. Enumerable.Range(0, temporal.Rows.Count).Select(r => int.Parse(temporal[r, "rank"], CultureInfo.InvariantCulture)).Order()];

    private static bool HtaRaised(string referenceDir, string call)
    {
        var meta = Path.Combine(referenceDir, "meta.json");
        if (!File.Exists(meta))
        {
            return false;
        }

        using var doc = JsonDocument.Parse(File.ReadAllBytes(meta));
        return doc.RootElement.TryGetProperty("exceptions", out var exceptions) && exceptions.TryGetProperty(call, out _);
    }
}
