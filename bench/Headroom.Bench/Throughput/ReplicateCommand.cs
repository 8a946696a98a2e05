using System.Diagnostics;

namespace Headroom.Bench.Throughput;

/// <summary>The replicate verb: only writes a replicated trace.</summary>
internal static class ReplicateCommand
{
    public static int Run(string[] args)
    {
        var a = new Arguments(args);
        var source = a.Get("--source");
        var output = a.Get("--out");
        if (source is null || output is null)
        {
            Console.Error.WriteLine("usage: replicate --source <trace> --out <file.json> --size-mb <n> [--rank <r>]");
            return 2;
        }

        var clock = Stopwatch.StartNew();
        var replicator = TraceReplicator.Open(source);
        var rank = a.Get("--rank") is string r ? int.Parse(r, System.Globalization.CultureInfo.InvariantCulture) : (int?)null;
        var bytes = replicator.Write(output, a.Int("--size-mb", 1000) * 1_000_000L, rank);
        Console.WriteLine($"wrote {output}: {bytes / 1e6:N0} MB ({replicator.EventCount:N0} events per copy) in {clock.Elapsed.TotalSeconds:N1} s");
        return 0;
    }
}
