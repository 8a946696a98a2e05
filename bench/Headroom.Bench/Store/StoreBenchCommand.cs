using System.Diagnostics;
using System.Globalization;
using System.Text;
using Headroom.Analysis;
using Headroom.Pipeline;
using Headroom.Report;
using Headroom.Store;

namespace Headroom.Bench.Store;

/// <summary>
/// The store verb: fills a temporary store with N runs and times what must stay under a second at 10,000 runs — listing
/// every run, and loading the two comparable runs a diff reads — plus, optionally, the SHA-256 of a large trace (the
/// cost of the reuse check).
/// </summary>
internal static class StoreBenchCommand
{
    public static int Run(string[] args)
    {
        var a = new Arguments(args, "--keep");
        var runs = a.Int("--runs", 10_000);
        var repeat = a.Int("--repeat", 5);
        var sample = a.Get("--sample") ?? FindSample();
        var folder = Directory.CreateTempSubdirectory("headroom-store-bench-").FullName;
        var path = a.Get("--store") ?? Path.Combine(folder, "runs.db");
        try
        {
            // One real analysis of the sample (2 ranks: 78 op signatures, 56 kernel names, 10 steps, 64 roofline ops,
            // 31 headroom items, 47 metadata rows), saved once with a 1 KiB report stand-in, then copied N-1 times
            // inside the store: the tables are real, the fill is fast, the file stays small.
            var clock = Stopwatch.StartNew();
            var outcome = AnalysisPipeline.AnalyzeFiles([sample], new AnalysisOptions(TopKernels: 25, TopOps: 10, Comparable: true));
            var result = outcome.Result ?? throw new InvalidOperationException("the sample does not analyse");
            var fingerprint = RunFingerprint.Compute([sample], ToolInfo.Version, "bench", null)!;
            var analysed = clock.Elapsed;
            clock.Restart();
            using (var store = RunStore.Open(path))
            {
                var first = store.Save(result, "{\"bench\": \"" + new string('x', 1000) + "\"}", "bench-0", fingerprint, ToolInfo.Version);
                var saveOne = clock.Elapsed;
                clock.Restart();
                for (var i = 1; i < runs; i++)
                {
                    store.CopyAs(first, $"bench-{i}");
                }

                Console.WriteLine($"analysed the sample in {analysed.TotalSeconds:F2} s; saved it in {saveOne.TotalMilliseconds:F1} ms; "
                    + $"copied to {runs:N0} runs in {clock.Elapsed.TotalSeconds:F1} s; store {new FileInfo(path).Length / 1e6:F1} MB "
                    + $"(+ WAL {(File.Exists(path + "-wal") ? new FileInfo(path + "-wal").Length / 1e6 : 0):F1} MB)");
            }

            var list = new List<double>();
            var load = new List<double>();
            for (var r = 0; r < repeat; r++)
            {
                // As 'headroom runs list': open, read every run, format every row.
                clock.Restart();
                using (var store = RunStore.Open(path))
                {
                    var text = new StringBuilder();
                    foreach (var run in store.List())
                    {
                        text.Append(CultureInfo.InvariantCulture,
                            $"{run.Id} {run.Label} {run.CreatedAt:yyyy-MM-dd HH:mm:ss} {run.RankCount} {run.Hardware} {run.StepNs} {run.Mfu}\n");
                    }

                    if (text.Length == 0)
                    {
                        throw new InvalidOperationException("no runs listed");
                    }
                }

                list.Add(clock.Elapsed.TotalMilliseconds);

                // As a diff: open, load the oldest and the newest run's comparable form.
                clock.Restart();
                using (var store = RunStore.Open(path))
                {
                    var before = store.LoadComparable("bench-0");
                    var after = store.LoadComparable($"bench-{runs - 1}");
                    if (before.Ranks.Count != after.Ranks.Count)
                    {
                        throw new InvalidOperationException("copies differ");
                    }
                }

                load.Add(clock.Elapsed.TotalMilliseconds);
            }

            Console.WriteLine($"list {runs:N0} runs: median {Median(list):F1} ms (min {list.Min():F1}, max {list.Max():F1}) over {repeat}");
            Console.WriteLine($"load two comparable runs: median {Median(load):F1} ms (min {load.Min():F1}, max {load.Max():F1}) over {repeat}");

            if (a.Get("--hash") is { } big)
            {
                HashTimes(big, repeat);
            }

            return 0;
        }
        finally
        {
            if (!a.Has("--keep"))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    /// <summary>SHA-256 of a large file (as the reuse check streams it), against reading it alone; the file in page cache.</summary>
    private static void HashTimes(string path, int repeat)
    {
        var bytes = new FileInfo(path).Length;
        var read = new List<double>();
        var hash = new List<double>();
        var buffer = new byte[1 << 20];
        for (var r = 0; r < repeat; r++)
        {
            var clock = Stopwatch.StartNew();
            using (var s = File.OpenRead(path))
            {
                while (s.Read(buffer) > 0)
                {
                }
            }

            read.Add(clock.Elapsed.TotalSeconds);
            clock.Restart();
            _ = RunFingerprint.Hash(path);
            hash.Add(clock.Elapsed.TotalSeconds);
        }

        Console.WriteLine($"{path}: {bytes / 1e6:N0} MB; read alone median {Median(read):F3} s; SHA-256 median {Median(hash):F3} s "
            + $"({bytes / 1e6 / Median(hash):N0} MB/s) over {repeat}");
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static string FindSample()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "samples", "h100-2rank");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("samples/h100-2rank not found; pass --sample DIR");
    }
}
