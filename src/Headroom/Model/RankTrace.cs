namespace Headroom.Model;

/// <summary>Everything read from one rank's trace: immutable once built.</summary>
public sealed class RankTrace
{
    internal RankTrace(int rank, RankSource rankSource, string sourcePath, TraceMetadata metadata, IReadOnlyList<DeviceInfo> devices,
        DistributedInfo? distributed, StringTable strings, IReadOnlyList<ThreadInfo> threads, CpuEventTable cpu, GpuEventTable gpu,
        IReadOnlyList<OpArgs> opArgs, IReadOnlyList<CollectiveInfo> collectives, EventCensus census, bool hasSubMicrosecondTimestamps,
        bool timestampsWrittenAsFloats, long bytesRead, bool truncated)
    {
        Rank = rank; RankSource = rankSource; SourcePath = sourcePath; Metadata = metadata; Devices = devices; Distributed = distributed;
        Strings = strings; Threads = threads; Cpu = cpu; Gpu = gpu; OpArgs = opArgs; Collectives = collectives; Census = census;
        HasSubMicrosecondTimestamps = hasSubMicrosecondTimestamps; TimestampsWrittenAsFloats = timestampsWrittenAsFloats; BytesRead = bytesRead; Truncated = truncated;
    }

    /// <summary>Rank id.</summary>
    public int Rank { get; }
    /// <summary>Where <see cref="Rank"/> came from.</summary>
    public RankSource RankSource { get; }
    /// <summary>Path of the trace file.</summary>
    public string SourcePath { get; }
    /// <summary>Top-level trace facts.</summary>
    public TraceMetadata Metadata { get; }
    /// <summary>Devices as the trace describes them (may be empty).</summary>
    public IReadOnlyList<DeviceInfo> Devices { get; }
    /// <summary>The <c>distributedInfo</c> block, when present.</summary>
    public DistributedInfo? Distributed { get; }
    /// <summary>Interned strings.</summary>
    public StringTable Strings { get; }
    /// <summary>Host threads and device streams seen.</summary>
    public IReadOnlyList<ThreadInfo> Threads { get; }
    /// <summary>Host-side events.</summary>
    public CpuEventTable Cpu { get; }
    /// <summary>Device-side events.</summary>
    public GpuEventTable Gpu { get; }
    /// <summary>Recorded op arguments, referenced from <see cref="CpuEventTable.Args"/>.</summary>
    public IReadOnlyList<OpArgs> OpArgs { get; }
    /// <summary>Collective parameters, referenced from <see cref="OpArgs.Collective"/> and <see cref="GpuEventTable.Collective"/>.</summary>
    public IReadOnlyList<CollectiveInfo> Collectives { get; }
    /// <summary>Where every event of the file went.</summary>
    public EventCensus Census { get; }
    /// <summary>True when some timestamp or duration had a fraction of a microsecond.</summary>
    public bool HasSubMicrosecondTimestamps { get; }
    /// <summary>True when some event's ts was written as a JSON float (e.g. <c>12.5</c> or <c>12.0</c>) or was missing: HTA's trigger for rounding to whole µs.</summary>
    public bool TimestampsWrittenAsFloats { get; }
    /// <summary>Bytes of trace text read (after decompression).</summary>
    public long BytesRead { get; }
    /// <summary>True when the file ended before the trace was complete (a profiler killed mid-write).</summary>
    public bool Truncated { get; }

    /// <summary>Compiler-reported costs of device activities, by index into <see cref="Gpu"/> (XPlane's XLA ops; empty for Kineto traces).</summary>
    public IReadOnlyDictionary<int, DeviceOpCost> DeviceOpCosts { get; init; } = new Dictionary<int, DeviceOpCost>();

    /// <summary>
    /// Device activities that continue an op execution begun by another activity, by index into <see cref="Gpu"/>: the
    /// index of that first activity, which holds the execution's <see cref="DeviceOpCosts"/> entry (an HLO op run as
    /// several kernels: the cost is charged once, to the time of all of them).
    /// </summary>
    public IReadOnlyDictionary<int, int> DeviceOpExecutions { get; init; } = new Dictionary<int, int>();

    /// <summary>The device activity that begins the op execution <paramref name="gpu"/> belongs to (itself unless it continues one, see <see cref="DeviceOpExecutions"/>).</summary>
    public int ExecutionStart(int gpu) => DeviceOpExecutions.Count > 0 && DeviceOpExecutions.TryGetValue(gpu, out var first) ? first : gpu;

    /// <summary>
    /// Step markers other than <c>ProfilerStep#N</c> annotations, ordered by start: an XSpace device's <c>Steps</c> line,
    /// or host step annotations with a step number (empty for Kineto traces). See <see cref="StepMarker"/>.
    /// </summary>
    public IReadOnlyList<StepMarker> StepMarkers { get; init; } = [];

    /// <summary>The same rank under another id (rank ids are settled once every file of a job has been read).</summary>
    internal RankTrace WithRank(int rank, RankSource rankSource) =>
        rank == Rank && rankSource == RankSource
            ? this
            : new RankTrace(rank, rankSource, SourcePath, Metadata, Devices, Distributed, Strings, Threads, Cpu, Gpu, OpArgs, Collectives, Census,
                HasSubMicrosecondTimestamps, TimestampsWrittenAsFloats, BytesRead, Truncated)
            { DeviceOpCosts = DeviceOpCosts, DeviceOpExecutions = DeviceOpExecutions, StepMarkers = StepMarkers };

    /// <summary>Name of the first device, as the trace gives it; empty when the trace names none.</summary>
    public string DeviceName => Devices.Count > 0 ? Devices[0].Name : "";

    /// <summary>Approximate bytes retained by this rank's model (columns, strings, args).</summary>
    public long RetainedBytes
    {
        get
        {
            long strings = 0;
            for (var i = 0; i < Strings.Count; i++)
            {
                strings += 24 + (2L * Strings[i].Length);
            }

            return Cpu.ColumnBytes + Gpu.ColumnBytes + strings + (OpArgs.Count * 20L);
        }
    }
}

/// <summary>A loaded job: one <see cref="RankTrace"/> per rank, sorted by rank, and the diagnostics of loading.</summary>
public sealed record TraceRun(IReadOnlyList<RankTrace> Ranks, IReadOnlyList<Diagnostic> Diagnostics);
