using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Headroom.Bench.Throughput;

/// <summary>
/// The ranks verb (issue 4): a job of many ranks made from the 8 real DLRM ranks, and how `headroom analyze`'s pipeline
/// scales with the number of ranks. Rank N is real rank N mod 8 replicated in time to --rank-mb, relabelled N of
/// 256, with its own clock offset and, on one rank, a straggler. Each size runs in a fresh child process (measure verb).
/// </summary>
internal static class RanksCommand
{
    private const string DefaultSource = "traces/kineto/param-v100-dlrm-8rank";
    private const int GeneratorVersion = 1;
    private const int WorldSize = 256;

    public static int Run(string[] args)
    {
        var a = new Arguments(args);
        var sizes = (a.Get("--ranks") ?? "32,64,128,256").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var rankMb = a.Int("--rank-mb", 50);
        var repeat = a.Int("--repeat", 1);
        var modes = (a.Get("--modes") ?? "pipeline").Split(',');
        var straggler = a.Int("--straggler", 37);
        var delayMicros = a.Int("--delay-us", 2_000);
        var maxOffsetMicros = a.Int("--max-offset-us", 5_000);
        var sourceDir = a.Get("--source") ?? (SharedData.Root() is string root ? Path.Combine(root, DefaultSource) : null);
        if (sourceDir is null || !Directory.Exists(sourceDir))
        {
            Console.Error.WriteLine($"DLRM ranks not found ({sourceDir ?? DefaultSource}): pass --source or set HEADROOM_SHARED_DATA");
            return 2;
        }

        if (sizes.Any(n => n is < 1 or > WorldSize))
        {
            Console.Error.WriteLine($"--ranks: sizes between 1 and {WorldSize}");
            return 2;
        }

        var cache = a.Get("--cache") ?? Path.Combine(Environment.GetEnvironmentVariable("HEADROOM_BENCH_CACHE") ?? Path.Combine(Path.GetTempPath(), "headroom-bench"),
            rankMb == 50 ? "dlrm-256" : $"dlrm-256-{rankMb}mb");
        var offsets = Enumerable.Range(0, WorldSize).Select(r => ClockOffsetMicros(r, maxOffsetMicros)).ToArray();
        var files = Prepare(sourceDir, cache, rankMb, straggler, delayMicros, offsets);

        var rows = new List<(string Mode, int Ranks, Measurement M, List<double> Walls)>();
        foreach (var mode in modes)
        {
            foreach (var n in sizes)
            {
                var paths = files[..n];
                foreach (var p in paths)
                {
                    WarmPageCache(p);
                }

                var runs = Enumerable.Range(0, repeat).Select(_ => Child(mode, paths)).OrderBy(m => m.WallSeconds).ToList();
                var m = runs[runs.Count / 2];
                rows.Add((mode, n, m, runs.Select(r => r.WallSeconds).ToList()));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{mode} {n} ranks: {m.WallSeconds:0.00} s, {m.MBps:0} MB/s, CPU/wall {m.CpuPerWall:0.00}, peak RSS {m.PeakRssBytes / 1e6:0} MB (runs: {string.Join(", ", runs.Select(r => r.WallSeconds.ToString("0.00", CultureInfo.InvariantCulture)))} s)"));
                if (m.Pipeline is { } f)
                {
                    Console.WriteLine(Check(f, n, straggler, offsets));
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  result on the heap: {f.ResultBytes / 1e6:0.0} MB ({f.ResultBytes / (double)n / 1e3:0.0} kB per rank)"));
                    foreach (var (part, bytes) in f.RetainedBytes)
                    {
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {part}: {bytes / 1e6:0.0} MB ({bytes / (double)n / 1e3:0.0} kB per rank)"));
                    }
                }
            }
        }

        var report = Report(rows, rankMb, repeat);
        Console.WriteLine();
        Console.WriteLine(report);
        var output = a.Get("--out") ?? Path.Combine(cache, $"results-{DateTime.UtcNow:yyyyMMdd-HHmmss}.md");
        File.WriteAllText(output, report);
        Console.WriteLine($"results written to {output}");
        return 0;
    }

    /// <summary>Rank <paramref name="rank"/>'s clock offset, µs: deterministic, uniform in ±<paramref name="max"/> (splitmix64 of the rank).</summary>
    public static long ClockOffsetMicros(int rank, int max)
    {
        var z = (ulong)rank + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (long)(z % (ulong)((2 * max) + 1)) - max;
    }

