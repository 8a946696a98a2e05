namespace Headroom.Analysis.Comparison;

/// <summary>
/// A change in a mean between two runs: both means, their sample counts and standard deviations, and the 95% Welch
/// confidence interval of the difference (candidate − baseline). Units are those of the samples (ns, or a fraction for MFU).
/// </summary>
/// <param name="Baseline">Baseline mean.</param>
/// <param name="Candidate">Candidate mean.</param>
/// <param name="BaselineSamples">Baseline samples.</param>
/// <param name="CandidateSamples">Candidate samples.</param>
/// <param name="BaselineStdDev">Baseline sample standard deviation (0 with one sample).</param>
/// <param name="CandidateStdDev">Candidate sample standard deviation (0 with one sample).</param>
/// <param name="CiLow">Lower end of the 95% interval of the difference; null when a side has fewer than two samples.</param>
/// <param name="CiHigh">Upper end; null likewise.</param>
public sealed record DeltaEstimate(double Baseline, double Candidate, int BaselineSamples, int CandidateSamples, double BaselineStdDev,
    double CandidateStdDev, double? CiLow, double? CiHigh)
{
    /// <summary>Candidate − baseline.</summary>
    public double Delta => Candidate - Baseline;

    /// <summary><see cref="Delta"/> over the baseline mean; null when the baseline is 0.</summary>
    public double? Relative => Baseline != 0 ? Delta / Baseline : null;

    /// <summary>True when the interval excludes 0, false when it contains it, null when there is no interval.</summary>
    public bool? Significant => CiLow is { } low && CiHigh is { } high ? low > 0 || high < 0 : null;
}

/// <summary>
/// Welch's t interval for a difference of means, and the Student t quantile it needs. Pure and deterministic: the same
/// samples always give the same interval, so a CI gate cannot flip on a re-run (a bootstrap could).
/// </summary>
public static class WelchInterval
{
    /// <summary>Two-sided confidence level of every interval.</summary>
    public const double Confidence = 0.95;

    /// <summary>The estimate for <paramref name="baseline"/> against <paramref name="candidate"/> samples.</summary>
    public static DeltaEstimate Compute(ReadOnlySpan<double> baseline, ReadOnlySpan<double> candidate) =>
        FromMoments(Moments(baseline), Moments(candidate));

    /// <summary>The estimate from each side's (count, mean, sample variance).</summary>
    public static DeltaEstimate FromMoments((int N, double Mean, double Variance) a, (int N, double Mean, double Variance) b)
    {
        if (a.N < 2 || b.N < 2)
        {
            return new DeltaEstimate(a.Mean, b.Mean, a.N, b.N, Math.Sqrt(a.Variance), Math.Sqrt(b.Variance), null, null);
        }

        var delta = b.Mean - a.Mean;
        var va = a.Variance / a.N;
        var vb = b.Variance / b.N;
        var se = Math.Sqrt(va + vb);
        double half;
        if (se == 0)
        {
            half = 0;
        }
        else
        {
            var df = (va + vb) * (va + vb) / ((va * va / (a.N - 1)) + (vb * vb / (b.N - 1)));
            half = StudentTQuantile(0.5 + (Confidence / 2), df) * se;
        }

        return new DeltaEstimate(a.Mean, b.Mean, a.N, b.N, Math.Sqrt(a.Variance), Math.Sqrt(b.Variance), delta - half, delta + half);
    }

    /// <summary>Count, mean and sample variance (two passes, so large nanosecond values do not cancel).</summary>
    public static (int N, double Mean, double Variance) Moments(ReadOnlySpan<double> x)
    {
        if (x.Length == 0)
        {
            return (0, 0, 0);
        }

        var sum = 0.0;
        foreach (var v in x)
        {
            sum += v;
        }

        var mean = sum / x.Length;
        var ss = 0.0;
        foreach (var v in x)
        {
            ss += (v - mean) * (v - mean);
        }

        return (x.Length, mean, x.Length > 1 ? ss / (x.Length - 1) : 0);
    }

