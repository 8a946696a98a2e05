using System.Text;

namespace Headroom.Tests.Support;

/// <summary>
/// Writes small XSpace protobufs (<c>tensorflow/profiler xplane.proto</c>) for unit tests, on the wire format directly:
/// XSpace planes = 1; XPlane id = 1, name = 2, lines = 3, event_metadata = 4, stat_metadata = 5, stats = 6; XLine id = 1,
/// name = 2, timestamp_ns = 3, events = 4; XEvent metadata_id = 1, offset_ps = 2, duration_ps = 3, stats = 4; XStat
/// metadata_id = 1, double = 2, uint64 = 3, int64 = 4, str = 5, bytes = 6; metadata entries name = 2, stats = 5.
/// </summary>
internal sealed class XSpaceBuilder
{
    private readonly List<XPlaneBuilder> _planes = [];

    public XPlaneBuilder Plane(string name)
    {
        var plane = new XPlaneBuilder(_planes.Count + 1, name);
        _planes.Add(plane);
        return plane;
    }

    public byte[] Build()
    {
        var space = new Wire();
        foreach (var plane in _planes)
        {
            space.Message(1, plane.Build());
        }

        return space.ToArray();
    }

    /// <summary>Writes the XSpace to a new temporary <c>.xplane.pb</c> file and returns its path.</summary>
    public string WriteTemp()
    {
        var path = Path.Combine(Path.GetTempPath(), $"headroom-test-{Guid.NewGuid():N}.xplane.pb");
        File.WriteAllBytes(path, Build());
        return path;
    }
}

internal sealed class XPlaneBuilder(long id, string name)
{
    private readonly List<XLineBuilder> _lines = [];
    private readonly Dictionary<string, long> _eventMetadata = new(StringComparer.Ordinal);
    private readonly List<(long Id, string Name, (string, object)[] Stats)> _eventMetadataStats = [];
    private readonly Dictionary<string, long> _statMetadata = new(StringComparer.Ordinal);
    private readonly List<(string Name, object Value)> _stats = [];

    public XPlaneBuilder Stat(string statName, object value)
    {
        _stats.Add((statName, value));
        return this;
    }

    public XLineBuilder Line(long lineId, string lineName, long timestampNs)
    {
        var line = new XLineBuilder(this, lineId, lineName, timestampNs);
        _lines.Add(line);
        return line;
    }

    /// <summary>An event metadata with a chosen id (the metadata plane's programs are keyed by their program id).</summary>
    public XPlaneBuilder EventMetadataWithId(long metadataId, string eventName, params (string Name, object Value)[] stats)
    {
        _eventMetadata[eventName] = metadataId;
        _eventMetadataStats.Add((metadataId, eventName, stats));
        return this;
    }

    /// <summary>The id of the event metadata named <paramref name="eventName"/> (created with <paramref name="stats"/> on first use).</summary>
    public long EventMetadata(string eventName, params (string Name, object Value)[] stats)
    {
        if (!_eventMetadata.TryGetValue(eventName, out var metadataId))
        {
            metadataId = 1_000 + _eventMetadata.Count + 1;
            _eventMetadata[eventName] = metadataId;
            _eventMetadataStats.Add((metadataId, eventName, stats));
        }

        return metadataId;
    }

    public long StatMetadata(string statName)
    {
        if (!_statMetadata.TryGetValue(statName, out var statId))
        {
            statId = _statMetadata.Count + 1;
            _statMetadata[statName] = statId;
        }

        return statId;
    }

    internal byte[] StatBytes(string statName, object value)
    {
        var stat = new Wire();
        stat.Varint(1, StatMetadata(statName));
        switch (value)
        {
            case double d:
                stat.Fixed64(2, BitConverter.DoubleToInt64Bits(d));
                break;
            case ulong u:
                stat.Varint(3, unchecked((long)u));
                break;
            case long l:
                stat.Varint(4, l);
                break;
            case int i:
                stat.Varint(4, i);
                break;
            case string s:
                stat.Bytes(5, Encoding.UTF8.GetBytes(s));
                break;
            case byte[] b:
                stat.Bytes(6, b);
                break;
            default:
                throw new ArgumentException($"stat value of type {value.GetType()}");
        }

        return stat.ToArray();
    }

    internal byte[] Build()
    {
        var plane = new Wire();
        plane.Varint(1, id);
        plane.Bytes(2, Encoding.UTF8.GetBytes(name));
        foreach (var line in _lines)
        {
            plane.Message(3, line.Build());
        }

        // Stats first: they register their stat metadata, written after.
        var planeStats = _stats.Select(s => StatBytes(s.Name, s.Value)).ToList();
        foreach (var (metadataId, eventName, stats) in _eventMetadataStats)
        {
            var value = new Wire();
            value.Varint(1, metadataId);
            value.Bytes(2, Encoding.UTF8.GetBytes(eventName));
            foreach (var (statName, statValue) in stats)
            {
                value.Message(5, StatBytes(statName, statValue));
            }

            var entry = new Wire();
            entry.Varint(1, metadataId);
            entry.Message(2, value.ToArray());
            plane.Message(4, entry.ToArray());
        }

        foreach (var (statName, statId) in _statMetadata)
        {
            var value = new Wire();
            value.Varint(1, statId);
            value.Bytes(2, Encoding.UTF8.GetBytes(statName));
            var entry = new Wire();
            entry.Varint(1, statId);
            entry.Message(2, value.ToArray());
            plane.Message(5, entry.ToArray());
        }

        foreach (var stat in planeStats)
        {
            plane.Message(6, stat);
        }

        return plane.ToArray();
    }
}

internal sealed class XLineBuilder(XPlaneBuilder plane, long id, string name, long timestampNs)
{
    private readonly List<byte[]> _events = [];

    /// <summary>Adds an event at <paramref name="offsetPs"/> from the line's timestamp, with its own stats.</summary>
    public XLineBuilder Event(string eventName, long offsetPs, long durationPs, params (string Name, object Value)[] stats)
    {
        var e = new Wire();
        e.Varint(1, plane.EventMetadata(eventName));
        e.Varint(2, offsetPs);
        e.Varint(3, durationPs);
        foreach (var (statName, value) in stats)
        {
            e.Message(4, plane.StatBytes(statName, value));
        }

        _events.Add(e.ToArray());
        return this;
    }

    internal byte[] Build()
    {
        var line = new Wire();
        line.Varint(1, id);
        line.Bytes(2, Encoding.UTF8.GetBytes(name));
        line.Varint(3, timestampNs);
        foreach (var e in _events)
        {
            line.Message(4, e);
        }

        return line.ToArray();
    }
}

/// <summary>A protobuf wire writer: varints, fixed64 and length-delimited fields.</summary>
internal sealed class Wire
{
    private readonly MemoryStream _out = new();

    public void Varint(int field, long value)
    {
        Raw(((ulong)field << 3) | 0);
        Raw(unchecked((ulong)value));
    }

    public void Fixed64(int field, long value)
    {
        Raw(((ulong)field << 3) | 1);
        _out.Write(BitConverter.GetBytes(value));
    }

    public void Bytes(int field, byte[] value)
    {
        Raw(((ulong)field << 3) | 2);
        Raw((ulong)value.Length);
        _out.Write(value);
    }

    public void Message(int field, byte[] message) => Bytes(field, message);

    public byte[] ToArray() => _out.ToArray();

    private void Raw(ulong value)
    {
        while (value >= 0x80)
        {
            _out.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        _out.WriteByte((byte)value);
    }
}
