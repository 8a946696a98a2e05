namespace Headroom.Analysis.Distributed;

/// <summary>
/// Descriptive statistics of a set of durations (or gaps), in ns. Quantiles are numpy's default linear
/// interpolation (pandas <c>describe()</c>); <see cref="StdNs"/> is the sample standard deviation (ddof = 1).
/// A statistic that is undefined is <see cref="double.NaN"/>: every field but <see cref="Count"/> when the set is empty,
/// and <see cref="StdNs"/> for a single value (as pandas reports it). JSON writers should render NaN as null.
/// </summary>
/// <param name="Count">Number of values.</param>
/// <param name="TotalNs">Sum of the values, ns (0 when empty).</param>
/// <param name="MeanNs">Arithmetic mean, ns.</param>
/// <param name="StdNs">Sample standard deviation, ns.</param>
/// <param name="MinNs">Smallest value, ns.</param>
/// <param name="P25Ns">25th percentile, ns.</param>
/// <param name="P50Ns">Median, ns.</param>
/// <param name="P75Ns">75th percentile, ns.</param>
/// <param name="P95Ns">95th percentile, ns.</param>
/// <param name="MaxNs">Largest value, ns.</param>
public sealed record DurationStats(int Count, long TotalNs, double MeanNs, double StdNs, double MinNs, double P25Ns, double P50Ns, double P75Ns,
    double P95Ns, double MaxNs)
{
    /// <summary>The statistics of no values.</summary>
    public static DurationStats Empty { get; } = new(0, 0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);

    /// <summary>The statistics of <paramref name="values"/> (ns; the list is not modified).</summary>
    public static DurationStats Of(IReadOnlyList<long> values)
    {
        if (values.Count == 0)
        {
            return Empty;
        }

        var sorted = new long[values.Count];
        long total = 0;
        for (var i = 0; i < sorted.Length; i++)
        {
            sorted[i] = values[i];
            total += values[i];
        }

        Array.Sort(sorted);
        var n = sorted.Length;
        var mean = (double)total / n;
        var std = double.NaN;
        if (n > 1)
        {
            double squares = 0;
            foreach (var v in sorted)
            {
                var d = v - mean;
                squares += d * d;
            }

            std = Math.Sqrt(squares / (n - 1));
        }

        return new DurationStats(n, total, mean, std, sorted[0], Quantile(sorted, 0.25), Quantile(sorted, 0.5), Quantile(sorted, 0.75),
            Quantile(sorted, 0.95), sorted[^1]);
    }

    /// <summary>
    /// numpy's linear quantile of sorted values, with its own interpolation formula
    /// (<c>b - (b - a) * (1 - t)</c> when t ≥ 0.5, else <c>a + (b - a) * t</c>) so that results match it to the last bit.
    /// </summary>
    public static double Quantile(ReadOnlySpan<long> sorted, double q)
    {
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var position = (sorted.Length - 1) * q;
        var lo = (int)Math.Floor(position);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        var t = position - lo;
        double a = sorted[lo], b = sorted[hi];
        var d = b - a;
        return t >= 0.5 ? b - (d * (1 - t)) : a + (d * t);
    }
}
