using Headroom.Analysis.Kernels;
using Headroom.Model;

namespace Headroom.Analysis.Distributed;

/// <summary>
/// One collective kernel as a rank ran it: what it was, how big, and when, on the rank's own clock.
/// </summary>
/// <param name="ProcessGroup">Process group name (record_param_comms "Process Group Name"); "" when the trace does not say.</param>
/// <param name="Name">Canonical collective name (<see cref="CollectiveNames"/>): from the collective's recorded arguments, else
/// the host op around the launch (<c>nccl:all_to_all</c>, <c>c10d::allreduce_</c>), else the kernel name
/// (<c>ncclKernel_AllReduce_...</c> is <c>all_reduce</c>, <c>ncclDevKernel_SendRecv</c> is <c>send_recv</c>), else the
/// recorded name in lower case, else <see cref="CollectiveNames.Unknown"/>.</param>
/// <param name="SequenceNumber">The recorded per-group sequence number ("Seq") when <paramref name="SequenceRecorded"/>;
/// otherwise the kernel's position (0, 1, ...) among the collectives of its process group on this rank, by device start.</param>
/// <param name="SequenceRecorded">True when the trace recorded the sequence number.</param>
/// <param name="Step">Number N of the ProfilerStep#N whose host span contains the launch; -1 when none does.</param>
/// <param name="MessageBytes">Bytes: max(In, Out msg nelems) × dtype size from the recorded arguments, else the largest
/// tensor argument of the collective host ops around the launch (record_shapes); -1 when unknown.</param>
/// <param name="GroupSize">Ranks in the group ("Group size"); -1 when not recorded.</param>
/// <param name="StartNs">Device start, ns, rank clock.</param>
/// <param name="EndNs">Device end, ns, rank clock.</param>
/// <param name="HostStartNs">Host start of the op that launched it (the innermost CPU op around the launch, else the runtime
/// launch call), ns, rank clock; null when the trace holds no launch.</param>
public readonly record struct CollectiveKernel(string ProcessGroup, string Name, long SequenceNumber, bool SequenceRecorded, long Step,
    long MessageBytes, int GroupSize, long StartNs, long EndNs, long? HostStartNs)
{
    /// <summary>Device duration, ns.</summary>
    public long DurationNs => EndNs - StartNs;
}

/// <summary>A step's device window on one rank (see docs/analyses.md: windows tile the timeline), rank clock.</summary>
/// <param name="Number">N of ProfilerStep#N.</param>
/// <param name="StartNs">Window start, ns.</param>
/// <param name="EndNs">Window end, ns.</param>
public readonly record struct StepWindow(long Number, long StartNs, long EndNs)
{
    /// <summary>Window length, ns.</summary>
    public long LengthNs => EndNs - StartNs;
}

