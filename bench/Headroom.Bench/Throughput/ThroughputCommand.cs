using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Headroom.Bench.Throughput;

/// <summary>
/// The throughput verb: builds the large inputs once (cached outside the repository), then runs every
/// measurement in a fresh child process (the measure verb) so that peak RSS and GC counts do not mix,
/// and prints a table of medians.
/// </summary>
internal static class ThroughputCommand
{
    private const string DefaultSource = "traces/kineto/hta-v100-ddp-rank1of2.json.gz";
    private const int GeneratorVersion = 1;

    private sealed record Case(string Name, string Mode, string[] Paths, bool Tuned = false);

    /// <summary>
    /// The runtime settings that docs/performance.md recommends for the CLI, applied to the "[tuned]" cases through the
    /// environment (the same knobs as System.GC.ConserveMemory and System.Runtime.TieredCompilation.CallCountingDelayMs
    /// in runtimeconfig.json): compact the large object heap when it fragments, and start tiering hot methods up at once.
    /// </summary>
    private static readonly (string Name, string Value)[] TunedRuntime = [("DOTNET_GCConserveMemory", "5"), ("DOTNET_TC_CallCountingDelayMs", "0")];

    public static int Run(string[] args)
    {
        var a = new Arguments(args, "--no-gzip");
        var sizeMb = a.Int("--size-mb", 1000);
        var rankCount = a.Int("--ranks", 8);
        var repeat = a.Int("--repeat", 3);
        var source = a.Get("--source") ?? (SharedData.Root() is string root ? Path.Combine(root, DefaultSource) : null);
        if (source is null || !File.Exists(source))
        {
            Console.Error.WriteLine($"source trace not found ({source ?? DefaultSource}): pass --source or set HEADROOM_SHARED_DATA");
            return 2;
        }

        var cache = a.Get("--cache") ?? Environment.GetEnvironmentVariable("HEADROOM_BENCH_CACHE") ?? Path.Combine(Path.GetTempPath(), "headroom-bench");
        Directory.CreateDirectory(cache);
        var inputs = Prepare(source, cache, sizeMb, rankCount, gzip: !a.Has("--no-gzip"));

        var cases = new List<Case> { new("process baseline", "noop", []) };
        foreach (var (label, path) in new[] { ("json", inputs.Json), ("json.gz", inputs.Gzip) })
        {
            if (path is null)
            {
                continue;
            }

            cases.Add(new($"tokenize only, {label}", "tokenize", [path]));
            cases.Add(new($"reader only (no build), {label}", "parse", [path]));
            cases.Add(new($"load (reader + model), {label}", "load", [path]));
            cases.Add(new($"load + analyses, {label}", "full", [path]));
        }

        foreach (var (label, paths) in new[] { ("json", inputs.Ranks), ("json.gz", inputs.GzipRanks) })
        {
            if (paths is null)
            {
                continue;
            }

            cases.Add(new($"tokenize only, {paths.Length} ranks {label}", "tokenize", paths));
            cases.Add(new($"load + analyses, {paths.Length} ranks {label}", "full", paths));
        }

        cases.AddRange(cases.Where(c => c.Mode == "full").ToList().Select(c => c with { Name = c.Name + " [tuned]", Tuned = true }));

        var filter = a.Get("--only");
        var results = new List<(Case Case, Measurement M)>();
        foreach (var c in cases.Where(c => filter is null || c.Name.Contains(filter, StringComparison.Ordinal) || c.Mode == "noop"))
        {
            foreach (var p in c.Paths)
            {
                WarmPageCache(p);
            }

            var runs = Enumerable.Range(0, c.Mode == "noop" ? 1 : repeat).Select(_ => Child(c)).OrderBy(m => m.WallSeconds).ToList();
            var median = runs[runs.Count / 2];
            results.Add((c, median));
            Console.WriteLine($"{c.Name}: {Line(median)}  (runs: {string.Join(", ", runs.Select(r => r.WallSeconds.ToString("0.00", CultureInfo.InvariantCulture)))} s)");
        }

        var report = Report(results, source, sizeMb, repeat);
        Console.WriteLine();
        Console.WriteLine(report);
        var output = a.Get("--out") ?? Path.Combine(cache, $"results-{DateTime.UtcNow:yyyyMMdd-HHmmss}.md");
        File.WriteAllText(output, report);
        Console.WriteLine($"results written to {output}");
        return 0;
    }

    private sealed record Inputs(string Json, string? Gzip, string[] Ranks, string[]? GzipRanks);

