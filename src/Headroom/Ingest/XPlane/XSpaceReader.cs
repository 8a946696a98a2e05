using System.Globalization;
using System.Text;
using Headroom.Ingest.ChromeTrace;
using Headroom.Model;

namespace Headroom.Ingest.XPlane;

/// <summary>
/// Reads an XSpace protobuf (<c>*.xplane.pb</c>, the JAX / TensorFlow profiler's format) into the shared model with a
/// span-based wire reader: no generated classes, no message graph. The mapping (docs/model.md, "XPlane"):
/// <list type="bullet">
/// <item><c>/device:GPU:N</c> planes: each <c>Stream #S(...)</c> line's events are device activities on device N,
/// stream S (copies and sets by name), linked to their launch by the <c>correlation_id</c> stat. The planes' derived
/// lines (XLA Modules, XLA Ops, Launch Stats, ...) summarise those kernels: counted, not analysed twice.</item>
/// <item><c>/device:TPU:N</c> planes: the <c>XLA Ops</c> line's events are the device activities (a TPU has no kernel
/// streams); XLA Modules, Async XLA Ops and XLA TraceMe are annotations.</item>
/// <item><c>/device:TPU:N SparseCore M</c> planes: the <c>Sparse Core Ops</c> line's events are device activities of chip
/// N on their own stream, beside its TensorCore's.</item>
/// <item>A device's <c>Steps</c> line gives its steps (<see cref="StepMarker"/>); so does a host event with a
/// <c>step_num</c> stat (JAX's StepTraceAnnotation).</item>
/// <item><c>/host:CPU</c>: each line is a host thread; <c>hip*</c>/<c>cu*</c> calls with a correlation id are runtime
/// calls, <c>$</c>-prefixed events Python frames, the rest host annotations.</item>
/// <item>Device properties come from the device planes' stats (core count, memory, compute capability, vendor).</item>
/// </list>
/// Time: a line's <c>timestamp_ns</c> plus the event's <c>offset_ps</c>, in ns; start and end each truncated to the ns.
/// </summary>
internal static class XSpaceReader
{
    private const byte Phase = (byte)'X';

    /// <summary>The TPU runtime's host call that enqueues a compiled program on a chip: the launch of its XLA ops.</summary>
    private const string EnqueueProgram = "DoEnqueueProgram";

    /// <summary>Stream of a GPU plane's <c>Steps</c> line (its kernel streams keep their own numbers).</summary>
    private const int StepStream = 1_000_000;

    /// <summary>Stream of SparseCore M's ops: this plus M (its modules: plus 1,000 more); the TensorCore's ops are stream 0.</summary>
    private const int SparseCoreStream = 100;

    /// <summary>
    /// Reads the XSpace of <paramref name="source"/> as one rank per device plane with device activity, each with the host planes (a JAX
    /// process driving 8 GPUs is 8 ranks, like 8 PyTorch processes); a host whose devices did nothing, or one active
    /// device, is one rank.
    /// </summary>
    public static IReadOnlyList<ChromeTraceContent> ReadPerDevice(XSpaceSource source, string path)
    {
        var active = ActiveDevices(source);
        if (active.Count <= 1)
        {
            return [Read(source, path)];
        }

        // The host planes in full go with the first device's rank; the others keep only the runtime calls that launch
        // their kernels (the rest of the host is counted there as Derived), so memory does not grow with the devices.
        // The HLO modules are read once for all the ranks; a malformed one is reported by the first.
        var moduleDiagnostics = new DiagnosticBag();
        var modules = ReadModules(source, moduleDiagnostics, path);
        var contents = new List<ChromeTraceContent>(active.Count);
        foreach (var device in active)
        {
            contents.Add(Read(source, path, device, fullHost: contents.Count == 0, modules));
        }

        contents[0].Builder.Diagnostics.AddRange(moduleDiagnostics.ToList());
        return contents;
    }

    /// <summary>Device indices (in plane order) whose planes hold device activity: GPU stream kernels or TPU XLA ops.</summary>
    private static List<int> ActiveDevices(XSpaceSource source)
    {
        var active = new List<int>();
        source.Read((field, value) =>
        {
            if (field != 1)
            {
                return;
            }

            var plane = new ProtoReader(value);
            var name = "";
            var busy = false;
            while (plane.TryReadTag(out var f, out var w))
            {
                if (f == 2 && w == WireType.LengthDelimited)
                {
                    name = Encoding.UTF8.GetString(plane.ReadBytes());
                }
                else if (f == 3 && w == WireType.LengthDelimited)
                {
                    busy |= LineHasActivity(plane.ReadBytes());
                }
                else
                {
                    plane.Skip(w);
                }
            }

            if (busy && PlaneKind(name, out var index, out _) is PlaneType.Gpu or PlaneType.Tpu or PlaneType.SparseCore && !active.Contains(index))
            {
                active.Add(index);
            }
        });

        return active;
    }

