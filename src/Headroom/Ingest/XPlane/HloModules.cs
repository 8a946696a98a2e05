using System.Text;
using Headroom.Costs;
using Headroom.Model;

namespace Headroom.Ingest.XPlane;

/// <summary>
/// The HLO modules embedded in an XSpace: the <c>/host:metadata</c> plane's event metadata, one per compiled program
/// (id = the program id, named "jit_dot(79)"), each with a stat "Hlo Proto" holding an <c>xla.HloProto</c>. GPU kernels
/// name their op by stats <c>program_id</c>, <c>hlo_module</c> and <c>hlo_op</c>; <see cref="CostOf"/> gives that op's
/// cost from its shapes (<see cref="HloModuleCost"/>), cached.
/// </summary>
internal sealed class HloModules
{
    private readonly Dictionary<long, HloModuleCost> _byProgram = [];
    private readonly Dictionary<string, HloModuleCost?> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<(long, string, string), DeviceOpCost?> _costs = [];

    /// <summary>Modules read.</summary>
    public int Count => _byProgram.Count;

    private HashSet<string>? _instructionNames;

    /// <summary>True when some module has an instruction named <paramref name="name"/> (a host annotation that may be a thunk's).</summary>
    public bool HasInstruction(string name)
    {
        _instructionNames ??= [.. _byProgram.Values.SelectMany(m => m.Module.Computations).SelectMany(c => c.Instructions).Select(i => i.Name)];
        return _instructionNames.Contains(name);
    }

    /// <summary>Adds the modules of <paramref name="plane"/> when it is the <c>/host:metadata</c> plane (planes read one at a time).</summary>
    public static HloModules? Accumulate(HloModules? modules, ReadOnlySpan<byte> plane, DiagnosticBag diagnostics, string path)
    {
        if (PlaneName(plane) != "/host:metadata")
        {
            return modules;
        }

        var result = modules ?? new HloModules();
        result.ReadPlane(plane, diagnostics, path);
        return result.Count > 0 ? result : modules;
    }

    private static string PlaneName(ReadOnlySpan<byte> plane) => ProtoReader.FirstString(plane, 2);

    private void ReadPlane(ReadOnlySpan<byte> plane, DiagnosticBag diagnostics, string path)
    {
        // The stat id named "Hlo Proto" (stat metadata, field 5), then each event metadata's (field 4) bytes stat.
        long hloProtoStat = long.MinValue;
        var r = new ProtoReader(plane);
        while (r.TryReadTag(out var field, out var wire))
        {
            if (field == 5 && wire == WireType.LengthDelimited)
            {
                var id = XSpaceReader.MetadataEntry(r.ReadBytes(), out var name);
                if (name.SequenceEqual("Hlo Proto"u8))
                {
                    hloProtoStat = id;
                }
            }
            else
            {
                r.Skip(wire);
            }
        }

        if (hloProtoStat == long.MinValue)
        {
            return;
        }

        r = new ProtoReader(plane);
        while (r.TryReadTag(out var field, out var wire))
        {
            if (field == 4 && wire == WireType.LengthDelimited)
            {
                ReadEntry(r.ReadBytes(), hloProtoStat, diagnostics, path);
            }
            else
            {
                r.Skip(wire);
            }
        }
    }

    /// <summary>One event-metadata map entry (key = 1, XEventMetadata value = 2: id = 1, name = 2, stats = 5).</summary>
    private void ReadEntry(ReadOnlySpan<byte> entry, long hloProtoStat, DiagnosticBag diagnostics, string path)
    {
        var r = new ProtoReader(entry);
        while (r.TryReadTag(out var field, out var wire))
        {
            if (field != 2 || wire != WireType.LengthDelimited)
            {
                r.Skip(wire);
                continue;
            }

            long id = 0;
            var name = "";
            var value = new ProtoReader(r.ReadBytes());
            while (value.TryReadTag(out var f, out var w))
            {
                if (f == 1 && w == WireType.Varint)
                {
                    id = value.ReadInt64();
                }
                else if (f == 2 && w == WireType.LengthDelimited)
                {
                    name = Encoding.UTF8.GetString(value.ReadBytes());
                }
                else if (f == 5 && w == WireType.LengthDelimited)
                {
                    if (!HloProtoBytes(value.ReadBytes(), hloProtoStat, out var proto))
                    {
                        continue;
                    }

                    try
                    {
                        Add(id, new HloModuleCost(HloProtoReader.Read(proto)));
                    }
                    catch (ProtoFormatException e)
                    {
                        diagnostics.Report(DiagnosticCatalog.HloProtoUnreadable, $"the HLO module of program {name} cannot be read: {e.Message}", path);
                    }
                }
                else
                {
                    value.Skip(w);
                }
            }
        }
    }

    /// <summary>An XStat's bytes value (metadata_id = 1, bytes_value = 6) when it is the "Hlo Proto" stat.</summary>
    private static bool HloProtoBytes(ReadOnlySpan<byte> stat, long hloProtoStat, out ReadOnlySpan<byte> bytes)
    {
        bytes = default;
        var isHlo = false;
        var found = false;
        var r = new ProtoReader(stat);
        while (r.TryReadTag(out var field, out var wire))
        {
            if (field == 1 && wire == WireType.Varint)
            {
                isHlo = r.ReadInt64() == hloProtoStat;
            }
            else if (field == 6 && wire == WireType.LengthDelimited)
            {
                bytes = r.ReadBytes();
                found = true;
            }
            else
            {
                r.Skip(wire);
            }
        }

        return isHlo && found;
    }

    private void Add(long program, HloModuleCost module)
    {
        // The program id names the module; the module id inside is the same (checked on the shared traces), kept as a fallback.
        _byProgram.TryAdd(program != 0 ? program : module.Module.Id, module);
        var name = module.Module.Name;
        _byName[name] = _byName.ContainsKey(name) ? null : module; // a name compiled twice is ambiguous
    }

    /// <summary>
    /// The cost of op <paramref name="op"/> of the module with program id <paramref name="program"/> (else the only
    /// module named <paramref name="module"/>); null when unknown or without a formula.
    /// </summary>
    public HloInstructionCost? Estimate(long program, string module, string op) =>
        (_byProgram.TryGetValue(program, out var byProgram) ? byProgram : _byName.GetValueOrDefault(module))?.Of(op);

    /// <summary>As <see cref="Estimate"/>, as a device op cost (cached).</summary>
    public DeviceOpCost? CostOf(long program, string module, string op)
    {
        var key = (program, module, op);
        if (_costs.TryGetValue(key, out var cached))
        {
            return cached;
        }

        DeviceOpCost? cost = null;
        if (Estimate(program, module, op) is { } c)
        {
            cost = new DeviceOpCost(c.Name, c.Shape, c.Category, XSpaceReader.DataTypeOf(c.ElementType), c.Matrix, c.Flops, c.Flops, c.Bytes)
            {
                Source = "HLO shapes",
                FrameworkOp = c.OpName,
            };
        }

        _costs[key] = cost;
        return cost;
    }
}
