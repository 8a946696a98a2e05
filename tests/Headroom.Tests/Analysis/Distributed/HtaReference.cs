using System.Collections.Concurrent;
using System.Globalization;
using Headroom.Analysis;
using Headroom.Analysis.Distributed;
using Headroom.Ingest;
using Headroom.Model;
using Headroom.Tests.Support;
using Xunit;

namespace Headroom.Tests.Analysis.Distributed;

/// <summary>
/// Loads each HTA reference job once and computes the per-rank distributed analyses under HTA conventions, selecting
/// activities as <see cref="TraceAnalysis.Analyze"/> does (the last step is dropped when the job has two or more step numbers).
/// </summary>
internal static class HtaReference
{
    /// <summary>The single case yielded when the shared data is absent: its test skips with SharedData's message.</summary>
    public const string NoSharedData = HtaReferenceJobs.NoSharedData;

    private static readonly ConcurrentDictionary<string, Lazy<Job>> Jobs = new(StringComparer.Ordinal);

    /// <summary>What Headroom computed for one rank under HTA conventions.</summary>
    /// <param name="OverlapPercent">The rank's <c>GpuTimeBreakdown.CommunicationOverlapPercent</c> from <see cref="TraceAnalysis.AnalyzeRank"/>.</param>
    public sealed record Rank(int Id, IdleTimeResult Idle, LaunchResult Launch, double? OverlapPercent);

    /// <summary>A job's ranks by id.</summary>
    public sealed record Job(IReadOnlyDictionary<int, Rank> Ranks);

    /// <summary>Jobs whose reference folder satisfies <paramref name="referenceDirMatches"/>, by reference name.</summary>
    public static TheoryData<string> JobsWhere(Func<string, bool> referenceDirMatches) => HtaReferenceJobs.Where(referenceDirMatches);

    /// <summary>True when the CSV exists and has at least one data row.</summary>
    public static bool CsvHasRows(string path) => HtaReferenceJobs.CsvHasRows(path);

    /// <summary>The reference folder of <paramref name="job"/> (skips when the shared data is absent).</summary>
    public static string ReferenceDir(string job) => HtaReferenceJobs.ReferenceDir(job);

    /// <summary>Loads and analyses <paramref name="job"/> once per test run.</summary>
    public static Job Analyse(string job)
    {
        var name = HtaReferenceJobs.Name(job);
        return Jobs.GetOrAdd(name, _ => new Lazy<Job>(() => Load(name))).Value;
    }

    /// <summary>Loads one job under either convention, for tests that look at a single trace.</summary>
    public static RankActivities Activities(string job, bool htaCompatible)
    {
        var load = TraceLoader.Load([HtaReferenceJobs.TracePath(job)]);
        Assert.NotNull(load.Run);
        var trace = Assert.Single(load.Run.Ranks);
        return RankActivities.Select(trace, htaCompatible, JobHasSeveralSteps(load.Run), new DiagnosticBag());
    }

    /// <summary>An HTA number such as "207.0", in µs; null for a blank (NaN) cell.</summary>
    public static double? Number(string text) =>
        text.Length == 0 ? null : double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>numpy's <c>np.round(x, 2)</c>: rint(x × 100) / 100, ties to even.</summary>
    public static double Round2(double x) => Math.Round(x * 100, MidpointRounding.ToEven) / 100;

    private static Job Load(string name)
    {
        var load = TraceLoader.Load([HtaReferenceJobs.TracePath(name)]);
        Assert.True(load.Run is not null && load.Errors.Count == 0,
            $"{name} did not load: {string.Join("; ", load.Errors.Select(e => $"{e.Code}: {e.Message}"))}");
        var run = load.Run;
        var several = JobHasSeveralSteps(run);
        var options = new AnalysisOptions(HtaCompatible: true);
        var ranks = new Dictionary<int, Rank>();
        foreach (var trace in run.Ranks)
        {
            var activities = RankActivities.Select(trace, htaCompatible: true, several, new DiagnosticBag());
            var overlap = TraceAnalysis.AnalyzeRank(trace, options, several, new DiagnosticBag()).Overall.CommunicationOverlapPercent;
            ranks.Add(trace.Rank, new Rank(trace.Rank, IdleTimeAnalysis.Compute(activities), LaunchAnalysis.Compute(activities), overlap));
        }

        return new Job(ranks);
    }

    /// <summary>HTA drops the last step when the whole job has at least two distinct ProfilerStep numbers (as TraceAnalysis.Analyze decides).</summary>
    private static bool JobHasSeveralSteps(TraceRun run) =>
        run.Ranks.SelectMany(r => StepAnalysis.Find(r).Select(s => s.Number)).Distinct().Count() >= 2;
}
