using Headroom.Analysis.Kernels;

namespace Headroom.Analysis.Opportunities;

public static partial class HeadroomAnalysis
{
    /// <summary>Chain members: elementwise, reduction and normalisation kernels (memory-bound by nature).</summary>
    private static bool Fusable(KernelCategory c) => c is KernelCategory.Elementwise or KernelCategory.Reduction or KernelCategory.Normalization;

    private static bool IsMatrix(KernelCategory c) => c is KernelCategory.Gemm or KernelCategory.Convolution or KernelCategory.Attention;

    /// <summary>
    /// Runs of two or more back-to-back fusable computation kernels on one stream, grouped by the ops that launched them.
    /// One fused kernel would read the chain's inputs and write its outputs once; it is taken to last as long as the chain's
    /// longest member, so the saving is the rest of the chain's exposed time.
    /// </summary>
    private static void FusionChains(Inputs inputs, long step, int steps, List<HeadroomItem> items, MakeItem item)
    {
        var a = inputs.Activities;
        var trace = a.Trace;
        var gpu = trace.Gpu;
        var (first, last) = a.StartingIn(inputs.StartNs, inputs.EndNs);
        var byStream = new Dictionary<(int, int), List<int>>();
        for (var i = first; i < last; i++)
        {
            var g = a.Event[i];
            if (g < 0)
            {
                continue;
            }

            var key = (gpu.Device[g], gpu.Stream[g]);
            if (!byStream.TryGetValue(key, out var list))
            {
                list = [];
                byStream[key] = list;
            }

            list.Add(i);
        }

        var groups = new Dictionary<string, Chain>(StringComparer.Ordinal);
        foreach (var list in byStream.Values)
        {
            var run = new List<int>();
            var before = KernelCategory.Other;
            for (var j = 0; j <= list.Count; j++)
            {
                var i = j < list.Count ? list[j] : -1;
                if (i >= 0 && a.Class[i] == ActivityClass.Computation && Fusable(a.Category[i]))
                {
                    run.Add(i);
                    continue;
                }

                var after = i >= 0 ? a.Category[i] : KernelCategory.Other;
                if (run.Count >= 2)
                {
                    AddChain(inputs, run, IsMatrix(before) && IsMatrix(after), groups);
                }

                run.Clear();
                before = after;
            }
        }

        foreach (var (ops, chain) in groups.OrderByDescending(g => g.Value.Saving).Take(3))
        {
            var kernels = (double)chain.Kernels / chain.Count;
            var between = chain.BetweenMatrix * 2 >= chain.Count;
            items.Add(item(HeadroomKind.FusionChain,
                F($"memory-bound {(between ? "elementwise chain between two matrix ops" : "chain of elementwise kernels")} ({kernels:0.#} kernels, {chain.Count / (double)steps:0.#} per step): fuse it"),
                chain.Saving, HeadroomBound.Memory,
                F($"{chain.Count / (double)steps:0.#} occurrences per step of {Ms(chain.Time / chain.Count)} each ({Ms(chain.Exposed / chain.Count)} exposed); ops: {ops}"),
                between
                    ? "fuse the chain into one kernel: torch.compile, or a fused epilogue on the preceding GEMM (bias, activation, residual in cuBLASLt / CUTLASS epilogues)"
                    : "fuse the chain into one kernel (torch.compile, or a hand-written fused kernel) so its tensors make one trip through memory",
                "per chain: exposed time minus that of its longest kernel (a fused kernel is taken to last as long as the longest member)"));
        }
    }

    private static void AddChain(Inputs inputs, List<int> run, bool betweenMatrix, Dictionary<string, Chain> groups)
    {
        var a = inputs.Activities;
        var trace = a.Trace;
        var gpu = trace.Gpu;
        long time = 0, exposed = 0, longest = 0, longestExposed = 0;
        var names = new List<string>();
        string? previous = null;
        foreach (var i in run)
        {
            var g = a.Event[i];
            var op = gpu.Op[g];
            var name = op >= 0 ? trace.Strings[trace.Cpu.Name[op]] : "kernel " + Short(trace.Strings[gpu.Name[g]]);
            if (name != previous)
            {
                names.Add(name);
                previous = name;
            }

            var duration = Math.Max(0, a.End[i] - a.Start[i]);
            var e = inputs.Exposure.Of(i);
            time += duration;
            exposed += e;
            if (duration > longest)
            {
                longest = duration;
                longestExposed = e;
            }
        }

        var key = names.Count <= 6 ? string.Join(" → ", names) : string.Join(" → ", names.Take(6)) + F($" → … (+{names.Count - 6})");
        if (!groups.TryGetValue(key, out var chain))
        {
            chain = new Chain();
            groups[key] = chain;
        }

        chain.Count++;
        chain.Kernels += run.Count;
        chain.Time += time;
        chain.Exposed += exposed;
        chain.Saving += Math.Max(0, exposed - longestExposed);
        chain.BetweenMatrix += betweenMatrix ? 1 : 0;
    }

    private static string Short(string kernel) => kernel.Length <= 40 ? kernel : kernel[..40] + "…";

    private sealed class Chain
    {
        public int Count, Kernels, BetweenMatrix;
        public long Time, Exposed, Saving;
    }
}
