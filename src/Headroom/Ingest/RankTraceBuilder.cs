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
    private readonly ColumnBuilder<OpArgs> _opArgs = new();
    private readonly List<CollectiveInfo> _collectives = [];
    private readonly Dictionary<int, DeviceOpCost> _deviceCosts = [];
    private readonly Dictionary<int, int> _deviceOpExecutions = [];
    private readonly List<StepMarker> _stepMarkers = [];

    // Census: one counter per (category, phase, disposition), found without hashing: the category's dense slot,
    // then the (phase, disposition) pair's code. Every event is counted, so this is on the hot path.
    private const int Dispositions = 8;
    private int[] _censusSlotOfCategory = new int[64]; // category string id -> slot + 1 (0: none yet)
    private readonly short[] _censusCodeOf = new short[256 * Dispositions]; // (phase, disposition) -> code + 1
    private readonly List<(byte Phase, EventDisposition Disposition)> _censusCodes = [];
    private readonly List<int> _censusCategories = [];
    private readonly List<(int Slot, int Code)> _censusOrder = []; // first-seen order, the order rows tie in
    private long[] _censusCounts = new long[16 * 16];
    private int _censusWidth = 16;

    // Most consecutive events are on the same thread.
    private long _lastPid = long.MinValue, _lastTid = long.MinValue;
    private int _lastThread = -1;

    public Utf8StringInterner Strings { get; } = new();

    public DiagnosticBag Diagnostics { get; } = new();

    public int CpuCount => _cStart.Count;

    public int GpuCount => _gStart.Count;

    public bool HasSubMicrosecondTimestamps { get; set; }

    public bool TimestampsWrittenAsFloats { get; set; }

    public int Thread(long pid, long tid, string? pidLabel, string? tidLabel)
    {
        if (pid == _lastPid && tid == _lastTid)
        {
            return _lastThread;
        }

        if (!_threadIds.TryGetValue((pid, tid), out var id))
        {
            id = _threads.Count;
            _threadIds[(pid, tid)] = id;
            _threads.Add(new ThreadInfo(pid, tid, pidLabel, tidLabel, null, null));
        }

        (_lastPid, _lastTid, _lastThread) = (pid, tid, id);
        return id;
    }

    public void NameProcess(long pid, string name) => _processNames[pid] = name;

    public void NameThread(long pid, long tid, string name) => _threadNames[(pid, tid)] = name;

    public void Count(byte phase, int category, EventDisposition disposition)
    {
        var slots = _censusSlotOfCategory;
        var slot = (uint)category < (uint)slots.Length ? slots[category] - 1 : -1;
        var code = _censusCodeOf[(phase * Dispositions) + (int)disposition] - 1;
        if (slot < 0 || code < 0)
        {
            (slot, code) = CensusSlow(phase, category, disposition);
        }

        if (++_censusCounts[(slot * _censusWidth) + code] == 1)
        {
            _censusOrder.Add((slot, code));
        }
    }

    private (int Slot, int Code) CensusSlow(byte phase, int category, EventDisposition disposition)
    {
        if (category >= _censusSlotOfCategory.Length)
        {
            Array.Resize(ref _censusSlotOfCategory, Math.Max(category + 1, _censusSlotOfCategory.Length * 2));
        }

        var slot = _censusSlotOfCategory[category] - 1;
        if (slot < 0)
        {
            slot = _censusCategories.Count;
            _censusCategories.Add(category);
            _censusSlotOfCategory[category] = slot + 1;
        }

        var key = (phase * Dispositions) + (int)disposition;
        var code = _censusCodeOf[key] - 1;
        if (code < 0)
        {
            code = _censusCodes.Count;
            _censusCodes.Add((phase, disposition));
            _censusCodeOf[key] = (short)(code + 1);
        }

        // Grow the table: rows are category slots, columns are codes.
        var width = _censusWidth;
        while (code >= width)
        {
            width *= 2;
        }

        var rows = Math.Max(_censusCounts.Length / _censusWidth, 1);
        while (slot >= rows)
        {
            rows *= 2;
        }

        if (width != _censusWidth || rows * width > _censusCounts.Length)
        {
            var counts = new long[rows * width];
            for (var r = 0; r < _censusCounts.Length / _censusWidth; r++)
            {
                Array.Copy(_censusCounts, r * _censusWidth, counts, r * width, _censusWidth);
            }

            (_censusCounts, _censusWidth) = (counts, width);
        }

        return (slot, code);
    }

    private IEnumerable<(byte Phase, int Category, EventDisposition Disposition, long Count)> CensusEntries()
    {
        foreach (var (slot, code) in _censusOrder)
        {
            yield return (_censusCodes[code].Phase, _censusCategories[slot], _censusCodes[code].Disposition, _censusCounts[(slot * _censusWidth) + code]);
        }
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

    /// <summary>Attaches a compiler-reported cost to the device event added last.</summary>
    public void CostLastGpu(DeviceOpCost cost) => _deviceCosts[_gStart.Count - 1] = cost;

    /// <summary>Index of the device event added last (-1 when none).</summary>
    public int LastGpu => _gStart.Count - 1;

    /// <summary>Marks the device event added last as a further kernel of the op execution whose cost is on device event <paramref name="first"/>.</summary>
    public void ContinueLastGpu(int first) => ContinueGpu(_gStart.Count - 1, first);

    /// <summary>Attaches a cost to device event <paramref name="gpu"/> (an index as <see cref="LastGpu"/> gave it).</summary>
    public void CostGpu(int gpu, DeviceOpCost cost) => _deviceCosts[gpu] = cost;

    /// <summary>Marks device event <paramref name="gpu"/> as a further kernel of the op execution whose cost is on device event <paramref name="first"/>.</summary>
    public void ContinueGpu(int gpu, int first) => _deviceOpExecutions[gpu] = first;

    /// <summary>Records a step marker (a device <c>Steps</c> line's event, or a host step annotation with a number).</summary>
    public void AddStepMarker(StepMarker marker) => _stepMarkers.Add(marker);

    public void AddGpu(long start, long duration, int name, GpuEventKind kind, int device, int stream, long correlation, long externalId, int collective)
    {
        _gStart.Add(start); _gDur.Add(duration); _gName.Add(name); _gKind.Add(kind); _gDevice.Add(device);
        _gStream.Add(stream); _gCorr.Add(correlation); _gExt.Add(externalId); _gCollective.Add(collective);
    }

    /// <summary>
    /// Freezes the rank. <paramref name="timeOffsetNs"/> (e.g. baseTimeNanoseconds) is added to every timestamp.
    /// The builder's columns are released as they are turned into the rank's arrays: build once.
    /// </summary>
    public RankTrace Build(int rank, RankSource rankSource, string sourcePath, TraceMetadata metadata, IReadOnlyList<DeviceInfo> devices,
        DistributedInfo? distributed, long timeOffsetNs, long bytesRead, bool truncated)
    {
        var opArgs = _opArgs.ToArray();
        _opArgs.Release();
        var cpu = BuildCpu(timeOffsetNs);
        var gpu = BuildGpu(cpu, opArgs, timeOffsetNs, out var gpuOrder);
        var deviceCosts = new Dictionary<int, DeviceOpCost>(_deviceCosts.Count);
        if (_deviceCosts.Count > 0)
        {
            for (var i = 0; i < gpuOrder.Length; i++)
            {
                if (_deviceCosts.TryGetValue(gpuOrder[i], out var cost))
                {
                    deviceCosts[i] = cost;
                }
            }
        }

        var executions = new Dictionary<int, int>(_deviceOpExecutions.Count);
        if (_deviceOpExecutions.Count > 0)
        {
            var position = new int[gpuOrder.Length];
            for (var i = 0; i < gpuOrder.Length; i++)
            {
                position[gpuOrder[i]] = i;
            }

            foreach (var (later, first) in _deviceOpExecutions)
            {
                executions[position[later]] = position[first];
            }
        }

        var threads = _threads.Select(t => t with
        {
            ProcessName = _processNames.GetValueOrDefault(t.Pid),
            ThreadName = _threadNames.GetValueOrDefault((t.Pid, t.Tid)),
        }).ToArray();
        var census = new EventCensus([.. CensusEntries()
            .Select(c => new CensusRow(c.Phase == 0 ? "" : ((char)c.Phase).ToString(), Strings[c.Category], c.Disposition, c.Count))
            .OrderBy(r => r.Disposition).ThenByDescending(r => r.Count).ThenBy(r => r.Category, StringComparer.Ordinal)]);

        return new RankTrace(rank, rankSource, sourcePath, metadata, devices, distributed, new StringTable(Strings.ToArray()), threads,
            cpu, gpu, opArgs, [.. _collectives], census, HasSubMicrosecondTimestamps, TimestampsWrittenAsFloats, bytesRead, truncated)
        {
            DeviceOpCosts = deviceCosts,
            DeviceOpExecutions = executions,
            StepMarkers = [.. _stepMarkers.Select(m => m with { StartNs = m.StartNs + timeOffsetNs }).OrderBy(m => m.StartNs).ThenBy(m => m.Number)],
        };
    }

    private CpuEventTable BuildCpu(long offset)
    {
        var n = _cStart.Count;
        var order = CpuOrder();

        var s = Take(_cStart, order);
        var d = Take(_cDur, order);
        var kind = Take(_cKind, order);
        var th = Take(_cThread, order);
        for (var i = 0; i < n; i++)
        {
            s[i] += offset;
        }

        // Innermost enclosing op per event, per thread: a stack of open ops.
        var parent = GC.AllocateUninitializedArray<int>(n);
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

        return new CpuEventTable(s, d, Take(_cName, order), Take(_cCat, order), kind, th,
            Take(_cCorr, order), Take(_cExt, order), parent, Take(_cArgs, order));
    }

    private GpuEventTable BuildGpu(CpuEventTable cpu, OpArgs[] opArgs, long offset, out int[] order)
    {
        var n = _gStart.Count;
        order = GC.AllocateUninitializedArray<int>(n);
        for (var i = 0; i < n; i++)
        {
            order[i] = i;
        }

        SortByStartLongestFirst(order, 0, n, _gStart, _gDur);
        var s = Take(_gStart, order);
        for (var i = 0; i < n; i++)
        {
            s[i] += offset;
        }

        var kind = Take(_gKind, order);
        var corr = Take(_gCorr, order);
        var collective = Take(_gCollective, order);

        // Runtime calls by correlation id (the first one wins; CUDA correlation ids are unique per process).
        var cCorr = cpu.Correlation;
        var cKind = cpu.Kind;
        var runtimeCalls = 0;
        for (var i = 0; i < cpu.Count; i++)
        {
            if (cCorr[i] >= 0 && (cKind[i] == CpuEventKind.Runtime || cKind[i] == CpuEventKind.Driver))
            {
                runtimeCalls++;
            }
        }

        var launchers = new Dictionary<long, int>(runtimeCalls);
        for (var i = 0; i < cpu.Count; i++)
        {
            if (cCorr[i] >= 0 && (cKind[i] == CpuEventKind.Runtime || cKind[i] == CpuEventKind.Driver))
            {
                launchers.TryAdd(cCorr[i], i);
            }
        }

        var launcher = GC.AllocateUninitializedArray<int>(n);
        var op = GC.AllocateUninitializedArray<int>(n);
        long withoutLaunch = 0;
        var parent = cpu.Parent;
        var (lastLauncher, lastCollective) = (-1, -1); // one launch can start many activities (a graph, a TPU program run)
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
                    if (l != lastLauncher)
                    {
                        (lastLauncher, lastCollective) = (l, FindCollective(cpu, opArgs, op[i]));
                    }

                    collective[i] = lastCollective;
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

        return new GpuEventTable(s, Take(_gDur, order), Take(_gName, order), kind, Take(_gDevice, order), Take(_gStream, order),
            corr, Take(_gExt, order), launcher, op, collective);
    }

    /// <summary>The column permuted by <paramref name="order"/>; the builder's copy is released at once, so that only one column is ever held twice.</summary>
    private static T[] Take<T>(ColumnBuilder<T> column, int[] order)
    {
        var result = column.ToArray(order);
        column.Release();
        return result;
    }

    /// <summary>
    /// Host events by thread, then start, then longest first, then arrival (the order <see cref="CpuEventTable"/> promises):
    /// a stable counting sort by thread, then each thread's events by time, which profilers mostly write in order already.
    /// </summary>
    private int[] CpuOrder()
    {
        var n = _cStart.Count;
        var threads = _threads.Count;
        var offsets = new int[threads + 1];
        for (var i = 0; i < n; i++)
        {
            offsets[_cThread[i] + 1]++;
        }

        for (var t = 0; t < threads; t++)
        {
            offsets[t + 1] += offsets[t];
        }

        var next = offsets[..threads];
        var order = GC.AllocateUninitializedArray<int>(n);
        for (var i = 0; i < n; i++)
        {
            order[next[_cThread[i]]++] = i;
        }

        for (var t = 0; t < threads; t++)
        {
            SortByStartLongestFirst(order, offsets[t], offsets[t + 1], _cStart, _cDur);
        }

        return order;
    }

    /// <summary>
    /// Sorts <c>order[lo..hi)</c> (indices in ascending order on entry) by start, then longest first, then index. Profilers
    /// write most events in order, with a few written late (e.g. an enclosing annotation recorded when it ends): one pass
    /// keeps the in-order events, the displaced ones are sorted apart and merged back, so a nearly sorted thread costs
    /// a few comparisons per event. When many are displaced, everything is sorted by start key.
    /// </summary>
    private static void SortByStartLongestFirst(int[] order, int lo, int hi, ColumnBuilder<long> start, ColumnBuilder<long> duration)
    {
        var kept = lo;
        var displaced = new List<int>();
        for (var i = lo; i < hi; i++)
        {
            var x = order[i];
            if (kept == lo || !Before(start[x], duration[x], x, order[kept - 1], start, duration))
            {
                order[kept++] = x;
            }
            else
            {
                displaced.Add(x);
            }
        }

        if (displaced.Count == 0)
        {
            return;
        }

        if (displaced.Count > ((hi - lo) >> 3) + 64)
        {
            displaced.CopyTo(order, kept);
            SortByKey(order, lo, hi, start, duration);
            return;
        }

        var late = displaced.ToArray();
        SortByKey(late, 0, late.Length, start, duration);

        // Merge from the back: the larger of the two tails goes last.
        var a = kept - 1;
        var k = hi - 1;
        for (var b = late.Length - 1; b >= 0; k--)
        {
            var y = late[b];
            if (a >= lo && Before(start[y], duration[y], y, order[a], start, duration))
            {
                order[k] = order[a--];
            }
            else
            {
                order[k] = y;
                b--;
            }
        }
    }

    private static bool Before(long xs, long xd, int x, int y, ColumnBuilder<long> start, ColumnBuilder<long> duration)
    {
        var ys = start[y];
        if (xs != ys)
        {
            return xs < ys;
        }

        var yd = duration[y];
        return xd != yd ? xd > yd : x < y;
    }

    private static void SortByKey(int[] order, int lo, int hi, ColumnBuilder<long> start, ColumnBuilder<long> duration)
    {
        var items = order.AsSpan(lo, hi - lo);
        var keys = GC.AllocateUninitializedArray<long>(items.Length);
        for (var k = 0; k < items.Length; k++)
        {
            keys[k] = start[items[k]];
        }

        keys.AsSpan().Sort(items);
        Comparison<int> longestFirst = (a, b) =>
        {
            var c = duration[b].CompareTo(duration[a]);
            return c != 0 ? c : a.CompareTo(b);
        };
        for (var a = 0; a < items.Length;)
        {
            var b = a + 1;
            while (b < items.Length && keys[b] == keys[a])
            {
                b++;
            }

            if (b - a > 1)
            {
                items[a..b].Sort(longestFirst);
            }

            a = b;
        }
    }

    // An op ending exactly where an event starts does not enclose it, unless the event is an instant at that edge.
    private static bool IsClosedBefore(long opEnd, long start, long duration) => opEnd < start || (opEnd == start && duration > 0);

    private static int FindCollective(CpuEventTable cpu, OpArgs[] opArgs, int op)
    {
        var args = cpu.Args;
        var parent = cpu.Parent;
        for (var depth = 0; op >= 0 && depth < 256; depth++, op = parent[op])
        {
            if (args[op] >= 0 && opArgs[args[op]].Collective >= 0)
            {
                return opArgs[args[op]].Collective;
            }
        }

        return -1;
    }
}
