using Headroom.Model;

namespace Headroom.Analysis.Distributed;

/// <summary>Host-side rows as HTA joins them to device rows: by correlation id, with HTA's rounded times.</summary>
internal static class HostCalls
{
    /// <summary>
    /// The host events with a correlation id that HTA puts on the CPU side of its joins: every host event that does not
    /// record a <c>stream</c> argument (those HTA counts as GPU work), in table order (thread, then start).
    /// HTA keys by file order, which the model does not keep; the two differ only when several host calls share a
    /// correlation id, which CUDA, HIP and MTIA runtimes never write.
    /// </summary>
    public static Dictionary<long, List<int>> ByCorrelation(RankTrace trace)
    {
        var cpu = trace.Cpu;
        var byCorrelation = new Dictionary<long, List<int>>();
        for (var i = 0; i < cpu.Count; i++)
        {
            var correlation = cpu.Correlation[i];
            if (correlation < 0 || (cpu.Args[i] >= 0 && trace.OpArgs[cpu.Args[i]].Stream != -1))
            {
                continue;
            }

            if (!byCorrelation.TryGetValue(correlation, out var list))
            {
                list = new List<int>(1);
                byCorrelation[correlation] = list;
            }

            list.Add(i);
        }

        return byCorrelation;
    }

    /// <summary>Start and end of host event <paramref name="i"/>, rounded as HTA rounds when <paramref name="round"/>.</summary>
    public static (long Start, long End) Span(RankTrace trace, int i, bool round) =>
        round ? HtaCompatibility.Round(trace.Cpu.Start[i], trace.Cpu.Duration[i], trace.Metadata.BaseTimeNanoseconds) : (trace.Cpu.Start[i], trace.Cpu.End(i));
}
