using Headroom.Model;

namespace Headroom.Ingest;

/// <summary>
/// The shared normaliser every reader feeds: it interns strings, appends events column by column,
/// and on <see cref="Build"/> sorts them, nests host events, links device activity to the runtime call
/// that launched it and to the innermost op around that call, and resolves collectives.
/// </summary>
internal sealed class RankTraceBuilder
{
    private readonly ColumnBuilder<long> _cStart = new(), _cDur = new(), _cCorr = new(), _cExt = new();
    private readonly ColumnBuilder<int> _cName = new(), _cCat = new(), _cThread = new(), _cArgs = new();
    private readonly ColumnBuilder<CpuEventKind> _cKind = new();

    private readonly ColumnBuilder<long> _gStart = new(), _gDur = new(), _gCorr = new(), _gExt = new();
    private readonly ColumnBuilder<int> _gName = new(), _gDevice = new(), _gStream = new(), _gCollective = new();
    private readonly ColumnBuilder<GpuEventKind> _gKind = new();

    private readonly Dictionary<(long Pid, long Tid), int> _threadIds = [];
    private readonly List<ThreadInfo> _threads = [];
    private readonly Dictionary<long, string> _processNames = [];
    private readonly Dictionary<(long Pid, long Tid), string> _threadNames = [];
    private readonly List<OpArgs> _opArgs = [];
    private readonly List<CollectiveInfo> _collectives = [];
    private readonly Dictionary<(byte Phase, int Category, EventDisposition Disposition), long> _census = [];

    public Utf8StringInterner Strings { get; } = new();

    public DiagnosticBag Diagnostics { get; } = new();

    public int CpuCount => _cStart.Count;

    public int GpuCount => _gStart.Count;

    public bool HasSubMicrosecondTimestamps { get; set; }

    public bool TimestampsWrittenAsFloats { get; set; }

    public int Thread(long pid, long tid, string? pidLabel, string? tidLabel)
    {
        if (!_threadIds.TryGetValue((pid, tid), out var id))
        {
            id = _threads.Count;
            _threadIds[(pid, tid)] = id;
            _threads.Add(new ThreadInfo(pid, tid, pidLabel, tidLabel, null, null));
        }

        return id;
    }

    public void NameProcess(long pid, string name) => _processNames[pid] = name;

    public void NameThread(long pid, long tid, string name) => _threadNames[(pid, tid)] = name;

    public void Count(byte phase, int category, EventDisposition disposition)
    {
        var key = (phase, category, disposition);
        _census[key] = _census.GetValueOrDefault(key) + 1;
    }

    public int AddOpArgs(OpArgs args)
    {
        _opArgs.Add(args);
        return _opArgs.Count - 1;
    }

    public int AddCollective(CollectiveInfo info)
    {
        _collectives.Add(info);
        return _collectives.Count - 1;
    }

    public void AddCpu(long start, long duration, int name, int category, CpuEventKind kind, int thread, long correlation, long externalId, int args)
    {
        _cStart.Add(start); _cDur.Add(duration); _cName.Add(name); _cCat.Add(category); _cKind.Add(kind);
        _cThread.Add(thread); _cCorr.Add(correlation); _cExt.Add(externalId); _cArgs.Add(args);
    }

    public void AddGpu(long start, long duration, int name, GpuEventKind kind, int device, int stream, long correlation, long externalId, int collective)
    {
        _gStart.Add(start); _gDur.Add(duration); _gName.Add(name); _gKind.Add(kind); _gDevice.Add(device);
        _gStream.Add(stream); _gCorr.Add(correlation); _gExt.Add(externalId); _gCollective.Add(collective);
    }

    /// <summary>Freezes the rank. <paramref name="timeOffsetNs"/> (e.g. baseTimeNanoseconds) is added to every timestamp.</summary>
    public RankTrace Build(int rank, RankSource rankSource, string sourcePath, TraceMetadata metadata, IReadOnlyList<DeviceInfo> devices,
        DistributedInfo? distributed, long timeOffsetNs, long bytesRead, bool truncated)
    {
        var cpu = BuildCpu(timeOffsetNs);
        var gpu = BuildGpu(cpu, timeOffsetNs);
        var threads = _threads.Select(t => t with
        {
            ProcessName = _processNames.GetValueOrDefault(t.Pid),
            ThreadName = _threadNames.GetValueOrDefault((t.Pid, t.Tid)),
        }).ToArray();
        var census = new EventCensus([.. _census
            .Select(kv => new CensusRow(kv.Key.Phase == 0 ? "" : ((char)kv.Key.Phase).ToString(), Strings[kv.Key.Category], kv.Key.Disposition, kv.Value))
            .OrderBy(r => r.Disposition).ThenByDescending(r => r.Count).ThenBy(r => r.Category, StringComparer.Ordinal)]);

        return new RankTrace(rank, rankSource, sourcePath, metadata, devices, distributed, new StringTable(Strings.ToArray()), threads,
            cpu, gpu, [.. _opArgs], [.. _collectives], census, HasSubMicrosecondTimestamps, TimestampsWrittenAsFloats, bytesRead, truncated);
    }

