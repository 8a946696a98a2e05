using System.Buffers;
using System.Diagnostics;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Headroom.Analysis;
using Headroom.Ingest;
using Headroom.Pipeline;

namespace Headroom.Bench.Throughput;

/// <summary>What one measurement did and cost, printed as one JSON line by the measure verb.</summary>
internal sealed record Measurement(string Mode, string[] Paths, long FileBytes, long Bytes, long Events, long RetainedEvents, long RetainedBytes,
    double WallSeconds, double CpuSeconds, long PeakRssBytes, long StartRssBytes, int Gen0, int Gen1, int Gen2, long AllocatedBytes, double GcPauseSeconds,
    long Tokens, int Ranks, double LoadSeconds, long PeakRssAfterLoadBytes, PipelineFindings? Pipeline = null)
{
    public double MBps => Bytes / 1e6 / WallSeconds;

    public double EventsPerSecond => Events / WallSeconds;

    public double CpuPerWall => CpuSeconds / WallSeconds;
}

/// <summary>What the pipeline mode found (to check the result) and what its result keeps on the managed heap.</summary>
/// <param name="Stragglers">Ranks named stragglers.</param>
/// <param name="ClockOffsets">Per rank: rank, estimated clock offset (ns), its median absolute deviation (ns).</param>
/// <param name="ResultBytes">Managed heap held by the result after a full GC, beyond what the process held before the run.</param>
/// <param name="RetainedBytes">That heap by part of the result (measured by dropping the parts one by one), bytes.</param>
internal sealed record PipelineFindings(int[] Stragglers, long[][] ClockOffsets, long ResultBytes, Dictionary<string, long> RetainedBytes);

