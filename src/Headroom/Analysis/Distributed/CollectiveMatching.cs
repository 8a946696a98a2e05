using Headroom.Model;

namespace Headroom.Analysis.Distributed;

/// <summary>How the kernels of one collective instance were recognised as the same across ranks.</summary>
public enum CollectiveMatchKind
{
    /// <summary>By (process group, recorded sequence number): every rank recorded "Seq" for every collective of the group.</summary>
    Sequence,
    /// <summary>By (process group, collective name, step, position among those on the rank).</summary>
    Order,
}

/// <summary>One rank's kernel of a matched collective instance, on the rank's own clock.</summary>
/// <param name="Rank">Rank id.</param>
/// <param name="Index">Index into that rank's <see cref="RankCollectives.Collectives"/>.</param>
/// <param name="StartNs">Device start, ns, rank clock.</param>
/// <param name="EndNs">Device end, ns, rank clock.</param>
/// <param name="MessageBytes">The rank's message size, bytes; -1 when unknown.</param>
public readonly record struct MatchedKernel(int Rank, int Index, long StartNs, long EndNs, long MessageBytes);

/// <summary>The kernels, one per rank, of one collective instance.</summary>
/// <param name="ProcessGroup">Process group name; "" when unknown.</param>
/// <param name="Name">Canonical collective name (the most common among the ranks when they disagree).</param>
/// <param name="MatchedBy">How the kernels were matched.</param>
/// <param name="Number">The recorded sequence number (<see cref="CollectiveMatchKind.Sequence"/>), or the position (0, 1, ...) among
/// the collectives of the same group, name and step on each rank (<see cref="CollectiveMatchKind.Order"/>).</param>
/// <param name="Step">The step number the launches fall in; -1 when not in a step or when steps were not used for matching.</param>
/// <param name="GroupSize">Ranks in the group: the recorded "Group size", else the world size for the default (unnamed) group,
/// else the number of input ranks that run collectives of the group.</param>
/// <param name="Kernels">One per participating rank, ordered by rank.</param>
public sealed record MatchedCollective(string ProcessGroup, string Name, CollectiveMatchKind MatchedBy, long Number, long Step, int GroupSize,
    IReadOnlyList<MatchedKernel> Kernels);

/// <summary>The collective instances found across ranks.</summary>
/// <param name="Ranks">Input ranks, ascending.</param>
/// <param name="WorldSize">The largest declared world size; -1 when no rank declares one.</param>
/// <param name="MissingRanks">Ranks below the world size with no input.</param>
/// <param name="Collectives">Matched instances (including those found on one rank only).</param>
/// <param name="IncompleteCount">Instances missing on some rank that runs collectives of their group.</param>
/// <param name="StepQualified">True when the position of a collective was counted within its step (every rank has steps).</param>
/// <param name="Diagnostics">Named notes (missing ranks, count and name mismatches, no collectives, one rank).</param>
public sealed record CollectiveMatchResult(IReadOnlyList<int> Ranks, int WorldSize, IReadOnlyList<int> MissingRanks,
    IReadOnlyList<MatchedCollective> Collectives, int IncompleteCount, bool StepQualified, IReadOnlyList<Diagnostic> Diagnostics);

/// <summary>
/// Finds the same collective instance on every rank. Pure; reads only the per-rank summaries.
/// </summary>
/// <remarks>
/// <para>Within a process group, NCCL requires every rank to issue the group's collectives in the same order, so:</para>
/// <list type="bullet">
/// <item><description>when every rank recorded a sequence number ("Seq") for every collective of the group, kernels are matched
/// by (group, sequence number);</description></item>
/// <item><description>otherwise by (group, collective name, k): the k-th collective of that name and group on each rank. When
/// every rank has ProfilerStep annotations, k counts within the step whose host span holds the launch, so traces whose
/// windows start or end at different steps, or that lost a collective, still line up from the next step on.</description></item>
/// </list>
/// <para>An instance found on only some of the ranks that run its group is kept, matched across those ranks, and counted in
/// the <c>collective-count-mismatch</c> note.</para>
/// </remarks>
public static class CollectiveMatching
{
    private readonly record struct Key(string Group, string Name, long Step, long Number, int Duplicate);

