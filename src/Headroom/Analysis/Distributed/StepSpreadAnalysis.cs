namespace Headroom.Analysis.Distributed;

/// <summary>One rank's device window length for one step.</summary>
public readonly record struct RankStepWindow(int Rank, long WindowNs);

/// <summary>A step number found on several ranks, and how its length varies across them.</summary>
/// <param name="Number">N of ProfilerStep#N.</param>
/// <param name="Ranks">Each rank's device window length, ordered by rank.</param>
/// <param name="MinNs">Shortest window, ns.</param>
/// <param name="MaxNs">Longest window, ns.</param>
/// <param name="MeanNs">Mean window, ns.</param>
/// <param name="SpreadNs">Max − min, ns.</param>
/// <param name="CoefficientOfVariation">Population standard deviation / mean (0 when the mean is 0).</param>
/// <param name="SlowestRank">Rank with the longest window (lowest such rank on a tie).</param>
/// <param name="FastestRank">Rank with the shortest window (lowest such rank on a tie).</param>
public sealed record StepSpread(long Number, IReadOnlyList<RankStepWindow> Ranks, long MinNs, long MaxNs, long MeanNs, long SpreadNs,
    double CoefficientOfVariation, int SlowestRank, int FastestRank);

/// <summary>One rank's step times over the steps compared.</summary>
/// <param name="Rank">Rank id.</param>
/// <param name="Steps">Steps counted (those present on several ranks).</param>
/// <param name="MeanNs">Mean device window, ns.</param>
/// <param name="SlowestCount">Steps in which this rank was the slowest.</param>
public readonly record struct RankStepTime(int Rank, int Steps, long MeanNs, int SlowestCount);

/// <summary>Step times across ranks.</summary>
/// <param name="Steps">Steps present on at least two ranks, by number.</param>
/// <param name="Ranks">Per rank over those steps, ordered by rank (ranks without any of them are left out).</param>
/// <param name="RankMeanSpreadNs">Largest − smallest per-rank mean, ns.</param>
/// <param name="RankMeanCoefficientOfVariation">Population standard deviation / mean of the per-rank means.</param>
/// <param name="SlowestRank">Rank with the largest mean step time; -1 when no step is compared.</param>
/// <param name="TotalStepTimeNs">Sum of the steps' mean windows, ns: the compared time of the job.</param>
public sealed record StepSpreadResult(IReadOnlyList<StepSpread> Steps, IReadOnlyList<RankStepTime> Ranks, long RankMeanSpreadNs,
    double RankMeanCoefficientOfVariation, int SlowestRank, long TotalStepTimeNs)
{
    /// <summary>Nothing to compare.</summary>
    public static StepSpreadResult Empty { get; } = new([], [], 0, 0, -1, 0);
}

/// <summary>
/// Step time per rank and its spread across ranks, from the step device windows of the per-rank summaries. A window
/// includes the time a rank waited in collectives, so in a synchronous job the windows of one step differ mostly where the
/// ranks start and finish; a rank that is consistently slowest is doing more work or waiting on something local. Pure.
/// </summary>
public static class StepSpreadAnalysis
{
    /// <summary>Compares the steps that at least two ranks have.</summary>
    public static StepSpreadResult Compute(IReadOnlyList<RankCollectives> ranks)
    {
        ArgumentNullException.ThrowIfNull(ranks);
        var byStep = new SortedDictionary<long, List<RankStepWindow>>();
        foreach (var r in ranks.DistinctBy(r => r.Rank).OrderBy(r => r.Rank))
        {
            foreach (var s in r.Steps.DistinctBy(s => s.Number))
            {
                if (!byStep.TryGetValue(s.Number, out var list))
                {
                    byStep[s.Number] = list = [];
                }

                list.Add(new RankStepWindow(r.Rank, s.LengthNs));
            }
        }

        var steps = new List<StepSpread>();
        foreach (var (number, list) in byStep)
        {
            if (list.Count < 2)
            {
                continue;
            }

            var slowest = list[0];
            var fastest = list[0];
            foreach (var w in list)
            {
                slowest = w.WindowNs > slowest.WindowNs ? w : slowest;
                fastest = w.WindowNs < fastest.WindowNs ? w : fastest;
            }

            var (mean, cv) = MeanAndCv(list.Select(w => (double)w.WindowNs));
            steps.Add(new StepSpread(number, list, fastest.WindowNs, slowest.WindowNs, (long)Math.Round(mean), slowest.WindowNs - fastest.WindowNs,
                cv, slowest.Rank, fastest.Rank));
        }

        if (steps.Count == 0)
        {
            return StepSpreadResult.Empty;
        }

        var perRank = steps.SelectMany(s => s.Ranks.Select(w => (w.Rank, w.WindowNs, Slowest: s.SlowestRank == w.Rank)))
            .GroupBy(x => x.Rank).OrderBy(g => g.Key)
            .Select(g => new RankStepTime(g.Key, g.Count(), (long)Math.Round(g.Average(x => (double)x.WindowNs)), g.Count(x => x.Slowest)))
            .ToList();
        var (_, rankCv) = MeanAndCv(perRank.Select(r => (double)r.MeanNs));
        var slowestRank = perRank.MaxBy(r => r.MeanNs).Rank;
        return new StepSpreadResult(steps, perRank, perRank.Max(r => r.MeanNs) - perRank.Min(r => r.MeanNs), rankCv, slowestRank,
            steps.Sum(s => s.MeanNs));
    }

    private static (double Mean, double Cv) MeanAndCv(IEnumerable<double> values)
    {
        var list = values.ToList();
        var mean = list.Average();
        var variance = list.Sum(v => (v - mean) * (v - mean)) / list.Count;
        return (mean, mean > 0 ? Math.Sqrt(variance) / mean : 0);
    }
}
