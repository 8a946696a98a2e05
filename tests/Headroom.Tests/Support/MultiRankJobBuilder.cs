using System.Globalization;
using Headroom.Analysis.Distributed;
using Headroom.Ingest;

namespace Headroom.Tests.Support;

/// <summary>How much the synthetic collectives record about themselves.</summary>
public enum CollectiveMetadata
{
    /// <summary>A <c>record_param_comms</c> op with PyTorch's collective arguments (name, sizes, dtype, group, "Seq") and an <c>nccl:*</c> op around each launch.</summary>
    RecordParamComms,
    /// <summary>Only the launch and the NCCL kernel: names come from the kernel, sizes are unknown, matching is by order.</summary>
    KernelNameOnly,
}

/// <summary>
/// Simulates a synchronous data-parallel job on one global time line and writes one Kineto trace per rank. Each step runs,
/// on every rank, compute then a collective, three times, then a last compute kernel. A collective starts on a rank when the
/// rank gets there (plus any injected delay) and ends on every rank at the last arrival + its transfer time (+ under 0.5 µs
/// of per-rank jitter), which is how NCCL kernels behave. Each rank writes its times on its own clock: global time + its
/// clock offset. Compute kernels vary by up to 100 µs per rank, so arrivals differ.
/// </summary>
internal sealed class MultiRankJobBuilder
{
    /// <summary>The collectives of every step: PyTorch name, kernel name, elements, dtype, transfer time.</summary>
    public static readonly (string Name, string Kernel, long Elements, string DataType, long TransferNs)[] StepCollectives =
    [
        ("allreduce", "ncclDevKernel_AllReduce_Sum_f32_RING_LL(ncclDevKernelArgsStorage<4096ul>)", 25_000_000, "Float", 1_200_000),
        ("_allgather_base", "ncclDevKernel_AllGather_RING_LL(ncclDevKernelArgsStorage<4096ul>)", 8_000_000, "BFloat16", 300_000),
        ("all_to_allv", "ncclDevKernel_SendRecv(ncclDevKernelArgsStorage<4096ul>)", 4_000_000, "Float", 400_000),
    ];

    private const long JobStartNs = 1_000_000_000;

    /// <summary>Ranks in the job (world size).</summary>
    public int Ranks { get; init; } = 8;

    /// <summary>Steps simulated (numbered from 1).</summary>
    public int Steps { get; init; } = 10;

    /// <summary>Each rank's clock minus the global clock, ns (default: 0 for all).</summary>
    public long[]? ClockOffsetNs { get; init; }

    /// <summary>Per rank, how much later than it would it starts every collective, ns.</summary>
    public Dictionary<int, long> CollectiveDelayNs { get; init; } = [];

    /// <summary>What each collective records.</summary>
    public CollectiveMetadata Metadata { get; init; } = CollectiveMetadata.RecordParamComms;

    /// <summary>Collectives (rank, step, index in step) that a rank's trace leaves out, as if the profiler lost them.</summary>
    public Func<int, int, int, bool>? Drop { get; init; }

    /// <summary>Ranks whose traces are written (default: all).</summary>
    public IReadOnlyList<int>? WrittenRanks { get; init; }

    /// <summary>Seed of the per-rank compute jitter.</summary>
    public int Seed { get; init; } = 7;

    /// <summary>Offset of each rank's clock from the clock of the lowest written rank, ns: what clock alignment should find.</summary>
    public long ExpectedOffsetNs(int rank)
    {
        var offsets = ClockOffsetNs ?? new long[Ranks];
        return offsets[rank] - offsets[(WrittenRanks ?? Enumerable.Range(0, Ranks).ToList()).Min()];
    }

    /// <summary>Simulates the job and writes rank-N.json files into a new temporary folder; returns the folder.</summary>
    public string WriteTemp()
    {
        var dir = Directory.CreateDirectory(Path.Combine(TempRoot.Value, Guid.NewGuid().ToString("N"))).FullName;
        var traces = Build();
        foreach (var rank in WrittenRanks ?? Enumerable.Range(0, Ranks).ToList())
        {
            File.WriteAllText(Path.Combine(dir, $"rank-{rank}.json"), traces[rank]);
        }

        return dir;
    }

    /// <summary>Writes the traces, loads them and summarises every rank.</summary>
    public IReadOnlyList<RankCollectives> Summaries()
    {
        var run = TraceLoader.Load([WriteTemp()]).Run ?? throw new InvalidOperationException("the synthetic job did not load");
        return [.. run.Ranks.Select(RankCollectives.From)];
    }

