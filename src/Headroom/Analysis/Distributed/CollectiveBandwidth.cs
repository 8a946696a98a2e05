namespace Headroom.Analysis.Distributed;

/// <summary>
/// Algorithm and bus bandwidth of a collective, as nccl-tests defines them (its doc/PERFORMANCE.md). Bandwidths are in
/// GB/s = 10^9 bytes per second, which is bytes per nanosecond.
/// </summary>
/// <remarks>
/// <para>Algorithm bandwidth = message bytes / transfer time. The message size is the collective's full size, as nccl-tests
/// counts it: the buffer of an all-reduce, broadcast or reduce; the gathered (output) buffer of an all-gather or gather; the
/// input of a reduce-scatter or scatter; everything a rank sends in an all-to-all. With PyTorch's "In/Out msg nelems" this is
/// the larger of the two.</para>
/// <para>Bus bandwidth = algorithm bandwidth × a factor that makes it comparable with the link speed, n being the group size:</para>
/// <list type="table">
/// <listheader><term>collective</term><description>factor</description></listheader>
/// <item><term>all_reduce</term><description>2(n−1)/n (every byte is sent and received twice: reduce-scatter then all-gather)</description></item>
/// <item><term>all_gather, reduce_scatter, all_to_all, gather, scatter</term><description>(n−1)/n (each rank moves all but its own share)</description></item>
/// <item><term>broadcast, reduce, send, recv, send_recv</term><description>1</description></item>
/// <item><term>barrier, unknown</term><description>none: no bus bandwidth</description></item>
/// </list>
/// </remarks>
public static class CollectiveBandwidth
{
    /// <summary>The bus-bandwidth factor of <paramref name="collective"/> (a canonical name) in a group of <paramref name="groupSize"/>; null when it has none or the group size is unknown.</summary>
    public static double? BusFactor(string collective, int groupSize)
    {
        if (groupSize < 1)
        {
            return null;
        }

        double n = groupSize;
        return collective switch
        {
            CollectiveNames.AllReduce => 2 * (n - 1) / n,
            CollectiveNames.AllGather or CollectiveNames.ReduceScatter or CollectiveNames.AllToAll or CollectiveNames.Gather or CollectiveNames.Scatter => (n - 1) / n,
            CollectiveNames.Broadcast or CollectiveNames.Reduce or CollectiveNames.Send or CollectiveNames.Recv or CollectiveNames.SendRecv => 1,
            _ => null,
        };
    }

    /// <summary>Algorithm bandwidth, GB/s: bytes / transfer ns; null when either is unknown or not positive.</summary>
    public static double? AlgorithmGBps(long messageBytes, long transferNs) =>
        messageBytes > 0 && transferNs > 0 ? (double)messageBytes / transferNs : null;

    /// <summary>Bus bandwidth, GB/s: algorithm bandwidth × <see cref="BusFactor"/>; null when either is unknown.</summary>
    public static double? BusGBps(string collective, int groupSize, long messageBytes, long transferNs) =>
        AlgorithmGBps(messageBytes, transferNs) * BusFactor(collective, groupSize);
}
