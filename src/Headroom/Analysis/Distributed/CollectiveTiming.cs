namespace Headroom.Analysis.Distributed;

/// <summary>One rank's part in a collective instance, on the reference clock.</summary>
/// <param name="Rank">Rank id.</param>
/// <param name="ArrivalNs">Kernel start, ns, reference clock: when the rank arrived.</param>
/// <param name="EndNs">Kernel end, ns, reference clock.</param>
/// <param name="WaitNs">Last arrival − own arrival, ns: how long the rank waited for the others (0 for the last to arrive).</param>
/// <param name="MessageBytes">The rank's message size, bytes; -1 when unknown.</param>
public readonly record struct CollectiveParticipant(int Rank, long ArrivalNs, long EndNs, long WaitNs, long MessageBytes);

/// <summary>One collective instance across ranks, timed after clock alignment.</summary>
/// <param name="ProcessGroup">Process group name; "" when unknown.</param>
/// <param name="Name">Canonical collective name.</param>
/// <param name="MatchedBy">How its kernels were matched.</param>
/// <param name="Number">Sequence number or position (see <see cref="MatchedCollective.Number"/>).</param>
/// <param name="Step">Step of the launches; -1 when none or not used.</param>
/// <param name="GroupSize">Ranks in the group (see <see cref="MatchedCollective.GroupSize"/>).</param>
/// <param name="MessageBytes">The largest message among the ranks, bytes (for an uneven all-to-all, the rank that moves most); -1 when unknown.</param>
/// <param name="Ranks">Participants, ordered by rank.</param>
/// <param name="FirstArrivalNs">Earliest arrival, ns, reference clock.</param>
/// <param name="LastArrivalNs">Latest arrival, ns, reference clock: when the collective could start moving data.</param>
/// <param name="LastRank">The rank that arrived last (the lowest such rank on a tie).</param>
/// <param name="SecondLastArrivalNs">The latest arrival among the other ranks, ns; equals <paramref name="LastArrivalNs"/> for one rank.</param>
/// <param name="MedianArrivalNs">Median arrival, ns.</param>
/// <param name="MedianEndNs">Median end across ranks, ns.</param>
/// <param name="TransferNs">Median end − last arrival, ns (0 when negative): the time spent moving data once everyone was there.</param>
/// <param name="AlgorithmBandwidthGBps">Message bytes / transfer time, GB/s; null when either is unknown or zero.</param>
/// <param name="BusBandwidthGBps">Algorithm bandwidth × the collective's bus factor (<see cref="CollectiveBandwidth"/>), GB/s; null when unknown.</param>
public sealed record CollectiveInstance(string ProcessGroup, string Name, CollectiveMatchKind MatchedBy, long Number, long Step, int GroupSize,
    long MessageBytes, IReadOnlyList<CollectiveParticipant> Ranks, long FirstArrivalNs, long LastArrivalNs, int LastRank, long SecondLastArrivalNs,
    long MedianArrivalNs, long MedianEndNs, long TransferNs, double? AlgorithmBandwidthGBps, double? BusBandwidthGBps)
{
    /// <summary>Last arrival − first arrival, ns: how far apart the ranks arrived.</summary>
    public long ArrivalSpreadNs => LastArrivalNs - FirstArrivalNs;

    /// <summary>Sum of every rank's wait, ns.</summary>
    public long TotalWaitNs => Ranks.Sum(r => r.WaitNs);
}

/// <summary>The instances of one collective of one group, summarised.</summary>
/// <param name="ProcessGroup">Process group name; "" when unknown.</param>
/// <param name="Name">Canonical collective name.</param>
/// <param name="Instances">Instances.</param>
/// <param name="MessageBytes">Sum of the instances' message sizes, bytes; -1 when none is known.</param>
/// <param name="TransferNs">Sum of transfer times, ns.</param>
/// <param name="MedianTransferNs">Median transfer time, ns.</param>
/// <param name="WaitNs">Sum over instances and ranks of the waits, ns: device time spent waiting for other ranks.</param>
/// <param name="MaxArrivalSpreadNs">Largest last − first arrival, ns.</param>
/// <param name="AlgorithmBandwidthGBps">Total message bytes / total transfer time over the instances with both known, GB/s; null when none.</param>
/// <param name="BusBandwidthGBps">The same for bus bandwidth (each instance's bytes weighted by its bus factor), GB/s; null when none.</param>
public sealed record CollectiveTypeSummary(string ProcessGroup, string Name, int Instances, long MessageBytes, long TransferNs, long MedianTransferNs,
    long WaitNs, long MaxArrivalSpreadNs, double? AlgorithmBandwidthGBps, double? BusBandwidthGBps);