    private static bool LineHasActivity(ReadOnlySpan<byte> line)
    {
        var name = "";
        var events = false;
        var r = new ProtoReader(line);
        while (r.TryReadTag(out var field, out var wire))
        {
            if (field == 2 && wire == WireType.LengthDelimited)
            {
                name = Encoding.UTF8.GetString(r.ReadBytes());
            }
            else
            {
                events |= field == 4;
                r.Skip(wire);
            }
        }

        return events && (name.StartsWith("Stream #", StringComparison.Ordinal) || name is "XLA Ops" or "Sparse Core Ops");
    }

    /// <summary>
    /// Reads the XSpace of <paramref name="source"/> (from <paramref name="path"/>) as one rank: every device plane, or
    /// only device <paramref name="onlyDevice"/> (the host planes always). Two passes: the HLO modules of the metadata
    /// plane first (GPU kernels are costed from them), then every plane; one plane in memory at a time.
    /// <paramref name="fullHost"/> false keeps only the host's runtime calls (the other ranks of a multi-device file).
    /// </summary>
    public static ChromeTraceContent Read(XSpaceSource source, string path, int? onlyDevice = null, bool fullHost = true)
    {
        ArgumentNullException.ThrowIfNull(source);
        var diagnostics = new DiagnosticBag();
        var content = Read(source, path, onlyDevice, fullHost, ReadModules(source, diagnostics, path));
        content.Builder.Diagnostics.AddRange(diagnostics.ToList());
        return content;
    }

    /// <summary>The HLO modules of the metadata plane (one pass over the source); a malformed one goes to <paramref name="diagnostics"/>.</summary>
    private static HloModules? ReadModules(XSpaceSource source, DiagnosticBag diagnostics, string path)
    {
        HloModules? modules = null;
        source.Read((field, value) =>
        {
            if (field == 1)
            {
                modules = HloModules.Accumulate(modules, value, diagnostics, path);
            }
        });

        return modules;
    }

    private static ChromeTraceContent Read(XSpaceSource source, string path, int? onlyDevice, bool fullHost, HloModules? modules)
    {
        var builder = new RankTraceBuilder { HasSubMicrosecondTimestamps = true };
        var executions = modules is null ? null : new HloExecutions(modules);
        var devices = new List<DeviceInfo>();
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        var hostnames = new List<string>();

        long events = 0;
        var planes = 0;
        var named = false;
        source.Read((field, value) =>
        {
            if (field == 1)
            {
                planes++;
                events += ReadPlane(value, builder, devices, properties, onlyDevice, fullHost, modules, executions, out var name);
                named |= name.StartsWith('/');
            }
            else if (field is 2 or 3 or 4)
            {
                var text = Encoding.UTF8.GetString(value);
                if (field == 4)
                {
                    hostnames.Add(text);
                }
                else
                {
                    builder.Diagnostics.Report(DiagnosticCatalog.XSpaceMessage, $"the profiler recorded {(field == 2 ? "an error" : "a warning")}: {text}", path);
                }
            }
        });

        if (planes == 0)
        {
            throw new ProtoFormatException("no planes: a protocol buffer, but not an XSpace");
        }

        if (!named)
        {
            throw new ProtoFormatException("a protocol buffer, but not an XSpace: no /device: or /host: plane");
        }

        if (hostnames.Count > 0)
        {
            properties["hostnames"] = string.Join(",", hostnames);
        }

        executions?.Resolve(builder); // every plane read: kernels, their launches and the host annotations around them

        var metadata = new TraceMetadata("XSpace", null, "ns", 0, properties);
        return new ChromeTraceContent(builder, metadata, devices, null, 0, source.Length, false, events);
    }

    private sealed class Plane
    {
        public string Name = "";
        public readonly Dictionary<long, int> EventName = [];
        public readonly Dictionary<long, (int Offset, int Length)> EventMetadata = [];
        public readonly Dictionary<long, DeviceOpCost?> Costs = [];
        public readonly Dictionary<int, GpuEventKind> Kinds = [];
        public long CorrelationStat = long.MinValue;
        public long HloOpStat = long.MinValue;
        public long HloModuleStat = long.MinValue;
        public long ProgramIdStat = long.MinValue;
        public long GroupIdStat = long.MinValue;
        public long StepNumStat = long.MinValue;
        public long ProducerStat = long.MinValue;
        public long ConsumerStat = long.MinValue;

