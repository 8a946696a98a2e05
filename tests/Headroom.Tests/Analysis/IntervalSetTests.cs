using Headroom.Analysis;
using Xunit;

namespace Headroom.Tests.Analysis;

public sealed class IntervalSetTests
{
    public static TheoryData<long, long, long> CoveredCases() => new()
    {
        // Set: [10,20) ∪ [30,50) (from [10,15), [12,20), [30,40), [40,50): touching ones merge).
        { 0, 100, 30 },
        { 0, 10, 0 },
        { 15, 35, 5 + 5 },
        { 20, 30, 0 },
        { 45, 60, 5 },
        { 12, 18, 6 },
        { 50, 50, 0 },
        { 40, 30, 0 },
    };

    [Theory]
    [MemberData(nameof(CoveredCases))]
    public void Covered_length_of_a_query_counts_each_moment_once(long start, long end, long expected)
    {
        var set = IntervalSet.Union([(10, 15), (12, 20), (30, 40), (40, 50), (25, 25)]);
        Assert.Equal(2, set.Count);
        Assert.Equal(30, set.Length);
        Assert.Equal(expected, set.Covered(start, end));
    }

    [Fact]
    public void At_least_two_sets_busy_is_where_another_set_overlaps()
    {
        // Given three streams' unions
        var a = IntervalSet.Union([(0, 100)]);
        var b = IntervalSet.Union([(50, 150)]);
        var c = IntervalSet.Union([(90, 95), (100, 120), (200, 210)]);

        // When two or more are busy: [50,100) (a,b) and [100,120) (b,c); touching at 100 is one run
        var shared = IntervalSet.AtLeastTwo([a, b, c]);

        // Then
        Assert.Equal(70, shared.Length);
        Assert.Equal(1, shared.Count);
        Assert.Equal(0, shared.Covered(0, 50));
        Assert.Equal(0, shared.Covered(120, 300));
    }
}