    /// <summary>The <paramref name="p"/> quantile of Student's t with <paramref name="df"/> (real, &gt; 0) degrees of freedom.</summary>
    public static double StudentTQuantile(double p, double df)
    {
        if (p is <= 0 or >= 1 || !(df > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(p), "p must be in (0, 1) and df > 0");
        }

        if (p < 0.5)
        {
            return -StudentTQuantile(1 - p, df);
        }

        if (p == 0.5)
        {
            return 0;
        }

        // Bracket, then bisect on the CDF: 200 halvings are far below double precision, and the CDF is monotonic.
        double lo = 0, hi = 1;
        while (StudentTCdf(hi, df) < p && hi < 1e12)
        {
            lo = hi;
            hi *= 2;
        }

        for (var i = 0; i < 200 && hi - lo > 1e-12 * Math.Max(1, hi); i++)
        {
            var mid = (lo + hi) / 2;
            if (StudentTCdf(mid, df) < p)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        return (lo + hi) / 2;
    }

    /// <summary>P(T ≤ <paramref name="t"/>) for Student's t with <paramref name="df"/> degrees of freedom.</summary>
    public static double StudentTCdf(double t, double df)
    {
        var tail = 0.5 * RegularizedIncompleteBeta(df / (df + (t * t)), df / 2, 0.5);
        return t >= 0 ? 1 - tail : tail;
    }

    /// <summary>I_x(a, b), by the continued fraction (modified Lentz), using the symmetry for fast convergence.</summary>
    private static double RegularizedIncompleteBeta(double x, double a, double b)
    {
        if (x <= 0)
        {
            return 0;
        }

        if (x >= 1)
        {
            return 1;
        }

        var front = Math.Exp((a * Math.Log(x)) + (b * Math.Log(1 - x)) - LogBeta(a, b));
        return x < (a + 1) / (a + b + 2)
            ? front * BetaContinuedFraction(x, a, b) / a
            : 1 - (front * BetaContinuedFraction(1 - x, b, a) / b);
    }

    private static double BetaContinuedFraction(double x, double a, double b)
    {
        const double tiny = 1e-300;
        double c = 1, d = 1 - ((a + b) * x / (a + 1));
        d = Math.Abs(d) < tiny ? tiny : d;
        d = 1 / d;
        var h = d;
        for (var m = 1; m <= 300; m++)
        {
            var m2 = 2 * m;
            var num = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
            d = 1 + (num * d);
            d = Math.Abs(d) < tiny ? tiny : d;
            c = 1 + (num / c);
            c = Math.Abs(c) < tiny ? tiny : c;
            d = 1 / d;
            h *= d * c;
            num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
            d = 1 + (num * d);
            d = Math.Abs(d) < tiny ? tiny : d;
            c = 1 + (num / c);
            c = Math.Abs(c) < tiny ? tiny : c;
            d = 1 / d;
            var step = d * c;
            h *= step;
            if (Math.Abs(step - 1) < 1e-15)
            {
                break;
            }
        }

        return h;
    }

    private static double LogBeta(double a, double b) => LogGamma(a) + LogGamma(b) - LogGamma(a + b);

    /// <summary>ln Γ(x) for x &gt; 0 (Lanczos, g = 7, 9 terms: about 15 significant digits).</summary>
    private static double LogGamma(double x)
    {
        if (x < 0.5)
        {
            return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        }

        ReadOnlySpan<double> g =
        [
            0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
        ];
        x -= 1;
        var sum = g[0];
        for (var i = 1; i < g.Length; i++)
        {
            sum += g[i] / (x + i);
        }

        var t = x + 7.5;
        return (0.5 * Math.Log(2 * Math.PI)) + ((x + 0.5) * Math.Log(t)) - t + Math.Log(sum);
    }
}
