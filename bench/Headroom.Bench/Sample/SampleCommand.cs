using System.Diagnostics;
using Headroom.Analysis;
using Headroom.Ingest;

namespace Headroom.Bench.Sample;

/// <summary>The sample verb: writes the synthetic job, then loads and analyses it as a check.</summary>
internal static class SampleCommand
{
    public static int Run(string[] args)
    {
        var a = new Arguments(args);
        if (a.Positional.Count != 1)
        {
            Console.Error.WriteLine("usage: sample <outDir>");
            return 2;
        }

        var clock = Stopwatch.StartNew();
        var paths = new SampleJob().Write(a.Positional[0]);
        foreach (var p in paths)
        {
            Console.WriteLine($"wrote {p} ({new FileInfo(p).Length / 1024.0:N0} KiB)");
        }

        var load = TraceLoader.Load([a.Positional[0]]);
        if (load.Run is null)
        {
            Console.Error.WriteLine("the sample does not load: " + string.Join("; ", load.Errors.Select(e => e.Message)));
            return 1;
        }

        var analysis = TraceAnalysis.Analyze(load.Run, new AnalysisOptions());
        foreach (var (rank, trace) in analysis.Ranks.Zip(load.Run.Ranks))
        {
            var o = rank.Overall;
            var linked = 0;
            for (var g = 0; g < trace.Gpu.Count; g++)
            {
                linked += trace.Gpu.Op[g] >= 0 ? 1 : 0;
            }

            Console.WriteLine($"rank {rank.Rank}: {trace.Census.Total:N0} events, {trace.Cpu.Count:N0} host, {trace.Gpu.Count:N0} device ({linked:N0} linked to ops), "
                + $"{rank.Steps.Count} steps");
            Console.WriteLine($"  window {o.WindowNs / 1e6:N1} ms: computation {Pct(o.ComputationNs)}, exposed communication {Pct(o.CommunicationNs)}, "
                + $"memcpy {Pct(o.MemcpyNs)}, memset {Pct(o.MemsetNs)}, idle {Pct(o.IdleNs)}; communication {o.CommunicationTotalNs / 1e6:N1} ms, "
                + $"{o.CommunicationOverlapPercent:N0}% overlapped with computation");
            string Pct(long ns) => $"{o.Share(ns) * 100:N1}%";
        }

        foreach (var d in analysis.Diagnostics)
        {
            Console.WriteLine($"  [{d.Code}] {d.Message}");
        }

        Console.WriteLine($"done in {clock.Elapsed.TotalSeconds:N1} s");
        return 0;
    }
}