/// <summary>
/// The small per-rank summary that the cross-rank analyses read instead of a whole <see cref="RankTrace"/>: the rank's
/// collective kernels in device order and its step windows. A job of thousands of ranks can be loaded rank by rank,
/// summarised, and the traces dropped; the summary is about 80 bytes per collective kernel and 24 per step.
/// </summary>
/// <param name="Rank">Rank id.</param>
/// <param name="WorldSize">World size from <c>distributedInfo</c>; -1 when the trace does not say.</param>
/// <param name="Collectives">Collective kernels, ordered by device start.</param>
/// <param name="Steps">Step device windows, ordered by start (steps that launched nothing are left out).</param>
/// <param name="SourcePath">The trace file, for diagnostics.</param>
public sealed record RankCollectives(int Rank, int WorldSize, IReadOnlyList<CollectiveKernel> Collectives, IReadOnlyList<StepWindow> Steps,
    string SourcePath = "")
{
    private const int MaxOpDepth = 6;
    private const int MaxAnnotationScan = 256;

    /// <summary>Summarises <paramref name="trace"/> under Headroom's own conventions.</summary>
    public static RankCollectives From(RankTrace trace) =>
        From(RankActivities.Select(trace, htaCompatible: false, jobHasSeveralSteps: false, new DiagnosticBag()));

    /// <summary>
    /// Summarises the activities an analysis already selected: the kernels among them of category
    /// <see cref="KernelCategory.Communication"/> (NCCL, RCCL, MSCCL, ... names), with their times as selected, and the
    /// selection's steps.
    /// </summary>
    public static RankCollectives From(RankActivities activities)
    {
        ArgumentNullException.ThrowIfNull(activities);
        var trace = activities.Trace;
        var gpu = trace.Gpu;
        var cpu = trace.Cpu;
        var steps = activities.Steps;
        var stepStarts = steps.Select(s => s.StartNs).ToArray();

        var kernelNames = new Dictionary<int, string?>();
        var opNames = new Dictionary<int, string?>();
        var opBytesCache = new Dictionary<(int Dims, int Types), long>();
        var groupOrder = new Dictionary<string, long>(StringComparer.Ordinal);
        var kernels = new List<CollectiveKernel>();
        var start = activities.Start;
        var end = activities.End;
        for (var i = 0; i < activities.Count; i++)
        {
            // Communication kernels only: a copy kernel launched inside record_param_comms inherits its arguments but does
            // not end with the other ranks.
            var g = activities.Event[i];
            if (g < 0 || gpu.Kind[g] != GpuEventKind.Kernel || activities.Category[i] != KernelCategory.Communication)
            {
                continue;
            }

            var info = gpu.Collective[g] >= 0 ? trace.Collectives[gpu.Collective[g]] : null;
            var name = info is null ? null : CollectiveNames.Normalize(info.Name);
            var bytes = info is null ? -1 : CollectiveDataTypes.Bytes(Math.Max(info.InMessageElements, info.OutMessageElements), info.DataType);
            if (name is null || bytes < 0)
            {
                var (opName, opBytes) = FromOps(trace, gpu.Launcher[g], gpu.Op[g], opNames, opBytesCache);
                name ??= opName;
                bytes = bytes < 0 ? opBytes : bytes;
            }

            if (name is null)
            {
                if (!kernelNames.TryGetValue(gpu.Name[g], out var kernelName))
                {
                    kernelName = CollectiveNames.FromKernelName(trace.Strings[gpu.Name[g]]);
                    kernelNames[gpu.Name[g]] = kernelName;
                }

                name = kernelName ?? (string.IsNullOrEmpty(info?.Name) ? CollectiveNames.Unknown : info.Name.ToLowerInvariant());
            }

            var group = info?.ProcessGroupName ?? "";
            var order = groupOrder.GetValueOrDefault(group);
            groupOrder[group] = order + 1;
            var recorded = info is not null && info.SequenceNumber >= 0;
            var launcher = gpu.Launcher[g];
            long? host = gpu.Op[g] >= 0 ? cpu.Start[gpu.Op[g]] : launcher >= 0 ? cpu.Start[launcher] : null;
            var step = launcher >= 0 ? StepOf(steps, stepStarts, cpu.Start[launcher]) : -1;
            kernels.Add(new CollectiveKernel(group, name, recorded ? info!.SequenceNumber : order, recorded, step, bytes,
                info is not null && info.GroupSize > 0 ? info.GroupSize : -1, start[i], end[i], host));
        }

        var windows = steps.Where(s => s.WindowStartNs is not null)
            .Select(s => new StepWindow(s.Number, s.WindowStartNs!.Value, s.WindowEndNs!.Value)).ToArray();
        return new RankCollectives(trace.Rank, trace.Distributed?.WorldSize ?? -1, kernels.ToArray(), windows, trace.SourcePath);
    }

    /// <summary>
    /// Reads the host events PyTorch wraps a collective launch in, innermost first: first the annotations between the
    /// innermost op and the launch on the same thread (older PyTorch records <c>nccl:all_to_all</c> as a user annotation
    /// there), then the ops outwards (<c>record_param_comms</c>, <c>c10d::alltoall_base_</c>, ...), stopping at the first op
    /// that is not a collective. Gives the first name that is a known collective and the first message size the recorded
    /// shapes give (<see cref="CollectiveDataTypes.LargestTensorBytes"/>).
    /// </summary>
    private static (string? Name, long Bytes) FromOps(RankTrace trace, int launcher, int op, Dictionary<int, string?> names,
        Dictionary<(int, int), long> bytesCache)
    {
        var cpu = trace.Cpu;
        string? name = null;
        long bytes = -1;
        if (launcher >= 0)
        {
            var launch = cpu.Start[launcher];
            var thread = cpu.Thread[launcher];
            var stop = Math.Max(op, launcher - MaxAnnotationScan);
            for (var j = launcher - 1; j > stop && cpu.Thread[j] == thread && (name is null || bytes < 0); j--)
            {
                if (cpu.Kind[j] is CpuEventKind.Runtime or CpuEventKind.Driver or CpuEventKind.Op || cpu.End(j) <= launch
                    || CollectiveOf(trace, j, names) is not { } annotation)
                {
                    continue;
                }

                name ??= annotation;
                if (bytes < 0)
                {
                    bytes = BytesOf(trace, j, bytesCache);
                }
            }
        }

        for (var depth = 0; op >= 0 && depth < MaxOpDepth && (name is null || bytes < 0); depth++, op = cpu.Parent[op])
        {
            var isRecord = trace.Strings[cpu.Name[op]] == "record_param_comms";
            var canonical = CollectiveOf(trace, op, names);
            if (canonical is null && !isRecord)
            {
                break;
            }

            name ??= canonical;
            if (bytes < 0)
            {
                bytes = BytesOf(trace, op, bytesCache);
            }
        }

        return (name, bytes);
    }

    private static string? CollectiveOf(RankTrace trace, int cpuEvent, Dictionary<int, string?> names)
    {
        var id = trace.Cpu.Name[cpuEvent];
        if (!names.TryGetValue(id, out var canonical))
        {
            canonical = CollectiveNames.FromOpName(trace.Strings[id]);
            names[id] = canonical;
        }

        return canonical;
    }

    private static long BytesOf(RankTrace trace, int cpuEvent, Dictionary<(int, int), long> cache)
    {
        var a = trace.Cpu.Args[cpuEvent];
        if (a < 0)
        {
            return -1;
        }

        var args = trace.OpArgs[a];
        var key = (args.InputDims, args.InputTypes);
        if (!cache.TryGetValue(key, out var bytes))
        {
            bytes = CollectiveDataTypes.LargestTensorBytes(trace.Strings[args.InputDims], trace.Strings[args.InputTypes]);
            cache[key] = bytes;
        }

        return bytes;
    }

    private static long StepOf(IReadOnlyList<Step> steps, long[] starts, long time)
    {
        var idx = Array.BinarySearch(starts, time);
        if (idx < 0)
        {
            idx = ~idx - 1;
        }

        for (var k = idx; k >= 0 && k > idx - 4; k--)
        {
            if (time >= steps[k].StartNs && time < steps[k].StartNs + steps[k].DurationNs)
            {
                return steps[k].Number;
            }
        }

        return -1;
    }
}
