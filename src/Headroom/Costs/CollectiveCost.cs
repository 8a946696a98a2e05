using Headroom.Analysis.Distributed;

namespace Headroom.Costs;

/// <summary>Bytes a collective puts on the bus, with the NCCL conventions of <see cref="CollectiveBandwidth.BusFactor"/>.</summary>
public static class CollectiveCost
{
    /// <summary>
    /// Bus bytes of <paramref name="collective"/> (any PyTorch spelling: <c>all_reduce</c>, <c>nccl:all_reduce</c>,
    /// <c>allreduce_coalesced</c>, ...) for a message of <paramref name="messageBytes"/> in a group of
    /// <paramref name="groupSize"/>: message × 2(n−1)/n for all_reduce, × (n−1)/n for all_gather, reduce_scatter and
    /// all_to_all, × 1 for broadcast, reduce and send/recv. Null when the collective has no factor (barrier, unknown),
    /// the group size is unknown, or the message size is negative.
    /// </summary>
    public static double? BusBytes(string collective, long messageBytes, int groupSize)
    {
        if (string.IsNullOrWhiteSpace(collective) || messageBytes < 0)
        {
            return null;
        }

        var canonical = CollectiveNames.Normalize(collective);
        return canonical is null ? null : messageBytes * CollectiveBandwidth.BusFactor(canonical, groupSize);
    }
}
