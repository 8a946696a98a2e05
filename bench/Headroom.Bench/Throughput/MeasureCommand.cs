using System.Buffers;
using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using Headroom.Analysis;
using Headroom.Ingest;

namespace Headroom.Bench.Throughput;

/// <summary>What one measurement did and cost, printed as one JSON line by the measure verb.</summary>
internal sealed record Measurement(string Mode, string[] Paths, long FileBytes, long Bytes, long Events, long RetainedEvents, long RetainedBytes,
    double WallSeconds, double CpuSeconds, long PeakRssBytes, long StartRssBytes, int Gen0, int Gen1, int Gen2, long AllocatedBytes, double GcPauseSeconds,
    long Tokens, int Ranks, double LoadSeconds, long PeakRssAfterLoadBytes)
{
    public double MBps => Bytes / 1e6 / WallSeconds;

    public double EventsPerSecond => Events / WallSeconds;

    public double CpuPerWall => CpuSeconds / WallSeconds;
}

/// <summary>
/// The measure verb: one load in this (fresh) process, so that peak RSS (VmHWM) and GC counts belong to it alone.
/// Modes: full (load + every analysis), load (read + build the model), parse (read into the builder, no build),
/// tokenize (Utf8JsonReader over the bytes, nothing else), noop (the process's own baseline).
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

            case "noop":
                clock.Stop();
                break;

            default:
                throw new ArgumentException($"unknown mode {mode}");
        }

        process.Refresh();
        return new Measurement(mode, paths, paths.Sum(p => new FileInfo(p).Length), bytes, events, retainedEvents, retainedBytes,
            clock.Elapsed.TotalSeconds, (process.TotalProcessorTime - cpu0).TotalSeconds, ReadStatus("VmHWM"), startRss,
            GC.CollectionCount(0) - g0, GC.CollectionCount(1) - g1, GC.CollectionCount(2) - g2, GC.GetTotalAllocatedBytes(true) - alloc0,
            (GC.GetTotalPauseDuration() - pause0).TotalSeconds, tokens, ranks, loadSeconds, hwmAfterLoad);
    }

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
