using Headroom.Analysis.Distributed;
using Headroom.Tests.Support;
using Xunit;

namespace Headroom.Tests.Analysis.Distributed;

/// <summary>Algorithm and bus bandwidth, with values worked by hand (GB/s = bytes per ns).</summary>
public sealed class CollectiveBandwidthTests
{
    public static TheoryData<string, int, long, long, double?, double?> Cases => new()
    {
        // collective, n, bytes, transfer ns → algorithm GB/s, bus GB/s
        // 1 GB in 10 ms = 100 GB/s; ring all-reduce moves 2(n-1)/n = 14/8 of it over each link: 175.
        { "all_reduce", 8, 1_000_000_000, 10_000_000, 100, 175 },
        // Two ranks: 2(2-1)/2 = 1.
        { "all_reduce", 2, 500_000_000, 5_000_000, 100, 100 },
        // One rank moves nothing: factor 0.
        { "all_reduce", 1, 100_000_000, 1_000_000, 100, 0 },
        // 400 MB gathered in 5 ms = 80 GB/s; (4-1)/4 → 60.
        { "all_gather", 4, 400_000_000, 5_000_000, 80, 60 },
        // 1.6 GB in 20 ms = 80; 15/16 → 75.
        { "reduce_scatter", 16, 1_600_000_000, 20_000_000, 80, 75 },
        // 64 MB in 1 ms = 64; 7/8 → 56.
        { "all_to_all", 8, 64_000_000, 1_000_000, 64, 56 },
        { "gather", 4, 40_000_000, 1_000_000, 40, 30 },
        { "scatter", 2, 40_000_000, 1_000_000, 40, 20 },
        // Broadcast, reduce and point-to-point: factor 1.
        { "broadcast", 8, 50_000_000, 1_000_000, 50, 50 },
        { "reduce", 4, 30_000_000, 2_000_000, 15, 15 },
        { "send_recv", 8, 12_000_000, 400_000, 30, 30 },
        { "send", 2, 1_000, 1_000, 1, 1 },
        { "recv", 2, 1_000, 1_000, 1, 1 },
        // No bus factor for a barrier or a collective that could not be named.
        { "barrier", 8, 8, 1_000, 0.008, null },
        { "unknown", 8, 1_000_000, 1_000, 1_000, null },
        // Unknown size, zero transfer, unknown group size.
        { "all_reduce", 8, -1, 1_000_000, null, null },
        { "all_reduce", 8, 1_000_000, 0, null, null },
        { "all_reduce", -1, 1_000_000, 1_000, 1_000, null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Computes_algorithm_and_bus_bandwidth(string collective, int n, long bytes, long transferNs, double? algorithm, double? bus)
    {
        AssertClose(algorithm, CollectiveBandwidth.AlgorithmGBps(bytes, transferNs));
        AssertClose(bus, CollectiveBandwidth.BusGBps(collective, n, bytes, transferNs));
    }

    [Fact]
    public void Instances_get_bandwidth_from_the_largest_message_and_the_transfer_after_the_last_arrival()
    {
        // The synthetic all-reduce moves 25M floats = 100 MB in 1.2 ms after the last arrival (ends jitter by < 0.5 µs);
        // the all-gather's output is 8M bf16 = 16 MB in 0.3 ms; the all-to-all 16 MB in 0.4 ms.
        var result = CollectiveAnalysis.Analyze(new MultiRankJobBuilder { ClockOffsetNs = StragglerAnalysisTests.Offsets }.Summaries());

        var byName = result.ByCollective.ToDictionary(s => s.Name);
        Assert.Equal(["all_gather", "all_reduce", "all_to_all"], result.ByCollective.Select(s => s.Name).Order(StringComparer.Ordinal));
        Assert.All(result.ByCollective, s => Assert.Equal(("0", 10), (s.ProcessGroup, s.Instances)));
        Assert.Equal(1_000_000_000, byName["all_reduce"].MessageBytes);
        Assert.Equal(160_000_000, byName["all_gather"].MessageBytes);
        Assert.InRange(byName["all_reduce"].AlgorithmBandwidthGBps!.Value, 83.3, 83.34);
        Assert.InRange(byName["all_reduce"].BusBandwidthGBps!.Value, 145.8, 145.84);
        Assert.InRange(byName["all_gather"].AlgorithmBandwidthGBps!.Value, 53.28, 53.34);
        Assert.InRange(byName["all_gather"].BusBandwidthGBps!.Value, 46.62, 46.67);
        Assert.InRange(byName["all_to_all"].AlgorithmBandwidthGBps!.Value, 39.97, 40.0);
        Assert.InRange(byName["all_to_all"].BusBandwidthGBps!.Value, 34.97, 35.0);
        Assert.All(result.Instances.Where(i => i.Name == "all_reduce"), i =>
        {
            Assert.Equal(8, i.GroupSize);
            Assert.InRange(i.TransferNs, 1_200_000, 1_200_500);
        });
    }

    private static void AssertClose(double? expected, double? actual)
    {
        if (expected is null)
        {
            Assert.Null(actual);
            return;
        }

        Assert.NotNull(actual);
        Assert.Equal(expected.Value, actual.Value, 9);
    }
}