        /// <summary>A TPU plane's program runs (its XLA Modules line): span and the context id linking each to its host enqueue.</summary>
        public List<(long Start, long End, long Consumer)> ProgramRuns = [];
        public int Core = -1;
        public int StepOrdinal;
        public HloModules? Modules;
        public HloModules? CheckModules;
        public readonly Dictionary<long, string> StatName = [];
        public readonly List<(int Offset, int Length)> Lines = [];
        public readonly List<(int Offset, int Length)> Stats = [];
    }

    private static long ReadPlane(ReadOnlySpan<byte> data, RankTraceBuilder builder, List<DeviceInfo> devices, Dictionary<string, string> properties,
        int? onlyDevice, bool fullHost, HloModules? modules, HloExecutions? executions, out string name)
    {
        // Pass 1: the plane's name and metadata maps (serialised after the lines, so read them first).
        var plane = new Plane();
        var r = new ProtoReader(data);
        while (r.TryReadTag(out var field, out var wire))
        {
            if (wire != WireType.LengthDelimited)
            {
                r.Skip(wire);
                continue;
            }

            var bytes = r.ReadBytes();
            var at = r.Position - bytes.Length;
            switch (field)
            {
                case 2:
                    plane.Name = Encoding.UTF8.GetString(bytes);
                    break;
                case 3:
                    plane.Lines.Add((at, bytes.Length));
                    break;
                case 4:
                    var eventId = MetadataEntry(bytes, out var eventName);
                    plane.EventName[eventId] = builder.Strings.Intern(eventName);
                    plane.EventMetadata[eventId] = (at, bytes.Length);
                    break;
                case 5:
                    var statId = MetadataEntry(bytes, out var statName);
                    plane.StatName[statId] = Encoding.UTF8.GetString(statName);
                    break;
                case 6:
                    plane.Stats.Add((at, bytes.Length));
                    break;
                default:
                    break;
            }
        }

        var kind = PlaneKind(plane.Name, out var deviceIndex, out plane.Core);
        name = plane.Name;
        foreach (var (id, statName) in plane.StatName)
        {
            switch (statName)
            {
                case "correlation_id":
                    plane.CorrelationStat = id;
                    break;
                case "hlo_op":
                    plane.HloOpStat = id;
                    break;
                case "hlo_module":
                    plane.HloModuleStat = id;
                    break;
                case "program_id":
                    plane.ProgramIdStat = id;
                    break;
                case "group_id":
                    plane.GroupIdStat = id;
                    break;
                case "step_num":
                    plane.StepNumStat = id;
                    break;
                case "_p":
                    plane.ProducerStat = id;
                    break;
                case "_c":
                    plane.ConsumerStat = id;
                    break;
                default:
                    break;
            }
        }

        plane.Modules = kind == PlaneType.Gpu && plane.HloOpStat != long.MinValue ? modules : null;
        plane.CheckModules = modules;
        if (kind is PlaneType.Gpu or PlaneType.Tpu or PlaneType.SparseCore && onlyDevice is { } only && only != deviceIndex)
        {
            return 0; // another rank's device
        }

        if (kind is PlaneType.Gpu or PlaneType.Tpu)
        {
            // A device plane with neither events nor properties (JAX lists every visible device) says nothing.
            var device = Device(data, plane, deviceIndex, kind);
            if (plane.Lines.Count > 0 || device.MultiprocessorCount > 0 || device.TotalMemoryBytes > 0)
            {
                devices.Add(device);
            }
        }
        else if (plane.Name == "Task Environment")
        {
            foreach (var (offset, length) in plane.Stats)
            {
                var (statName, value) = Stat(data.Slice(offset, length), plane);
                properties[statName] = value;
            }
        }

        if (kind == PlaneType.Tpu && plane.ConsumerStat != long.MinValue)
        {
            foreach (var (offset, length) in plane.Lines)
            {
                ProgramRuns(data.Slice(offset, length), plane);
            }
        }

        long count = 0;
        foreach (var (offset, length) in plane.Lines)
        {
            count += ReadLine(data, data.Slice(offset, length), plane, kind, deviceIndex, builder, fullHost, executions);
        }

        return count;
    }

    private enum PlaneType
    {
        Gpu,
        Tpu,
        /// <summary>A TPU chip's SparseCore (<c>/device:TPU:N SparseCore M</c>): its ops run beside the chip's TensorCore.</summary>
        SparseCore,
        Host,
        Other,
    }