    /// <summary>The 256 rank files, written once (in parallel) and reused while the sources and the parameters are unchanged.</summary>
    private static string[] Prepare(string sourceDir, string cache, int rankMb, int straggler, int delayMicros, long[] offsets)
    {
        var sources = Enumerable.Range(0, 8).Select(r => Directory.GetFiles(sourceDir, $"rank-{r}.json*").Single()).ToArray();
        var stamp = $"v{GeneratorVersion} {rankMb} MB, straggler {straggler} +{delayMicros} us, offsets {string.Join(',', offsets)}; "
            + string.Join("; ", sources.Select(s => $"{s} {new FileInfo(s).Length} {File.GetLastWriteTimeUtc(s):O}"));
        var files = Enumerable.Range(0, WorldSize).Select(r => Path.Combine(cache, $"rank-{r}.json")).ToArray();
        var stampFile = Path.Combine(cache, "stamp");
        if (File.Exists(stampFile) && File.ReadAllText(stampFile) == stamp && files.All(File.Exists))
        {
            return files;
        }

        Directory.CreateDirectory(cache);
        File.Delete(stampFile);
        var clock = Stopwatch.StartNew();
        Console.WriteLine($"building {WorldSize} ranks of {rankMb} MB from {sourceDir} into {cache} (once)...");
        var replicators = sources.Select(TraceReplicator.Open).ToArray();
        for (var r = 0; r < replicators.Length; r++)
        {
            Console.WriteLine($"  rank {r}: {replicators[r].EventCount:N0} events and {replicators[r].CommunicationKernels} communication kernels per copy of {replicators[r].EventBytesPerCopy / 1e6:N2} MB");
        }

        long total = 0;
        Parallel.For(0, WorldSize, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, r =>
        {
            // The straggler's collective kernels start late; everyone else's wait for it, so all still end together.
            var shape = new RankShape(r, WorldSize, offsets[r], r == straggler ? delayMicros : 0, r == straggler ? 0 : delayMicros);
            var size = replicators[r % 8].Write(files[r] + ".tmp", rankMb * 1_000_000L, shape);
            File.Move(files[r] + ".tmp", files[r], overwrite: true);
            Interlocked.Add(ref total, size);
        });
        File.WriteAllText(stampFile, stamp);
        Console.WriteLine($"  wrote {WorldSize} files, {total / 1e9:N1} GB, in {clock.Elapsed.TotalSeconds:N0} s");
        return files;
    }

    /// <summary>Whether the straggler was named and the clock offsets recovered: rank N and rank N mod 8 share a source, so the
    /// difference of their estimated offsets must be the difference of their injected ones.</summary>
    private static string Check(PipelineFindings f, int n, int straggler, long[] offsets)
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.Append(inv, $"  stragglers named: [{string.Join(", ", f.Stragglers)}]");
        sb.AppendLine(straggler < n ? (f.Stragglers.Contains(straggler) ? $" (injected {straggler}: found)" : $" (injected {straggler}: NOT found)") : $" (injected {straggler} is not in this job)");
        var estimated = f.ClockOffsets.ToDictionary(c => (int)c[0], c => c[1]);
        var errors = new List<double>();
        for (var r = 8; r < n; r++)
        {
            if (estimated.TryGetValue(r, out var e) && estimated.TryGetValue(r % 8, out var b))
            {
                errors.Add(Math.Abs((e - b) - ((offsets[r] - offsets[r % 8]) * 1000)) / 1000.0);
            }
        }

        errors.Sort();
        if (errors.Count > 0)
        {
            sb.AppendLine(inv, $"  clock offsets: |(est[N] - est[N mod 8]) - (inj[N] - inj[N mod 8])| over {errors.Count} ranks: median {errors[errors.Count / 2]:0.0} us, max {errors[^1]:0.0} us");
        }

        foreach (var r in new[] { 1, 8, 9, 37, n - 1 }.Where(r => r < n).Distinct())
        {
            var e = estimated.GetValueOrDefault(r);
            var b = estimated.GetValueOrDefault(r % 8);
            sb.AppendLine(inv, $"    rank {r,3}: injected {offsets[r] / 1000.0,7:0.000} ms, estimated {e / 1e6,7:0.000} ms (vs rank 0); est - est[{r % 8}] = {(e - b) / 1e6,7:0.000} ms, injected difference {(offsets[r] - offsets[r % 8]) / 1000.0,7:0.000} ms");
        }

        return sb.ToString().TrimEnd();
    }

    private static string Report(List<(string Mode, int Ranks, Measurement M, List<double> Walls)> rows, int rankMb, int repeat)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(inv, $"{WorldSize}-rank DLRM job from 8 real ranks, ~{rankMb} MB per rank; {Environment.ProcessorCount} cores; median of {repeat}; {DateTime.UtcNow:yyyy-MM-dd}");
        sb.AppendLine();
        sb.AppendLine("| mode | ranks | GB | wall s | MB/s | CPU/wall | peak RSS MB | ms per rank | result on heap MB | kB per rank |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (mode, n, m, _) in rows)
        {
            var result = m.Pipeline is { } f ? ((f.ResultBytes / 1e6).ToString("0.0", inv), (f.ResultBytes / (double)n / 1e3).ToString("0.0", inv)) : ("", "");
            sb.AppendLine(inv, $"| {mode} | {n} | {m.Bytes / 1e9:0.00} | {m.WallSeconds:0.00} | {m.MBps:0} | {m.CpuPerWall:0.00} | {m.PeakRssBytes / 1e6:0} | {m.WallSeconds * 1000 / n:0} | {result.Item1} | {result.Item2} |");
        }

        return sb.ToString();
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
    private static Measurement Child(string mode, string[] paths)
    {
        var self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(RanksCommand).Assembly.Location);
        }

        start.ArgumentList.Add("measure");
        start.ArgumentList.Add("--mode");
        start.ArgumentList.Add(mode);
        foreach (var p in paths)
        {
            start.ArgumentList.Add(p);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"measure --mode {mode} ({paths.Length} ranks) failed with exit code {process.ExitCode}");
        }

        return JsonSerializer.Deserialize<Measurement>(output.Trim().Split('\n')[^1])!;
    }
}
