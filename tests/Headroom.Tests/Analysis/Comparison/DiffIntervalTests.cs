using Headroom.Analysis.Comparison;
using Xunit;

namespace Headroom.Tests.Analysis.Comparison;

public sealed class DiffIntervalTests
{
    // Student t quantiles from printed tables (e.g. NIST/SEMATECH e-Handbook 1.3.6.7.2).
    [Theory]
    [InlineData(0.975, 1, 12.7062047)]
    [InlineData(0.975, 2, 4.30265273)]
    [InlineData(0.975, 4, 2.77644511)]
    [InlineData(0.975, 10, 2.22813885)]
    [InlineData(0.975, 30, 2.04227246)]
    [InlineData(0.95, 5, 2.01504837)]
    [InlineData(0.975, 1e7, 1.95996398)]
    [InlineData(0.025, 4, -2.77644511)]
    public void Student_t_quantiles_match_the_tables(double p, double df, double expected) =>
        Assert.Equal(expected, WelchInterval.StudentTQuantile(p, df), 6);

    public static TheoryData<double[], double[], double, double?, double?, bool?> Cases() => new()
    {
        // means 2 and 5, variances 1 and 1, n 3 and 3: se = sqrt(1/3 + 1/3) = 0.816497, df = (2/3)² / (2 · (1/3)² / 2) = 4,
        // half-width = t(0.975, 4) · se = 2.776445 · 0.816497 = 2.266958
        { [1, 2, 3], [4, 5, 6], 3, 0.733042, 5.266958, true },
        // the same samples: delta 0, the same half-width around it
        { [1, 2, 3], [1, 2, 3], 0, -2.266958, 2.266958, false },
        // no variation on either side: the interval is the delta itself
        { [5, 5], [5, 5], 0, 0, 0, false },
        { [5, 5], [6, 6], 1, 1, 1, true },
        // one sample on a side: no variance to estimate, no interval
        { [5], [6, 7], 1.5, null, null, null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Welch_interval_matches_hand_worked_values(double[] a, double[] b, double delta, double? low, double? high, bool? significant)
    {
        var e = WelchInterval.Compute(a, b);
        Assert.Equal(delta, e.Delta, 6);
        Assert.Equal(low is null, e.CiLow is null);
        if (low is not null)
        {
            Assert.Equal(low.Value, e.CiLow!.Value, 5);
            Assert.Equal(high!.Value, e.CiHigh!.Value, 5);
        }

        Assert.Equal(significant, e.Significant);
    }

    [Fact]
    public void Unequal_variances_and_counts_use_the_Welch_Satterthwaite_degrees_of_freedom()
    {
        // variances 4 and 20/3, n 3 and 4: se² = 4/3 + 5/3 = 3, df = 9 / ((4/3)²/2 + (5/3)²/3) = 4.959, so the half-width
        // lies between t(0.975, 5) · √3 = 4.4524 and t(0.975, 4) · √3 = 4.8089, close to the former
        var e = WelchInterval.Compute([10, 12, 14], [20, 22, 24, 26]);
        var half = e.CiHigh!.Value - e.Delta;
        Assert.Equal(11, e.Delta, 9);
        Assert.InRange(half, 4.4524, 4.47);
        Assert.Equal((2.0, Math.Sqrt(20.0 / 3)), (e.BaselineStdDev, e.CandidateStdDev));
    }
}