    private CpuEventTable BuildCpu(long offset)
    {
        var n = _cStart.Count;
        var order = new int[n];
        for (var i = 0; i < n; i++)
        {
            order[i] = i;
        }

        var thread = _cThread.AsSpan().ToArray();
        var start = _cStart.AsSpan().ToArray();
        var dur = _cDur.AsSpan().ToArray();
        Array.Sort(order, (a, b) =>
        {
            var c = thread[a].CompareTo(thread[b]);
            if (c != 0) return c;
            c = start[a].CompareTo(start[b]);
            if (c != 0) return c;
            c = dur[b].CompareTo(dur[a]);
            return c != 0 ? c : a.CompareTo(b);
        });

        var s = _cStart.ToArray(order);
        var d = _cDur.ToArray(order);
        var kind = _cKind.ToArray(order);
        var th = _cThread.ToArray(order);
        for (var i = 0; i < n; i++)
        {
            s[i] += offset;
        }

        // Innermost enclosing op per event, per thread: a stack of open ops.
        var parent = new int[n];
        var stack = new List<int>();
        var currentThread = -1;
        for (var i = 0; i < n; i++)
        {
            if (th[i] != currentThread)
            {
                stack.Clear();
                currentThread = th[i];
            }

            while (stack.Count > 0 && IsClosedBefore(s[stack[^1]] + d[stack[^1]], s[i], d[i]))
            {
                stack.RemoveAt(stack.Count - 1);
            }

            parent[i] = stack.Count > 0 ? stack[^1] : -1;
            if (kind[i] == CpuEventKind.Op)
            {
                stack.Add(i);
            }
        }

        return new CpuEventTable(s, d, _cName.ToArray(order), _cCat.ToArray(order), kind, th,
            _cCorr.ToArray(order), _cExt.ToArray(order), parent, _cArgs.ToArray(order));
    }

    private GpuEventTable BuildGpu(CpuEventTable cpu, long offset)
    {
        var n = _gStart.Count;
        var order = new int[n];
        for (var i = 0; i < n; i++)
        {
            order[i] = i;
        }

        var start = _gStart.AsSpan().ToArray();
        var dur = _gDur.AsSpan().ToArray();
        Array.Sort(order, (a, b) =>
        {
            var c = start[a].CompareTo(start[b]);
            if (c != 0) return c;
            c = dur[b].CompareTo(dur[a]);
            return c != 0 ? c : a.CompareTo(b);
        });

        var s = _gStart.ToArray(order);
        for (var i = 0; i < n; i++)
        {
            s[i] += offset;
        }

        var kind = _gKind.ToArray(order);
        var corr = _gCorr.ToArray(order);
        var collective = _gCollective.ToArray(order);

        // Runtime calls by correlation id (the first one wins; CUDA correlation ids are unique per process).
        var launchers = new Dictionary<long, int>(cpu.Count / 2);
        var cCorr = cpu.Correlation;
        var cKind = cpu.Kind;
        for (var i = 0; i < cpu.Count; i++)
        {
            if (cCorr[i] >= 0 && (cKind[i] == CpuEventKind.Runtime || cKind[i] == CpuEventKind.Driver))
            {
                launchers.TryAdd(cCorr[i], i);
            }
        }

        var launcher = new int[n];
        var op = new int[n];
        long withoutLaunch = 0;
        var parent = cpu.Parent;
        for (var i = 0; i < n; i++)
        {
            launcher[i] = -1;
            op[i] = -1;
            if (kind[i] > GpuEventKind.Memset)
            {
                continue;
            }

            if (corr[i] >= 0 && launchers.TryGetValue(corr[i], out var l))
            {
                launcher[i] = l;
                op[i] = parent[l];
                if (collective[i] < 0)
                {
                    collective[i] = FindCollective(cpu, op[i]);
                }
            }
            else
            {
                withoutLaunch++;
            }
        }

        if (withoutLaunch > 0)
        {
            Diagnostics.Report(DiagnosticCatalog.GpuEventWithoutLaunch,
                $"{withoutLaunch:N0} of {n:N0} device activities have no runtime launch in the trace", count: withoutLaunch);
        }

        return new GpuEventTable(s, _gDur.ToArray(order), _gName.ToArray(order), kind, _gDevice.ToArray(order), _gStream.ToArray(order),
            corr, _gExt.ToArray(order), launcher, op, collective);
    }

    // An op ending exactly where an event starts does not enclose it, unless the event is an instant at that edge.
    private static bool IsClosedBefore(long opEnd, long start, long duration) => opEnd < start || (opEnd == start && duration > 0);

    private int FindCollective(CpuEventTable cpu, int op)
    {
        var args = cpu.Args;
        var parent = cpu.Parent;
        for (var depth = 0; op >= 0 && depth < 256; depth++, op = parent[op])
        {
            if (args[op] >= 0 && _opArgs[args[op]].Collective >= 0)
            {
                return _opArgs[args[op]].Collective;
            }
        }

        return -1;
    }
}