    /// <summary>The replicated inputs, written once and reused while the source and the generator are unchanged.</summary>
    private static Inputs Prepare(string source, string cache, int sizeMb, int ranks, bool gzip)
    {
        var info = new FileInfo(source);
        var stem = info.Name.Split('.')[0];
        var stamp = $"v{GeneratorVersion} {info.FullName} {info.Length} {info.LastWriteTimeUtc:O}";
        var json = Path.Combine(cache, $"{stem}-{sizeMb}mb.json");
        var folder = Path.Combine(cache, $"{stem}-{sizeMb}mb-{ranks}ranks");
        var gzFolder = folder + "-gz";
        var rankFiles = Enumerable.Range(0, ranks).Select(r => Path.Combine(folder, $"rank-{r}.json")).ToArray();
        var gzRankFiles = Enumerable.Range(0, ranks).Select(r => Path.Combine(gzFolder, $"rank-{r}.json.gz")).ToArray();
        var stampFile = Path.Combine(cache, $"{stem}-{sizeMb}mb-{ranks}ranks.stamp");
        var complete = File.Exists(stampFile) && File.ReadAllText(stampFile) == stamp + (gzip ? " gz" : "");
        if (!complete)
        {
            var clock = Stopwatch.StartNew();
            Console.WriteLine($"building inputs from {source} into {cache} (once)...");
            var replicator = TraceReplicator.Open(source);
            var size = replicator.Write(json, sizeMb * 1_000_000L);
            Console.WriteLine($"  {json}: {size / 1e6:N0} MB ({replicator.EventCount:N0} events per copy of {replicator.EventBytesPerCopy / 1e6:N1} MB)");
            Directory.CreateDirectory(folder);
            for (var r = 0; r < ranks; r++)
            {
                replicator.Write(rankFiles[r], sizeMb * 1_000_000L / ranks, rank: r);
            }

            Console.WriteLine($"  {folder}: {ranks} files of {new FileInfo(rankFiles[0]).Length / 1e6:N0} MB");
            if (gzip)
            {
                Compress(json, json + ".gz");
                Directory.CreateDirectory(gzFolder);
                Parallel.For(0, ranks, r => Compress(rankFiles[r], gzRankFiles[r]));
                Console.WriteLine($"  gzip: {new FileInfo(json + ".gz").Length / 1e6:N0} MB and {ranks} x {new FileInfo(gzRankFiles[0]).Length / 1e6:N0} MB");
            }

            File.WriteAllText(stampFile, stamp + (gzip ? " gz" : ""));
            Console.WriteLine($"  built in {clock.Elapsed.TotalSeconds:N0} s");
        }

        return new Inputs(json, gzip ? json + ".gz" : null, rankFiles, gzip ? gzRankFiles : null);
    }

    private static void Compress(string from, string to)
    {
        using var input = File.OpenRead(from);
        using var output = File.Create(to);
        using var gz = new GZipStream(output, CompressionLevel.Optimal);
        input.CopyTo(gz, 1 << 20);
    }

    private static void WarmPageCache(string path)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        var buffer = new byte[1 << 20];
        while (f.Read(buffer) > 0)
        {
        }
    }

    /// <summary>Runs the measure verb in a fresh process of this program.</summary>
    private static Measurement Child(Case c)
    {
        var self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(ThroughputCommand).Assembly.Location);
        }

        if (c.Tuned)
        {
            foreach (var (name, value) in TunedRuntime)
            {
                start.Environment[name] = value;
            }
        }

        start.ArgumentList.Add("measure");
        start.ArgumentList.Add("--mode");
        start.ArgumentList.Add(c.Mode);
        foreach (var p in c.Paths)
        {
            start.ArgumentList.Add(p);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"measure {c.Mode} failed with exit code {process.ExitCode}");
        }

        var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        return JsonSerializer.Deserialize<Measurement>(line)!;
    }

    private static string Line(Measurement m) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{m.WallSeconds:0.00} s, {m.MBps:0} MB/s, {m.EventsPerSecond / 1e6:0.00} M events/s, CPU/wall {m.CpuPerWall:0.00}, peak RSS {m.PeakRssBytes / 1e6:0} MB, GC {m.Gen0}/{m.Gen1}/{m.Gen2}");

    private static string Report(List<(Case Case, Measurement M)> results, string source, int sizeMb, int repeat)
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.AppendLine(inv, $"Headroom throughput, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Cpu()} ({Environment.ProcessorCount} cores), {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}");
        sb.AppendLine(inv, $"Input: {Path.GetFileName(source)} replicated in time to {sizeMb} MB; median of {repeat} runs, each in a fresh process; MB = 10^6 bytes of JSON text (after decompression).");
        sb.AppendLine(inv, $"[tuned]: the runtime settings recommended for the CLI, here set through the environment: {string.Join(", ", TunedRuntime.Select(t => $"{t.Name}={t.Value}"))}.");
        sb.AppendLine();
        sb.AppendLine("| case | wall s | MB/s | M events/s | CPU/wall | peak RSS MB | GC gen0/1/2 | allocated MB | retained events | retained B/event |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (c, m) in results)
        {
            var perEvent = m.RetainedEvents > 0 && m.RetainedBytes > 0 ? (m.RetainedBytes / (double)m.RetainedEvents).ToString("0.0", inv) : "";
            sb.AppendLine(inv, $"| {c.Name} | {m.WallSeconds:0.00} | {(m.Bytes > 0 ? m.MBps.ToString("0", inv) : "")} | {(m.Events > 0 ? (m.EventsPerSecond / 1e6).ToString("0.00", inv) : "")} | "
                + $"{(m.WallSeconds > 0.01 ? m.CpuPerWall.ToString("0.00", inv) : "")} | {m.PeakRssBytes / 1e6:0} | {m.Gen0}/{m.Gen1}/{m.Gen2} | {m.AllocatedBytes / 1e6:0} | {(m.RetainedEvents > 0 ? m.RetainedEvents.ToString("N0", inv) : "")} | {perEvent} |");
        }

        return sb.ToString();
    }

    private static string Cpu()
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        }
        catch (IOException)
        {
            return "unknown CPU";
        }
    }
}