/// <summary>
/// The measure verb: one load in this (fresh) process, so that peak RSS (VmHWM) and GC counts belong to it alone.
/// Modes: full (load + every analysis), load (read + build the model), parse (read into the builder, no build),
/// tokenize (Utf8JsonReader over the bytes, nothing else), noop (the process's own baseline), pipeline
/// (<see cref="AnalysisPipeline.AnalyzeFiles"/>, what `headroom analyze` runs: rank by rank, keeping only per-rank results).
/// </summary>
internal static class MeasureCommand
{
    public static int Run(string[] args)
    {
        var a = new Arguments(args, "--no-read-ahead");
        var mode = a.Get("--mode") ?? "full";
        // Folders count as their files (for the byte total, and for the modes that read files one by one).
        var paths = a.Positional.SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p).Order(StringComparer.Ordinal).ToArray() : [p]).ToArray();
        // --repeat N measures N times in this process (warm JIT, shared heap): for profiling the steady state, not for RSS.
        for (var i = a.Int("--repeat", 1); i > 0; i--)
        {
            var m = Measure(mode, paths, readAhead: !a.Has("--no-read-ahead"));
            Console.WriteLine(JsonSerializer.Serialize(m));
        }
        return 0;
    }

    public static Measurement Measure(string mode, string[] paths, bool readAhead)
    {
        var startHeap = mode == "pipeline" ? GC.GetTotalMemory(forceFullCollection: true) : 0;
        var kept = new StrongBox<AnalysisResult?>();
        var startRss = ReadStatus("VmRSS");
        var process = Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        var (g0, g1, g2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        var alloc0 = GC.GetTotalAllocatedBytes(true);
        var pause0 = GC.GetTotalPauseDuration();
        var clock = Stopwatch.StartNew();

        long bytes = 0, events = 0, retainedEvents = 0, retainedBytes = 0, tokens = 0;
        var loadSeconds = 0.0;
        long hwmAfterLoad = 0;
        var ranks = 0;
        switch (mode)
        {
            case "full" or "load":
                {
                    var load = TraceLoader.Load(paths, new LoadOptions(ReadAhead: readAhead));
                    loadSeconds = clock.Elapsed.TotalSeconds;
                    hwmAfterLoad = ReadStatus("VmHWM");
                    if (load.Run is null)
                    {
                        throw new InvalidDataException(string.Join("; ", load.Errors.Select(e => e.Message)));
                    }

                    if (mode == "full")
                    {
                        var analysis = TraceAnalysis.Analyze(load.Run, new AnalysisOptions());
                        GC.KeepAlive(analysis);
                    }

                    foreach (var t in load.Run.Ranks)
                    {
                        bytes += t.BytesRead;
                        events += t.Census.Total;
                        retainedEvents += t.Cpu.Count + t.Gpu.Count;
                        retainedBytes += t.RetainedBytes;
                    }

                    ranks = load.Run.Ranks.Count;
                    clock.Stop();
                    GC.KeepAlive(load);
                    break;
                }

            case "parse":
                {
                    var progress = new LoadProgress();
                    var contents = new Ingest.ChromeTrace.ChromeTraceContent?[paths.Length];
                    Parallel.For(0, paths.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
                        i => contents[i] = TraceLoader.ReadFile(paths[i], readAhead && paths.Length < Environment.ProcessorCount, progress).Content);
                    clock.Stop();
                    foreach (var c in contents)
                    {
                        bytes += c!.BytesRead;
                        events += c.EventCount;
                        retainedEvents += c.Builder.CpuCount + c.Builder.GpuCount;
                    }

                    ranks = paths.Length;
                    break;
                }

            case "tokenize":
                {
                    var counts = new (long Bytes, long Tokens)[paths.Length];
                    Parallel.For(0, paths.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
                        i => counts[i] = Tokenize(paths[i], readAhead && paths.Length < Environment.ProcessorCount));
                    clock.Stop();
                    bytes = counts.Sum(c => c.Bytes);
                    tokens = counts.Sum(c => c.Tokens);
                    ranks = paths.Length;
                    break;
                }

            case "pipeline":
                {
                    // No local holds the result (this frame's locals stay alive), so that Findings can drop its parts.
                    RunPipeline(paths, readAhead, kept);
                    clock.Stop();
                    (bytes, events, retainedEvents, retainedBytes, ranks) = Totals(kept);
                    break;
                }

            case "noop":
                clock.Stop();
                break;

            default:
                throw new ArgumentException($"unknown mode {mode}");
        }

        process.Refresh();
        var measurement = new Measurement(mode, paths, paths.Sum(p => new FileInfo(p).Length), bytes, events, retainedEvents, retainedBytes,
            clock.Elapsed.TotalSeconds, (process.TotalProcessorTime - cpu0).TotalSeconds, ReadStatus("VmHWM"), startRss,
            GC.CollectionCount(0) - g0, GC.CollectionCount(1) - g1, GC.CollectionCount(2) - g2, GC.GetTotalAllocatedBytes(true) - alloc0,
            (GC.GetTotalPauseDuration() - pause0).TotalSeconds, tokens, ranks, loadSeconds, hwmAfterLoad);
        return kept.Value is null ? measurement : measurement with { Pipeline = Findings(kept, startHeap) };
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void RunPipeline(string[] paths, bool readAhead, StrongBox<AnalysisResult?> kept)
    {
        var outcome = AnalysisPipeline.AnalyzeFiles(paths, new AnalysisOptions(), new LoadProgress(), new LoadOptions(ReadAhead: readAhead));
        kept.Value = outcome.Result ?? throw new InvalidDataException(string.Join("; ", outcome.Errors.Select(e => e.Message)));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (long Bytes, long Events, long RetainedEvents, long RetainedBytes, int Ranks) Totals(StrongBox<AnalysisResult?> kept)
    {
        var inputs = kept.Value!.Inputs;
        return (inputs.Sum(i => i.Bytes), inputs.Sum(i => i.Events), inputs.Sum(i => i.CpuEvents + i.GpuEvents), inputs.Sum(i => i.RetainedBytes), inputs.Count);
    }

    /// <summary>
    /// The stragglers and clock offsets of the result, and what the result holds on the managed heap: after a full GC, then
    /// after dropping each part in turn (the difference is that part's share). Run after the measurement: it does not count.
    /// </summary>
    private static PipelineFindings Findings(StrongBox<AnalysisResult?> kept, long startHeap)
    {
        var result = kept.Value!;
        var stragglers = result.Collectives?.Stragglers.Stragglers.ToArray() ?? [];
        var clocks = result.Collectives?.Clock.Ranks.Select(c => new[] { c.Rank, c.OffsetNs, c.MadNs }).ToArray() ?? [];
        Console.Error.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"result: {result.Ranks.Count} ranks, {result.Ranks.Sum(r => r.Launch.Rows.Count)} launch rows, {result.Ranks.Sum(r => r.Steps.Count)} steps, {result.Ranks.Sum(r => r.Kernels.ByName.Count)} kernel rows, {result.Ranks.Sum(r => r.Ops.Count)} op rows, {result.Collectives?.Instances.Count} collective instances, {result.Diagnostics.Count} diagnostics"));
        foreach (var r in result.Collectives?.Stragglers.Ranks.Take(4).Concat(result.Collectives.Stragglers.Ranks.Where(r => r.Rank == 37)) ?? [])
        {
            Console.Error.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"  straggle rank {r.Rank}: last {r.LastCount}/{r.Instances}, mean lateness {r.MeanLatenessNs / 1e3:0} us, cost {r.CostNs / 1e6:0.0} ms = {r.CostShare:P1} of {result.Collectives!.Stragglers.ReferenceTimeNs / 1e6:0} ms ({result.Collectives!.Stragglers.ReferenceTime})"));
        }

        result = null;
        var parts = new Dictionary<string, long>(StringComparer.Ordinal);
        var heap = GC.GetTotalMemory(forceFullCollection: true);
        var total = heap - startHeap;
        foreach (var (name, strip) in Strips)
        {
            Strip(kept, strip);
            var after = GC.GetTotalMemory(forceFullCollection: true);
            parts[name] = heap - after;
            heap = after;
        }

        parts["not the result (caches, pools)"] = heap - startHeap;
        return new PipelineFindings(stragglers, clocks, total, parts);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Strip(StrongBox<AnalysisResult?> kept, Func<AnalysisResult, AnalysisResult> strip) => kept.Value = strip(kept.Value!);

    private static AnalysisResult EachRank(AnalysisResult r, Func<RankAnalysis, RankAnalysis> f) => r with { Ranks = [.. r.Ranks.Select(f)] };

    /// <summary>The parts of a result, dropped in this order.</summary>
    private static readonly (string Name, Func<AnalysisResult, AnalysisResult> Strip)[] Strips =
    [
        ("launch rows (per device activity)", r => EachRank(r, a => a with { Launch = a.Launch with { Rows = [] } })),
        ("launch summary and outliers", r => EachRank(r, a => a with { Launch = null! })),
        ("idle per stream", r => EachRank(r, a => a with { Idle = null! })),
        ("steps (per step breakdown and top kernels)", r => EachRank(r, a => a with { Steps = [] })),
        ("kernel and kernel-type tables", r => EachRank(r, a => a with { Kernels = null!, KernelTypes = [] })),
        ("op table", r => EachRank(r, a => a with { Ops = [] })),
        ("other per-rank results", r => r with { Ranks = [] }),
        ("cross-rank results (collectives, clocks, stragglers, step spread)", r => r with { Collectives = null }),
        ("input summaries", r => r with { Inputs = [] }),
        ("diagnostics", r => r with { Diagnostics = [] }),
        ("the rest of the result", _ => null!),
    ];

    /// <summary>Tokenizes a file with <see cref="Utf8JsonReader"/> over one pooled 1 MiB buffer (the reader's own strategy), doing nothing with the tokens.</summary>
    private static (long Bytes, long Tokens) Tokenize(string path, bool readAhead)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var gzip = file.ReadByte() == 0x1f && file.ReadByte() == 0x8b;
        file.Position = 0;
        Stream input = gzip ? new GZipStream(file, CompressionMode.Decompress) : file;
        if (readAhead)
        {
            input = new ReadAheadStream(input);
        }

        using var stream = input;
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        var state = new JsonReaderState(new JsonReaderOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 512 });
        long tokens = 0, total = 0;
        var filled = 0;
        var final = false;
        while (!final)
        {
            var n = stream.ReadAtLeast(buffer.AsSpan(filled), buffer.Length - filled, throwOnEndOfStream: false);
            final = n < buffer.Length - filled;
            filled += n;
            total += n;
            var reader = new Utf8JsonReader(buffer.AsSpan(0, filled), final, state);
            while (reader.Read())
            {
                tokens++;
            }

            state = reader.CurrentState;
            var consumed = (int)reader.BytesConsumed;
            buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
            filled -= consumed;
        }

        ArrayPool<byte>.Shared.Return(buffer);
        return (total, tokens);
    }

    /// <summary>A size field of /proc/self/status (VmHWM: peak resident set; VmRSS: current), bytes.</summary>
    public static long ReadStatus(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                var kb = line[(field.Length + 1)..].Trim().Split(' ')[0];
                return long.Parse(kb, System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }
}