    private static PlaneType PlaneKind(string name, out int index, out int core)
    {
        index = -1;
        core = -1;
        const string sparse = " SparseCore ";
        var at = name.IndexOf(sparse, StringComparison.Ordinal);
        if (at > 0 && name.StartsWith("/device:TPU:", StringComparison.Ordinal)
            && int.TryParse(name.AsSpan(12, at - 12), NumberStyles.None, CultureInfo.InvariantCulture, out index)
            && int.TryParse(name.AsSpan(at + sparse.Length), NumberStyles.None, CultureInfo.InvariantCulture, out core))
        {
            return PlaneType.SparseCore;
        }

        core = -1;
        foreach (var (prefix, type) in new[] { ("/device:GPU:", PlaneType.Gpu), ("/device:TPU:", PlaneType.Tpu) })
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal) && int.TryParse(name.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out index))
            {
                return type;
            }
        }

        return name == "/host:CPU" ? PlaneType.Host : PlaneType.Other;
    }

    /// <summary>A map entry of event or stat metadata: (key, the value message's name field).</summary>
    internal static long MetadataEntry(ReadOnlySpan<byte> entry, out ReadOnlySpan<byte> name)
    {
        long key = 0;
        name = default;
        var r = new ProtoReader(entry);
        while (r.TryReadTag(out var field, out var wire))
        {
            if (field == 1 && wire == WireType.Varint)
            {
                key = r.ReadInt64();
            }
            else if (field == 2 && wire == WireType.LengthDelimited)
            {
                var value = new ProtoReader(r.ReadBytes());
                while (value.TryReadTag(out var f, out var w))
                {
                    if (f == 1 && w == WireType.Varint && key == 0)
                    {
                        key = value.ReadInt64();
                    }
                    else if (f == 2 && w == WireType.LengthDelimited)
                    {
                        name = value.ReadBytes();
                    }
                    else
                    {
                        value.Skip(w);
                    }
                }
            }
            else
            {
                r.Skip(wire);
            }
        }

        return key;
    }

    /// <summary>A stat's name and its value as text (numbers invariant; a reference resolves to the referenced name).</summary>
    private static (string Name, string Value) Stat(ReadOnlySpan<byte> stat, Plane plane)
    {
        long id = 0;
        var value = "";
        var r = new ProtoReader(stat);
        while (r.TryReadTag(out var field, out var wire))
        {
            switch (field, wire)
            {
                case (1, WireType.Varint):
                    id = r.ReadInt64();
                    break;
                case (2, WireType.Fixed64):
                    value = r.ReadDouble().ToString("R", CultureInfo.InvariantCulture);
                    break;
                case (3, WireType.Varint):
                    value = r.ReadVarint().ToString(CultureInfo.InvariantCulture);
                    break;
                case (4, WireType.Varint):
                    value = r.ReadInt64().ToString(CultureInfo.InvariantCulture);
                    break;
                case (5, WireType.LengthDelimited):
                    value = Encoding.UTF8.GetString(r.ReadBytes());
                    break;
                case (7, WireType.Varint):
                    value = plane.StatName.GetValueOrDefault(r.ReadInt64(), "");
                    break;
                default:
                    r.Skip(wire);
                    break;
            }
        }

        return (plane.StatName.GetValueOrDefault(id, id.ToString(CultureInfo.InvariantCulture)), value);
    }

    private static DeviceInfo Device(ReadOnlySpan<byte> data, Plane plane, int index, PlaneType kind)
    {
        var stats = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (offset, length) in plane.Stats)
        {
            var (name, value) = Stat(data.Slice(offset, length), plane);
            stats[name] = value;
        }

        long Number(string name) => long.TryParse(stats.GetValueOrDefault(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : 0;
        double Real(string name) => double.TryParse(stats.GetValueOrDefault(name), NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
            && double.IsFinite(v) && v > 0 && v < 1e30 ? v : 0;
        var vendor = stats.GetValueOrDefault("device_vendor", kind == PlaneType.Tpu ? "Google" : "");
        var type = stats.GetValueOrDefault("device_type_string") ?? stats.GetValueOrDefault("device_type");
        var deviceName = !string.IsNullOrEmpty(type) ? type : kind == PlaneType.Tpu ? "TPU" : $"{vendor} GPU".Trim();
        var capability = stats.ContainsKey("compute_cap_major") ? $"{Number("compute_cap_major")}.{Number("compute_cap_minor")}" : "";
        return new DeviceInfo(index, deviceName, Number("memory_size"), capability, (int)Math.Clamp(Number("core_count"), 0, int.MaxValue))
        {
            ClockRateKHz = Math.Max(0, Number("clock_rate")),
            MemoryBandwidthBytesPerSecond = Real("memory_bandwidth") is > 0 and var b ? b : Real("peak_hbm_bw_gigabytes_per_second") * 1e9,
            PeakFlopsPerSecond = Real("peak_teraflops_per_second") * 1e12,
        };
    }

    private static long ReadLine(ReadOnlySpan<byte> planeData, ReadOnlySpan<byte> line, Plane plane, PlaneType kind, int device, RankTraceBuilder builder,
        bool fullHost, HloExecutions? executions)
    {
        var events = new List<(int Offset, int Length)>();
        LineHeader(line, null, events, out var id, out var name, out var timestampNs);

        var role = Role(kind, name, plane.Core, out var stream);
        var category = builder.Strings.Intern($"xplane:{(kind == PlaneType.Other ? plane.Name : LineFamily(name))}");
        var thread = kind == PlaneType.Host ? builder.Thread(0, id, "/host:CPU", name) : -1;
        if (thread >= 0)
        {
            builder.NameThread(0, id, name);
        }

        var unnamed = builder.Strings.Intern("");
        foreach (var (offset, length) in events)
        {
            var (metadataId, offsetPs, durationPs, correlation, hlo, stepNumber, flow) = Event(line.Slice(offset, length), plane);
            // Start and end each truncated to the ns, so an event nested in another stays inside it.
            var start = timestampNs + (offsetPs / 1000);
            var duration = Math.Max(0, timestampNs + ((offsetPs + Math.Max(0, durationPs)) / 1000) - start);
            var eventName = plane.EventName.TryGetValue(metadataId, out var known) ? known : unnamed;
            switch (role)
            {
                case LineRole.Activity:
                    if (!plane.Kinds.TryGetValue(eventName, out var gpuKind))
                    {
                        var text = builder.Strings[eventName];
                        gpuKind = text.Contains("memcpy", StringComparison.OrdinalIgnoreCase) || name.Contains("Memcpy", StringComparison.Ordinal) ? GpuEventKind.Memcpy
                            : text.Contains("memset", StringComparison.OrdinalIgnoreCase) || name.Contains("Memset", StringComparison.Ordinal) ? GpuEventKind.Memset
                            : GpuEventKind.Kernel;
                        plane.Kinds[eventName] = gpuKind;
                    }

                    if (kind == PlaneType.Tpu && plane.ProgramRuns.Count > 0)
                    {
                        correlation = ProgramRunConsumer(plane.ProgramRuns, start); // launched by the enqueue of its program
                    }

                    builder.AddGpu(start, duration, eventName, gpuKind, device, stream, correlation, -1, -1);
                    builder.Count(Phase, category, EventDisposition.Gpu);
                    if (CostOf(planeData, plane, metadataId) is { } cost)
                    {
                        builder.CostLastGpu(cost);
                    }
                    else if (plane.Modules is not null && executions is not null)
                    {
                        // Costed from the HLO module once every plane is read (HloExecutions groups an op's kernels
                        // into executions by the host annotation their launches ran in); a kernel of no op ends one.
                        executions.AddKernel(builder.LastGpu, hlo.Program, hlo.Module, hlo.Op, hlo.Op.Length > 0 ? builder.Strings.Intern(hlo.Op) : -1,
                            eventName, correlation);
                    }

                    break;
                case LineRole.Annotation:
                    builder.AddGpu(start, duration, eventName, GpuEventKind.Annotation, device, stream, -1, -1, -1);
                    builder.Count(Phase, category, EventDisposition.Gpu);
                    break;
                case LineRole.Step:
                    // The device's own step boundaries: kept as an annotation (for the timeline) and as the step's window.
                    builder.AddGpu(start, duration, eventName, GpuEventKind.Annotation, device, stream, -1, -1, -1);
                    builder.Count(Phase, category, EventDisposition.Gpu);
                    var number = stepNumber.GroupId >= 0 ? stepNumber.GroupId
                        : stepNumber.StepNum >= 0 ? stepNumber.StepNum
                        : NumberIn(builder.Strings[eventName]) ?? plane.StepOrdinal;
                    plane.StepOrdinal++;
                    builder.AddStepMarker(new StepMarker(number, eventName, start, duration, OnDevice: true));
                    break;
                case LineRole.Host:
                    var hostName = builder.Strings[eventName];
                    if (stepNumber.StepNum >= 0 && !hostName.Contains('/', StringComparison.Ordinal))
                    {
                        // A host step annotation (JAX's StepTraceAnnotation: "train" with a step_num stat): every rank's step.
                        builder.AddStepMarker(new StepMarker(stepNumber.StepNum, eventName, start, duration, OnDevice: false));
                    }

                    if (flow.Producer >= 0 && hostName == EnqueueProgram)
                    {
                        correlation = flow.Producer; // a TPU program's launch: its device run consumes this context id
                    }

                    var cpuKind = hostName.StartsWith('$') ? CpuEventKind.PythonFunction
                        : correlation >= 0 && (hostName.StartsWith("hip", StringComparison.Ordinal) || hostName.StartsWith("cu", StringComparison.Ordinal)
                            || hostName == EnqueueProgram) ? CpuEventKind.Runtime
                        : CpuEventKind.UserAnnotation;
                    if (executions is not null)
                    {
                        // What groups GPU kernels into HLO op executions: launches, and the thunk annotations around them.
                        if (cpuKind == CpuEventKind.Runtime)
                        {
                            executions.AddLaunch(correlation, start);
                        }
                        else if (cpuKind == CpuEventKind.UserAnnotation)
                        {
                            executions.AddHostSpan(eventName, hostName, start, start + duration);
                        }
                    }

                    if (!fullHost && cpuKind != CpuEventKind.Runtime)
                    {
                        builder.Count(Phase, category, EventDisposition.Derived); // in the first device's rank
                        break;
                    }

                    builder.AddCpu(start, duration, eventName, category, cpuKind, thread, correlation, -1, -1);
                    builder.Count(Phase, category, EventDisposition.Cpu);
                    break;
                default:
                    builder.Count(Phase, category, EventDisposition.Derived);
                    break;
            }
        }

        if (role == LineRole.Activity && plane.Modules is not null)
        {
            executions?.EndStream();
        }

        return events.Count;
    }

    /// <summary>
    /// XLA's cost analysis of an op, from its event metadata's stats (<c>flops</c>, <c>model_flops</c>,
    /// <c>bytes_accessed</c>, <c>hlo_category</c>, <c>shape_with_layout</c>, <c>deduplicated_name</c>); null when the op
    /// carries no FLOP or byte count (GPU kernels in the shared traces do not). Cached per metadata id.
    /// </summary>
    private static DeviceOpCost? CostOf(ReadOnlySpan<byte> planeData, Plane plane, long metadataId)
    {
        if (plane.Costs.TryGetValue(metadataId, out var cached))
        {
            return cached;
        }

        DeviceOpCost? cost = null;
        if (plane.EventMetadata.TryGetValue(metadataId, out var range))
        {
            var stats = new Dictionary<string, string>(StringComparer.Ordinal);
            var name = "";
            var entry = new ProtoReader(planeData.Slice(range.Offset, range.Length));
            while (entry.TryReadTag(out var field, out var wire))
            {
                if (field != 2 || wire != WireType.LengthDelimited)
                {
                    entry.Skip(wire);
                    continue;
                }

                var value = new ProtoReader(entry.ReadBytes());
                while (value.TryReadTag(out var f, out var w))
                {
                    if (f == 2 && w == WireType.LengthDelimited)
                    {
                        name = Encoding.UTF8.GetString(value.ReadBytes());
                    }
                    else if (f == 5 && w == WireType.LengthDelimited)
                    {
                        var (statName, statValue) = Stat(value.ReadBytes(), plane);
                        stats[statName] = statValue;
                    }
                    else
                    {
                        value.Skip(w);
                    }
                }
            }

            double Number(string key) => double.TryParse(stats.GetValueOrDefault(key), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) && v >= 0 ? v : -1;
            var flops = Number("flops");
            var bytes = Number("bytes_accessed");
            if (flops >= 0 || bytes >= 0)
            {
                var category = stats.GetValueOrDefault("hlo_category", "");
                var shape = stats.GetValueOrDefault("shape_with_layout", "");
                var opName = stats.GetValueOrDefault("deduplicated_name") is { Length: > 0 } d ? d : HloName(name);
                var matrix = category.Contains("convolution", StringComparison.OrdinalIgnoreCase) || category.Contains("dot", StringComparison.OrdinalIgnoreCase)
                    || category.Contains("matmul", StringComparison.OrdinalIgnoreCase);
                var model = Number("model_flops");
                cost = new DeviceOpCost(opName, shape, category, DataTypeOf(shape), matrix, Math.Max(0, flops), model >= 0 ? model : Math.Max(0, flops), Math.Max(0, bytes))
                {
                    FrameworkOp = stats.GetValueOrDefault("tf_op", "").TrimEnd(':'),
                };
                // The instruction in the embedded HLO module (by the op's program_id), to check XLA's numbers against.
                if (plane.CheckModules is { } modules && ulong.TryParse(stats.GetValueOrDefault("program_id"), NumberStyles.None, CultureInfo.InvariantCulture, out var program)
                    && modules.Estimate(unchecked((long)program), "", HloName(name)) is { } estimate)
                {
                    cost = cost with { ShapeOpcode = estimate.Opcode, ShapeFlops = estimate.Flops, ShapeBytes = estimate.Bytes };
                }
            }
        }

        plane.Costs[metadataId] = cost;
        return cost;
    }

    /// <summary>Adds the program runs of a TPU plane's <c>XLA Modules</c> line (each with the <c>_c</c> context id its host enqueue produced) to <paramref name="plane"/>.</summary>
    private static void ProgramRuns(ReadOnlySpan<byte> line, Plane plane)
    {
        var events = new List<(int Offset, int Length)>();
        if (!LineHeader(line, "XLA Modules", events, out _, out _, out var timestampNs))
        {
            return;
        }

        foreach (var (offset, length) in events)
        {
            var (_, offsetPs, durationPs, _, _, _, flow) = Event(line.Slice(offset, length), plane);
            if (flow.Consumer >= 0)
            {
                var start = timestampNs + (offsetPs / 1000);
                plane.ProgramRuns.Add((start, timestampNs + ((offsetPs + Math.Max(0, durationPs)) / 1000), flow.Consumer));
            }
        }

        plane.ProgramRuns.Sort();
    }

    /// <summary>
    /// An XLine's id, name and timestamp, and where its events are (into <paramref name="events"/>). With
    /// <paramref name="onlyName"/>, stops and returns false as soon as the name is another: the name is written before
    /// the events (fields in number order), so other lines' events are not walked.
    /// </summary>
    private static bool LineHeader(ReadOnlySpan<byte> line, string? onlyName, List<(int Offset, int Length)> events, out long id, out string name,
        out long timestampNs)
    {
        (id, name, timestampNs) = (0, "", 0);
        var r = new ProtoReader(line);
        while (r.TryReadTag(out var field, out var wire))
        {
            switch (field, wire)
            {
                case (1, WireType.Varint):
                    id = r.ReadInt64();
                    break;
                case (2, WireType.LengthDelimited):
                    name = Encoding.UTF8.GetString(r.ReadBytes());
                    if (onlyName is not null && name != onlyName)
                    {
                        return false;
                    }

                    break;
                case (3, WireType.Varint):
                    timestampNs = r.ReadInt64();
                    break;
                case (4, WireType.LengthDelimited):
                    var e = r.ReadBytes();
                    events.Add((r.Position - e.Length, e.Length));
                    break;
                default:
                    r.Skip(wire);
                    break;
            }
        }

        return onlyName is null || name == onlyName;
    }

    /// <summary>The context id of the program run holding <paramref name="time"/> (the latest starting), or -1.</summary>
    private static long ProgramRunConsumer(List<(long Start, long End, long Consumer)> runs, long time)
    {
        var found = SortedSpans.LastStartingBy(runs.Count, i => runs[i].Start, time);
        return found >= 0 && time < runs[found].End ? runs[found].Consumer : -1;
    }

    /// <summary>"%fusion.12 = f32[...] fusion(...)" → "fusion.12".</summary>
    private static string HloName(string instruction)
    {
        var text = instruction.AsSpan().TrimStart('%');
        var end = text.IndexOf(" =", StringComparison.Ordinal);
        return (end > 0 ? text[..end] : text).ToString();
    }

    /// <summary>The dtype of an XLA shape ("f32[5,1024]{1,0}", "(bf16[...], ...)") as the cost model names it; "" when unknown.</summary>
    internal static string DataTypeOf(string shape)
    {
        var text = shape.AsSpan().TrimStart('(');
        var end = text.IndexOf('[');
        var type = end > 0 ? text[..end] : text;
        return type switch
        {
            "f32" => "fp32",
            "f64" => "fp64",
            "bf16" => "bf16",
            "f16" => "fp16",
            "s8" or "u8" => "int8",
            "s32" or "u32" => "int32",
            "s64" or "u64" => "int64",
            "pred" => "bool",
            _ when type.StartsWith("f8", StringComparison.Ordinal) => "fp8",
            _ when type.StartsWith("f4", StringComparison.Ordinal) => "fp4",
            _ => "",
        };
    }

    private enum LineRole
    {
        Activity,
        Annotation,
        /// <summary>A device <c>Steps</c> line: step markers.</summary>
        Step,
        Host,
        Derived,
    }

    /// <summary>The last run of digits in <paramref name="name"/> ("Step 12" → 12, "12" → 12); null when there is none.</summary>
    private static long? NumberIn(string name)
    {
        var end = name.Length;
        while (end > 0 && !char.IsAsciiDigit(name[end - 1]))
        {
            end--;
        }

        var begin = end;
        while (begin > 0 && char.IsAsciiDigit(name[begin - 1]))
        {
            begin--;
        }

        return end > begin && long.TryParse(name.AsSpan(begin, end - begin), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
    }

    /// <summary>What a line's events become; <paramref name="stream"/> is the stream id for device lines.</summary>
    private static LineRole Role(PlaneType kind, string line, int core, out int stream)
    {
        stream = -1;
        switch (kind)
        {
            case PlaneType.Gpu or PlaneType.Tpu when line == "Steps":
                stream = kind == PlaneType.Tpu ? 4 : StepStream;
                return LineRole.Step;
            case PlaneType.SparseCore when line == "Sparse Core Ops":
                stream = SparseCoreStream + core;
                return LineRole.Activity;
            case PlaneType.SparseCore when line == "Sparse Core Modules":
                stream = SparseCoreStream + 1_000 + core;
                return LineRole.Annotation;
            case PlaneType.Gpu when line.StartsWith("Stream #", StringComparison.Ordinal):
                var digits = line.AsSpan(8);
                var end = digits.IndexOfAnyExceptInRange('0', '9');
                _ = int.TryParse(end < 0 ? digits : digits[..end], NumberStyles.None, CultureInfo.InvariantCulture, out stream);
                return LineRole.Activity;
            case PlaneType.Tpu when line == "XLA Ops":
                stream = 0;
                return LineRole.Activity;
            case PlaneType.Tpu when line is "XLA Modules" or "Async XLA Ops" or "XLA TraceMe":
                stream = line switch { "XLA Modules" => 1, "Async XLA Ops" => 2, _ => 3 };
                return LineRole.Annotation;
            case PlaneType.Host:
                return LineRole.Host;
            default:
                return LineRole.Derived;
        }
    }

    /// <summary>A line's family for the census: "Stream #16(Kernel)" → "Stream (Kernel)", "Host Threads/1083" → "Host Threads".</summary>
    private static string LineFamily(string line)
    {
        if (line.StartsWith("Stream #", StringComparison.Ordinal))
        {
            var open = line.IndexOf('(', StringComparison.Ordinal);
            return open > 0 ? "Stream " + line[open..] : "Stream";
        }

        var slash = line.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 ? line[..slash] : line;
    }

    /// <summary>
    /// An event's metadata id, offset and duration (ps), its correlation_id stat (-1 when none), on GPU planes with
    /// HLO modules its <c>program_id</c>, <c>hlo_module</c> and <c>hlo_op</c> stats, and its <c>group_id</c> and
    /// <c>step_num</c> stats (-1 when none).
    /// </summary>
    private static (long Metadata, long OffsetPs, long DurationPs, long Correlation, (long Program, string Module, string Op) Hlo, (long GroupId, long StepNum) Step,
        (long Producer, long Consumer) Flow) Event(ReadOnlySpan<byte> e, Plane plane)
    {
        long metadata = 0, offset = 0, duration = 0, correlation = -1, program = long.MinValue, groupId = -1, stepNum = -1, producer = -1, consumer = -1;
        string module = "", op = "";
        var r = new ProtoReader(e);
        while (r.TryReadTag(out var field, out var wire))
        {
            switch (field, wire)
            {
                case (1, WireType.Varint):
                    metadata = r.ReadInt64();
                    break;
                case (2, WireType.Varint):
                    offset = r.ReadInt64();
                    break;
                case (3, WireType.Varint):
                    duration = r.ReadInt64();
                    break;
                case (4, WireType.LengthDelimited):
                    var stat = new ProtoReader(r.ReadBytes());
                    long id = -1, value = -1;
                    var hasValue = false;
                    var text = "";
                    while (stat.TryReadTag(out var f, out var w))
                    {
                        if (f == 1 && w == WireType.Varint)
                        {
                            id = stat.ReadInt64();
                        }
                        else if (f is 3 or 4 && w == WireType.Varint)
                        {
                            value = stat.ReadInt64();
                            hasValue = true;
                        }
                        else if (plane.Modules is not null && f == 7 && w == WireType.Varint)
                        {
                            text = plane.StatName.GetValueOrDefault(stat.ReadInt64(), "");
                        }
                        else if (plane.Modules is not null && f == 5 && w == WireType.LengthDelimited)
                        {
                            text = Encoding.UTF8.GetString(stat.ReadBytes());
                        }
                        else
                        {
                            stat.Skip(w);
                        }
                    }

                    if (value >= 0 && id == plane.CorrelationStat)
                    {
                        correlation = value;
                    }
                    else if (value >= 0 && id == plane.GroupIdStat)
                    {
                        groupId = value;
                    }
                    else if (value >= 0 && id == plane.StepNumStat)
                    {
                        stepNum = value;
                    }
                    else if (hasValue && id == plane.ProducerStat)
                    {
                        producer = value & long.MaxValue; // a uint64 context id; kept non-negative (-1 means none)
                    }
                    else if (hasValue && id == plane.ConsumerStat)
                    {
                        consumer = value & long.MaxValue;
                    }
                    else if (plane.Modules is not null)
                    {
                        if (id == plane.HloOpStat)
                        {
                            op = text;
                        }
                        else if (id == plane.HloModuleStat)
                        {
                            module = text;
                        }
                        else if (id == plane.ProgramIdStat && hasValue)
                        {
                            program = value; // a uint64 fingerprint on TPUs: negative as an int64, as the metadata ids are
                        }
                    }

                    break;
                default:
                    r.Skip(wire);
                    break;
            }
        }

        return (metadata, offset, duration, correlation, (program, module, op), (groupId, stepNum), (producer, consumer));
    }
}
