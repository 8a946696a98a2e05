using System.Diagnostics;
using System.Globalization;
using Headroom.Analysis.Comparison;
using Headroom.Analysis.Kernels;
using Headroom.Report;

namespace Headroom.Bench.Diff;

/// <summary>
/// The diff verb: times <see cref="RunDiffAnalysis.Compare"/> (and the JSON rendering of its result) on two synthetic
/// comparable runs of a realistic size — what <c>headroom diff</c> does once both runs are loaded (from the run store,
/// or after analysing their traces). The candidate has noise on every op, 10% of ops 20% slower, 5% removed and 5% new.
/// </summary>
internal static class DiffBenchCommand
{
    public static int Run(string[] args)
    {
        var a = new Arguments(args);
        var shapes = (a.Get("--shapes") ?? "8x20x300,128x20x300").Split(',')
            .Select(s => s.Split('x').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToList();
        var repeat = a.Int("--repeat", 5);
        if (shapes.Any(s => s.Length != 3 || s.Any(v => v < 1)) || repeat < 1)
        {
            Console.Error.WriteLine("--shapes RANKSxSTEPSxOPS[,...] with positive numbers; --repeat at least 1");
            return 2;
        }

        Console.WriteLine("| ranks × steps × op signatures | kernels per rank | first call ms (with JIT) | median ms | max ms | JSON KB |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var s in shapes)
        {
            var (ranks, steps, ops) = (s[0], s[1], s[2]);
            var baseline = Synthetic("baseline", ranks, steps, ops, seed: 1, candidate: false);
            var candidate = Synthetic("candidate", ranks, steps, ops, seed: 2, candidate: true);
            var times = new List<double>();
            long bytes = 0;
            for (var i = 0; i <= repeat; i++)
            {
                var watch = Stopwatch.StartNew();
                var diff = RunDiffAnalysis.Compare(baseline, candidate);
                using var json = new MemoryStream();
                DiffJsonRenderer.Write(diff, json);
                times.Add(watch.Elapsed.TotalMilliseconds);
                bytes = json.Length;
            }

            var warm = times.Skip(1).Order().ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {ranks} × {steps} × {ops} | {ops} | {times[0]:0} | {warm[warm.Count / 2]:0} | {warm[^1]:0} | {bytes / 1024.0:0} |"));
        }

        return 0;
    }

    /// <summary>A run of <paramref name="ranks"/> ranks, each with the same op signatures and one kernel per op.</summary>
    private static ComparableRun Synthetic(string name, int ranks, int steps, int ops, int seed, bool candidate)
    {
        var random = new Random(seed);
        var rows = new List<ComparableRunRank>(ranks);
        for (var r = 0; r < ranks; r++)
        {
            var opStats = new List<OpSignatureStats>(ops);
            var kernelStats = new List<KernelNameStats>(ops);
            var stepNs = new long[steps];
            for (var o = 0; o < ops; o++)
            {
                // candidate: the last 5% of ops removed, as many new ones instead; every 10th op 20% slower
                var id = candidate && o >= ops * 95 / 100 ? o + ops : o;
                var mean = 20_000.0 + (1_000_000.0 / (o + 1));
                var factor = candidate && o % 10 == 0 ? 1.2 : 1.0;
                var perStep = new long[steps];
                for (var k = 0; k < steps; k++)
                {
                    perStep[k] = (long)(mean * factor * (1 + (0.05 * ((2 * random.NextDouble()) - 1))));
                    stepNs[k] += perStep[k];
                }

                var total = perStep.Sum();
                opStats.Add(new OpSignatureStats($"aten::op_{id % 40}", $"[[{id},4096],[4096,{1024 + id}]]", "[c10::BFloat16,c10::BFloat16]",
                    steps * 4L, steps * 4L, total, perStep));
                kernelStats.Add(new KernelNameStats($"void cutlass::Kernel2<cutlass_80_tensorop_bf16_s16816gemm_relu_bf16_{id}x128_64x3_tn_align8>(Params)",
                    KernelCategory.Gemm, steps * 4L, total, perStep));
            }

            var window = stepNs.Sum() * 11 / 10;
            rows.Add(new ComparableRunRank(r, "NVIDIA H100 80GB HBM3", "h100-sxm", window, window * 8 / 10, window / 20, window / 10, 0.4,
                new ComparableRank([.. Enumerable.Range(1, steps).Select(k => (long)k)], [.. stepNs.Select(v => v * 11 / 10)], opStats, kernelStats)));
        }

        return new ComparableRun(name, "bench", rows);
    }
}
