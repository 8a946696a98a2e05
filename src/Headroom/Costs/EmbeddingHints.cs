namespace Headroom.Costs;

/// <summary>One host op offered to <see cref="EmbeddingHints.Build"/>: an id of the caller's choosing, its name, recorded arguments and start.</summary>
public readonly record struct EmbeddingOpRecord(int Id, string Name, string InputDims, string InputTypes, string ConcreteInputs, long StartNs);

/// <summary>
/// What a table-batched embedding op learns from the other side of its autograd pair: a lookup the <c>total_D</c> of
/// its backward's grad [B, total_D]; a backward node the recorded arguments of its lookup (N, T, dtypes, optimizer
/// state). <see cref="Refusal"/> says why there is no link (ambiguous key, no backward, no lookup before it).
/// </summary>
public sealed record EmbeddingLink
{
    /// <summary>For a lookup: total_D, the grad width of the backward linked to it.</summary>
    public long? TotalD { get; init; }

    /// <summary>For a backward node: the id of the lookup it belongs to (the latest one before it); -1 otherwise.</summary>
    public int LookupId { get; init; } = -1;

    /// <summary>For a backward node: the lookup's Input Dims.</summary>
    public string LookupDims { get; init; } = "";

    /// <summary>For a backward node: the lookup's Input type.</summary>
    public string LookupTypes { get; init; } = "";

    /// <summary>For a backward node: the lookup's Concrete Inputs.</summary>
    public string LookupConcrete { get; init; } = "";

    /// <summary>Why there is no link; empty with one.</summary>
    public string Refusal { get; init; } = "";

    /// <summary>A value that tells estimates apart in a cache keyed by the op's own arguments (-1: refused).</summary>
    public long CacheKey => Refusal.Length > 0 ? -1 : TotalD ?? (1L << 42) + LookupId;
}

/// <summary>
/// Links fbgemm_gpu table-batched embedding lookups (<c>fbgemm::split_embedding_codegen_lookup_{opt}_function</c>,
/// <c>fbgemm::dense_embedding_codegen_lookup_function</c>) with their backward autograd nodes
/// (<c>torch::autograd::CppNode&lt;SplitLookupFunction_{opt}_Op&gt;</c>) within one rank's trace. Neither records enough
/// alone: the lookup lacks total_D (a Scalar without value), the node records only its grad [B, total_D]. Key: the
/// optimizer and B. Within a key, a lookup and a grad width are paired when the width is the only one the lookup admits
/// (<see cref="TableBatchedLookup.Admits"/>) and the lookup the only one the width fits; when the key holds as many
/// distinct lookups as widths, each lookup is taken to have its own backward and a lookup or width left with a single
/// candidate takes it. Anything else is ambiguous: no link, so no estimate. A backward node takes N from the latest
/// lookup of its pair that started before it (the same step's forward). See docs/cost-model.md.
/// </summary>
public sealed class EmbeddingHints
{
    private readonly Dictionary<int, EmbeddingLink> _links;

    private EmbeddingHints(Dictionary<int, EmbeddingLink> links) => _links = links;

    /// <summary>No links.</summary>
    public static EmbeddingHints Empty { get; } = new([]);

    /// <summary>Ops with a link or a refusal.</summary>
    public int Count => _links.Count;

    /// <summary>True when <paramref name="name"/> is a table-batched lookup or backward node with a formula.</summary>
    public static bool IsTableBatched(string name) => TableBatchedLookup.Role(name) is not null;

    /// <summary>The link (or refusal) of op <paramref name="id"/>; null when it is not a table-batched op seen by <see cref="Build"/>.</summary>
    public EmbeddingLink? For(int id) => _links.GetValueOrDefault(id);