/// <summary>Times matched collectives on the reference clock: arrivals, waits, transfer and bandwidth. Pure.</summary>
public static class CollectiveTiming
{
    /// <summary>
    /// Subtracts each rank's clock offset from its kernel times, then per instance: each rank's arrival (kernel start), the last
    /// arrival, each rank's wait (last arrival − own arrival), the transfer time (median end − last arrival) and the bandwidths.
    /// Instances are ordered by last arrival.
    /// </summary>
    public static IReadOnlyList<CollectiveInstance> Measure(CollectiveMatchResult match, ClockAlignmentResult clock)
    {
        ArgumentNullException.ThrowIfNull(match);
        ArgumentNullException.ThrowIfNull(clock);
        var result = new List<CollectiveInstance>(match.Collectives.Count);
        var arrivals = new List<long>();
        var ends = new List<long>();
        foreach (var c in match.Collectives)
        {
            arrivals.Clear();
            ends.Clear();
            long last = long.MinValue, first = long.MaxValue;
            var lastRank = -1;
            long bytes = -1;
            foreach (var k in c.Kernels)
            {
                var offset = clock.OffsetOf(k.Rank);
                var arrival = k.StartNs - offset;
                arrivals.Add(arrival);
                ends.Add(k.EndNs - offset);
                first = Math.Min(first, arrival);
                if (arrival > last)
                {
                    last = arrival;
                    lastRank = k.Rank;
                }

                bytes = Math.Max(bytes, k.MessageBytes);
            }

            var secondLast = long.MinValue;
            var participants = new CollectiveParticipant[c.Kernels.Count];
            for (var i = 0; i < c.Kernels.Count; i++)
            {
                var k = c.Kernels[i];
                participants[i] = new CollectiveParticipant(k.Rank, arrivals[i], ends[i], last - arrivals[i], k.MessageBytes);
                if (k.Rank != lastRank)
                {
                    secondLast = Math.Max(secondLast, arrivals[i]);
                }
            }

            if (secondLast == long.MinValue)
            {
                secondLast = last;
            }

            arrivals.Sort();
            ends.Sort();
            var medianEnd = ClockAlignment.Median(ends);
            var transfer = Math.Max(0, medianEnd - last);
            result.Add(new CollectiveInstance(c.ProcessGroup, c.Name, c.MatchedBy, c.Number, c.Step, c.GroupSize, bytes, participants, first, last,
                lastRank, secondLast, ClockAlignment.Median(arrivals), medianEnd, transfer, CollectiveBandwidth.AlgorithmGBps(bytes, transfer),
                CollectiveBandwidth.BusGBps(c.Name, c.GroupSize, bytes, transfer)));
        }

        result.Sort((a, b) => a.LastArrivalNs != b.LastArrivalNs ? a.LastArrivalNs.CompareTo(b.LastArrivalNs)
            : a.FirstArrivalNs != b.FirstArrivalNs ? a.FirstArrivalNs.CompareTo(b.FirstArrivalNs)
            : string.CompareOrdinal(a.Name, b.Name));
        return result;
    }

    /// <summary>Per (process group, collective): counts, sizes, transfer, waits and overall bandwidths; ordered by total wait + transfer, largest first.</summary>
    public static IReadOnlyList<CollectiveTypeSummary> Summarize(IReadOnlyList<CollectiveInstance> instances)
    {
        ArgumentNullException.ThrowIfNull(instances);
        return [.. instances.GroupBy(i => (i.ProcessGroup, i.Name)).Select(g =>
        {
            var list = g.ToList();
            var known = list.Where(i => i.MessageBytes > 0 && i.TransferNs > 0).ToList();
            var knownBytes = known.Sum(i => i.MessageBytes);
            var knownTransfer = known.Sum(i => i.TransferNs);
            var bus = known.Select(i => (Bytes: i.MessageBytes * CollectiveBandwidth.BusFactor(i.Name, i.GroupSize), i.TransferNs))
                .Where(x => x.Bytes is not null).ToList();
            var busTransfer = bus.Sum(x => x.TransferNs);
            var sizes = list.Where(i => i.MessageBytes >= 0).ToList();
            return new CollectiveTypeSummary(g.Key.ProcessGroup, g.Key.Name, list.Count, sizes.Count == 0 ? -1 : sizes.Sum(i => i.MessageBytes),
                list.Sum(i => i.TransferNs), ClockAlignment.Median([.. list.Select(i => i.TransferNs).Order()]), list.Sum(i => i.TotalWaitNs),
                list.Max(i => i.ArrivalSpreadNs), knownTransfer > 0 ? (double)knownBytes / knownTransfer : null,
                busTransfer > 0 ? bus.Sum(x => x.Bytes!.Value) / busTransfer : null);
        }).OrderByDescending(s => s.WaitNs + s.TransferNs).ThenBy(s => s.ProcessGroup, StringComparer.Ordinal).ThenBy(s => s.Name, StringComparer.Ordinal)];
    }
}