    /// <summary>Matches the collectives of <paramref name="ranks"/>.</summary>
    public static CollectiveMatchResult Match(IReadOnlyList<RankCollectives> ranks)
    {
        ArgumentNullException.ThrowIfNull(ranks);
        var diagnostics = new DiagnosticBag();
        var sorted = new List<RankCollectives>();
        foreach (var r in ranks.OrderBy(r => r.Rank))
        {
            if (sorted.Count > 0 && sorted[^1].Rank == r.Rank)
            {
                diagnostics.Report(DiagnosticCatalog.DuplicateRank, $"rank {r.Rank} was given twice; the second summary was ignored", r.SourcePath);
                continue;
            }

            sorted.Add(r);
        }

        var rankIds = sorted.Select(r => r.Rank).ToArray();
        var worldSize = sorted.Count == 0 ? -1 : sorted.Max(r => r.WorldSize);
        var present = rankIds.ToHashSet();
        int[] missing = worldSize > 0 ? [.. Enumerable.Range(0, worldSize).Where(r => !present.Contains(r))] : [];
        if (missing.Length > 0 && sorted.Count > 1)
        {
            diagnostics.Report(DiagnosticCatalog.MissingRanks,
                $"{worldSize - missing.Length} of {worldSize} ranks present; missing: {JobConsistencyAnalysis.Describe(missing)}");
        }

        // A group is matched by sequence number only when every kernel of it, on every rank, recorded one.
        var bySequence = new Dictionary<string, bool>(StringComparer.Ordinal);
        var members = new Dictionary<string, HashSet<int>>(StringComparer.Ordinal);
        foreach (var r in sorted)
        {
            foreach (var k in r.Collectives)
            {
                bySequence[k.ProcessGroup] = bySequence.GetValueOrDefault(k.ProcessGroup, true) && k.SequenceRecorded;
                if (!members.TryGetValue(k.ProcessGroup, out var set))
                {
                    members[k.ProcessGroup] = set = [];
                }

                set.Add(r.Rank);
            }
        }

        var stepQualified = sorted.Count > 0 && sorted.All(r => r.Steps.Count > 0);
        var instances = new Dictionary<Key, List<(MatchedKernel Kernel, string Name, int GroupSize)>>();
        var order = new List<Key>();
        foreach (var r in sorted)
        {
            var positions = new Dictionary<(string, string, long), long>();
            var duplicates = new Dictionary<(string, long), int>();
            for (var i = 0; i < r.Collectives.Count; i++)
            {
                var k = r.Collectives[i];
                Key key;
                if (bySequence[k.ProcessGroup])
                {
                    var dup = duplicates.GetValueOrDefault((k.ProcessGroup, k.SequenceNumber));
                    duplicates[(k.ProcessGroup, k.SequenceNumber)] = dup + 1;
                    key = new Key(k.ProcessGroup, "", -1, k.SequenceNumber, dup);
                }
                else
                {
                    var step = stepQualified ? k.Step : -1;
                    var position = positions.GetValueOrDefault((k.ProcessGroup, k.Name, step));
                    positions[(k.ProcessGroup, k.Name, step)] = position + 1;
                    key = new Key(k.ProcessGroup, k.Name, step, position, 0);
                }

                if (!instances.TryGetValue(key, out var list))
                {
                    instances[key] = list = [];
                    order.Add(key);
                }

                list.Add((new MatchedKernel(r.Rank, i, k.StartNs, k.EndNs, k.MessageBytes), k.Name, k.GroupSize));
            }
        }

        var collectives = new List<MatchedCollective>(order.Count);
        var incomplete = 0;
        string? incompleteExample = null;
        var nameMismatches = 0;
        string? nameExample = null;
        foreach (var key in order)
        {
            var list = instances[key];
            var names = list.GroupBy(e => e.Name, StringComparer.Ordinal).OrderByDescending(g => g.Count()).ToList();
            var name = names[0].Key;
            var sequence = key.Name.Length == 0 && bySequence[key.Group];
            if (names.Count > 1)
            {
                nameMismatches++;
                nameExample ??= $"sequence number {key.Number} of group \"{key.Group}\" is {string.Join(" / ", names.Select(g => $"{g.Key} on rank {JobConsistencyAnalysis.Describe(g.Select(e => e.Kernel.Rank))}"))}";
            }

            var groupMembers = members[key.Group];
            if (list.Count < groupMembers.Count)
            {
                incomplete++;
                incompleteExample ??= $"{name} {(sequence ? "sequence number " : "#")}{key.Number}{(key.Step >= 0 ? $" of step {key.Step}" : "")} of group \"{key.Group}\" is missing on rank {JobConsistencyAnalysis.Describe(groupMembers.Except(list.Select(e => e.Kernel.Rank)))}";
            }

            var recordedSize = list.Select(e => e.GroupSize).FirstOrDefault(s => s > 0);
            var groupSize = recordedSize > 0 ? recordedSize : key.Group.Length == 0 && worldSize > 0 ? worldSize : groupMembers.Count;
            collectives.Add(new MatchedCollective(key.Group, name, sequence ? CollectiveMatchKind.Sequence : CollectiveMatchKind.Order, key.Number,
                key.Step, groupSize, [.. list.Select(e => e.Kernel)]));
        }

        if (incomplete > 0)
        {
            var counts = sorted.Where(r => r.Collectives.Count > 0).GroupBy(r => r.Collectives.Count).OrderByDescending(g => g.Count())
                .Select(g => $"{g.Key} on rank {JobConsistencyAnalysis.Describe(g.Select(r => r.Rank))}");
            diagnostics.Report(DiagnosticCatalog.CollectiveCountMismatch,
                $"{incomplete} of {collectives.Count} collective instances are not on every rank of their group (collectives per rank: {string.Join("; ", counts)}); e.g. {incompleteExample}");
        }

        if (nameMismatches > 0)
        {
            diagnostics.Report(DiagnosticCatalog.CollectiveNameMismatch, $"{nameMismatches} instances disagree on the collective; e.g. {nameExample}");
        }

        if (collectives.Count == 0)
        {
            diagnostics.Report(DiagnosticCatalog.CollectiveNoCollectives, sorted.Count == 0 ? "no ranks were given" : "no rank has collective kernels");
        }
        else if (sorted.Count < 2)
        {
            diagnostics.Report(DiagnosticCatalog.CollectiveTooFewRanks, $"only rank {rankIds[0]} was given; cross-rank analyses need at least two ranks");
        }

        return new CollectiveMatchResult(rankIds, worldSize, missing, collectives, incomplete, stepQualified, diagnostics.ToList());
    }
}