    /// <summary>Simulates the job; returns each rank's trace JSON.</summary>
    public string[] Build()
    {
        var random = new Random(Seed);
        var offsets = ClockOffsetNs ?? new long[Ranks];
        var builders = Enumerable.Range(0, Ranks).Select(_ => new KinetoTraceBuilder()).ToArray();
        var t = Enumerable.Repeat(JobStartNs, Ranks).ToArray();
        var correlation = new long[Ranks];
        var sequence = 0L;
        var stepHostStart = new long[Ranks];
        for (var r = 0; r < Ranks; r++)
        {
            stepHostStart[r] = t[r] - 100_000;
        }

        double Us(int rank, long globalNs) => (globalNs + offsets[rank]) / 1000.0;

        void Compute(int r, long duration)
        {
            var c = ++correlation[r];
            builders[r].LaunchedKernel("aten::mm", "sm80_xmma_gemm_bf16bf16_bf16f32_f32_tn_n_tilesize128x128x32", c, Us(r, t[r] - 60_000),
                Us(r, t[r]), duration / 1000.0);
            t[r] += duration;
        }

        for (var step = 1; step <= Steps; step++)
        {
            for (var k = 0; k < StepCollectives.Length; k++)
            {
                for (var r = 0; r < Ranks; r++)
                {
                    Compute(r, 1_000_000 + random.Next(0, 100_000));
                }

                var (name, kernel, elements, dtype, transfer) = StepCollectives[k];
                var arrival = Enumerable.Range(0, Ranks).Select(r => t[r] + 20_000 + CollectiveDelayNs.GetValueOrDefault(r)).ToArray();
                var end = arrival.Max() + transfer;
                for (var r = 0; r < Ranks; r++)
                {
                    var rankEnd = end + random.Next(0, 500);
                    if (Drop?.Invoke(r, step, k) != true)
                    {
                        Collective(builders[r], r, ++correlation[r], name, kernel, elements, dtype, sequence, Us(r, arrival[r] - 50_000),
                            Us(r, arrival[r]), (rankEnd - arrival[r]) / 1000.0);
                    }

                    t[r] = rankEnd;
                }

                sequence++;
            }

            for (var r = 0; r < Ranks; r++)
            {
                Compute(r, 500_000 + random.Next(0, 50_000));
                var nextHostStart = t[r] - 100_000;
                builders[r].Step(step, Us(r, stepHostStart[r]), (nextHostStart - stepHostStart[r]) / 1000.0);
                stepHostStart[r] = nextHostStart;
            }
        }

        return [.. Enumerable.Range(0, Ranks).Select(r => WithDistributedInfo(builders[r].ToJson(), r))];
    }

    private void Collective(KinetoTraceBuilder b, int rank, long correlation, string name, string kernel, long elements, string dtype, long sequence,
        double launchUs, double kernelUs, double kernelDurUs)
    {
        if (Metadata == CollectiveMetadata.RecordParamComms)
        {
            var ranks = string.Join(", ", Enumerable.Range(0, Ranks));
            // An all-gather's input is one rank's share of its output.
            var outElements = elements;
            var inElements = name == "_allgather_base" ? elements / Ranks : elements;
            b.Raw($"{{\"ph\": \"X\", \"cat\": \"cpu_op\", \"name\": \"record_param_comms\", \"pid\": 100, \"tid\": 1, \"ts\": {N(launchUs - 10)}, \"dur\": 30, "
                + $"\"args\": {{\"Collective name\": \"{name}\", \"In msg nelems\": {inElements}, \"Out msg nelems\": {outElements}, \"Group size\": {Ranks}, "
                + $"\"dtype\": \"{dtype}\", \"Process Group Name\": \"0\", \"Process Group Description\": \"default_pg\", \"Process Group Ranks\": \"[{ranks}]\", "
                + $"\"In split size\": \"[]\", \"Out split size\": \"[]\", \"Seq\": {sequence}}}}}");
            b.Op("nccl:" + name.TrimStart('_'), launchUs - 5, 20);
        }

        b.Launch(correlation, launchUs, 5);
        b.Kernel(kernel, kernelUs, kernelDurUs, correlation, stream: 20);
    }

    private string WithDistributedInfo(string json, int rank) => json.Replace("  \"traceEvents\": [",
        $"  \"distributedInfo\": {{\"backend\": \"nccl\", \"rank\": {rank}, \"world_size\": {Ranks}}},\n  \"traceEvents\": [", StringComparison.Ordinal);

    private static string N(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);

    private static readonly Lazy<string> TempRoot = new(() =>
    {
        var root = Directory.CreateTempSubdirectory("headroom-multirank-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
        };
        return root;
    });
}

/// <summary>Hand-made per-rank summaries for unit tests of the cross-rank analyses (times in ns).</summary>
internal static class CollectiveSummaries
{
    /// <summary>A collective kernel of the unnamed group, matched by order.</summary>
    public static CollectiveKernel Kernel(string name, long start, long end, long step = -1, long bytes = -1) =>
        new("", name, 0, false, step, bytes, -1, start, end, null);

    /// <summary>A collective kernel with a recorded sequence number in group <paramref name="group"/>.</summary>
    public static CollectiveKernel Recorded(string group, long sequence, string name, long start, long end) =>
        new(group, name, sequence, true, -1, -1, -1, start, end, null);

    /// <summary>A rank's summary.</summary>
    public static RankCollectives Rank(int rank, int worldSize, params CollectiveKernel[] kernels) => new(rank, worldSize, kernels, []);

    /// <summary>A rank's summary with step windows of the given lengths, keyed by step number.</summary>
    public static RankCollectives WithSteps(int rank, params (long Number, long LengthNs)[] steps)
    {
        var windows = new List<StepWindow>();
        var t = 1_000_000L;
        foreach (var (number, length) in steps)
        {
            windows.Add(new StepWindow(number, t, t + length));
            t += length;
        }

        return new RankCollectives(rank, -1, [], windows);
    }
}