    /// <summary>Pairs the table-batched lookups and backward nodes among <paramref name="ops"/> (other ops are ignored).</summary>
    public static EmbeddingHints Build(IEnumerable<EmbeddingOpRecord> ops)
    {
        ArgumentNullException.ThrowIfNull(ops);
        var lookups = new List<(EmbeddingOpRecord Op, TableBatchedLookup Lookup)>();
        var backwards = new List<(EmbeddingOpRecord Op, string Optimizer, long Batch, long TotalD)>();
        var links = new Dictionary<int, EmbeddingLink>();
        foreach (var op in ops)
        {
            if (TableBatchedLookup.Role(op.Name) is not { } role)
            {
                continue;
            }

            try
            {
                var args = OpArguments.Parse(op.InputDims ?? "", op.InputTypes ?? "", op.ConcreteInputs ?? "");
                if (role.Backward)
                {
                    var grad = args.Tensor(0, "grad");
                    if (grad.Rank == 2 && grad[0] > 0 && grad[1] > 0)
                    {
                        backwards.Add((op, role.Optimizer, grad[0], grad[1]));
                    }
                }
                else
                {
                    lookups.Add((op, TableBatchedLookup.Parse(role.Optimizer, args)));
                }
            }
            catch (Exception e) when (e is NoEstimateException or System.Text.Json.JsonException or FormatException or OverflowException
                or ArgumentException or InvalidOperationException or IndexOutOfRangeException)
            {
                // not readable: the cost model gives its own reason
            }
        }

        var keys = lookups.Select(l => (l.Lookup.Optimizer, l.Lookup.Batch)).Concat(backwards.Select(b => (b.Optimizer, b.Batch))).Distinct();
        foreach (var key in keys)
        {
            // a lookup "module": everything but N (which changes every step)
            var modules = lookups.Where(l => (l.Lookup.Optimizer, l.Lookup.Batch) == key)
                .GroupBy(l => (l.Lookup.Tables, l.Lookup.Weights, l.Lookup.StateNumel, l.Lookup.WeightType, l.Lookup.Weighted, l.Lookup.TotalD))
                .Select(g => g.OrderBy(l => l.Op.StartNs).ToList()).ToList();
            var widths = backwards.Where(b => (b.Optimizer, b.Batch) == key).Select(b => b.TotalD).Distinct().Order().ToList();
            var pairs = Pair(modules.Select(m => m[0].Lookup).ToList(), widths);
            for (var m = 0; m < modules.Count; m++)
            {
                var width = pairs.TryGetValue(m, out var w) ? w : (long?)null;
                var refusal = width is not null ? ""
                    : widths.Count == 0 ? $"no backward node SplitLookupFunction_{key.Optimizer}_Op with batch {key.Batch} in the trace: total_D not implied"
                    : $"total_D ambiguous: grad widths [{string.Join(", ", widths)}] of SplitLookupFunction_{key.Optimizer}_Op with batch {key.Batch} cannot be told apart for this lookup";
                foreach (var (op, _) in modules[m])
                {
                    links[op.Id] = new EmbeddingLink { TotalD = width, Refusal = refusal };
                }
            }

            foreach (var (op, _, _, totalD) in backwards.Where(b => (b.Optimizer, b.Batch) == key))
            {
                var m = pairs.Where(p => p.Value == totalD).Select(p => p.Key).DefaultIfEmpty(-1).First();
                var before = m < 0 ? [] : modules[m].Where(l => l.Op.StartNs < op.StartNs).Select(l => l.Op).ToList();
                links[op.Id] = before.Count > 0
                    ? new EmbeddingLink { LookupId = before[^1].Id, LookupDims = before[^1].InputDims, LookupTypes = before[^1].InputTypes, LookupConcrete = before[^1].ConcreteInputs }
                    : new EmbeddingLink
                    {
                        Refusal = m >= 0 ? "no lookup of its table batch before it in the trace: N not implied"
                            : modules.Count == 0 ? $"no lookup with optimizer {key.Optimizer} and batch {key.Batch} in the trace: N and T not implied"
                            : $"its grad width {totalD} cannot be tied to one lookup with optimizer {key.Optimizer} and batch {key.Batch}",
                    };
            }
        }

        return new EmbeddingHints(links);
    }

    /// <summary>Pairs lookup modules (by index) with grad widths; see the class summary for the rule.</summary>
    private static Dictionary<int, long> Pair(List<TableBatchedLookup> modules, List<long> widths)
    {
        var pairs = new Dictionary<int, long>();
        var oneToOne = modules.Count == widths.Count;
        var changed = true;
        while (changed)
        {
            changed = false;
            var freeWidths = widths.Where(w => !pairs.ContainsValue(w)).ToList();
            var freeModules = Enumerable.Range(0, modules.Count).Where(m => !pairs.ContainsKey(m)).ToList();
            foreach (var m in freeModules)
            {
                var candidates = freeWidths.Where(modules[m].Admits).ToList();
                if (candidates.Count == 1 && (oneToOne || freeModules.Count(o => modules[o].Admits(candidates[0])) == 1))
                {
                    pairs[m] = candidates[0];
                    changed = true;
                    break;
                }
            }

            if (changed || !oneToOne)
            {
                continue;
            }

            foreach (var w in freeWidths)
            {
                var candidates = freeModules.Where(m => modules[m].Admits(w)).ToList();
                if (candidates.Count == 1)
                {
                    pairs[candidates[0]] = w;
                    changed = true;
                    break;
                }
            }
        }

        return pairs;
    }
}
