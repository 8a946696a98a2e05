using System.Buffers.Text;
using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace Headroom.Bench.Throughput;

/// <summary>
/// Makes a large Kineto trace from a real one by repeating its events in time, byte for byte as the profiler
/// laid them out: copy k shifts every timestamp by k spans of the trace, and every correlation id, External
/// id and flow id by k id ranges, so that links stay unique and the copies do not overlap. ProfilerStep
/// numbers continue from copy to copy; metadata events (ph M) are written once. <see cref="RankShape"/> can also
/// relabel the rank and world size, offset the whole clock, and delay or stretch the communication kernels.
/// </summary>
internal sealed class TraceReplicator
{
    private enum PatchKind : byte
    {
        Timestamp,
        Id,
        StepName,
        Duration,
    }

    private readonly record struct Patch(int Offset, int Length, PatchKind Kind);

    private readonly record struct EventSpan(int Start, int End, int FirstPatch, int PatchCount, bool Metadata, bool Communication);

    private readonly byte[] _source;
    private readonly List<EventSpan> _events = [];
    private readonly List<Patch> _patches = [];
    private int _prefixEnd, _suffixStart, _rankValueStart = -1, _rankValueLength, _worldValueStart = -1, _worldValueLength;
    private byte[] _separator = ",\n  "u8.ToArray();
    private long _shiftMicros, _idStride, _stepStride;

    private TraceReplicator(byte[] source) => _source = source;

    /// <summary>Bytes of one copy of the events (with separators).</summary>
    public long EventBytesPerCopy { get; private set; }

    /// <summary>Events in one copy.</summary>
    public int EventCount => _events.Count;

    /// <summary>Communication kernels (device kernels named ncclKernel… or ncclDevKernel…) in one copy.</summary>
    public int CommunicationKernels => _events.Count(e => e.Communication);

    /// <summary>Reads <paramref name="path"/> (plain or gzip) and indexes its events.</summary>
    public static TraceReplicator Open(string path)
    {
        using var file = File.OpenRead(path);
        var gzip = file.ReadByte() == 0x1f && file.ReadByte() == 0x8b;
        file.Position = 0;
        using var input = gzip ? (Stream)new GZipStream(file, CompressionMode.Decompress) : file;
        using var memory = new MemoryStream();
        input.CopyTo(memory);
        var r = new TraceReplicator(memory.ToArray());
        r.Index();
        return r;
    }

    private void Index()
    {
        var reader = new Utf8JsonReader(_source, new JsonReaderOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        Expect(reader.Read() && reader.TokenType == JsonTokenType.StartObject, "the trace is not a JSON object");
        long minTs = long.MaxValue, maxEnd = long.MinValue, maxId = 0, minStep = long.MaxValue, maxStep = long.MinValue;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("distributedInfo"u8))
            {
                reader.Read();
                var depth = reader.CurrentDepth;
                while (reader.Read() && reader.CurrentDepth > depth)
                {
                    if (reader.CurrentDepth == depth + 1 && reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("rank"u8))
                    {
                        reader.Read();
                        _rankValueStart = (int)reader.TokenStartIndex;
                        _rankValueLength = reader.ValueSpan.Length;
                    }
                    else if (reader.CurrentDepth == depth + 1 && reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("world_size"u8))
                    {
                        reader.Read();
                        _worldValueStart = (int)reader.TokenStartIndex;
                        _worldValueLength = reader.ValueSpan.Length;
                    }
                }

                continue;
            }

            if (!reader.ValueTextEquals("traceEvents"u8))
            {
                reader.Read();
                reader.Skip();
                continue;
            }

            reader.Read();
            Expect(reader.TokenType == JsonTokenType.StartArray, "traceEvents is not an array");
            _prefixEnd = (int)reader.BytesConsumed;
            while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                var start = (int)reader.TokenStartIndex;
                if (_events.Count == 1)
                {
                    _separator = _source[_events[0].End..start];
                }
                else if (_events.Count == 0)
                {
                    _prefixEnd = start;
                }

                var firstPatch = _patches.Count;
                long ts = long.MinValue, dur = 0;
                var metadata = false;
                bool kernel = false, ncclName = false;
                var durPatch = -1;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("ts"u8))
                    {
                        reader.Read();
                        if (reader.TokenType == JsonTokenType.Number)
                        {
                            ts = Nanos(reader.ValueSpan);
                            _patches.Add(new Patch((int)reader.TokenStartIndex, reader.ValueSpan.Length, PatchKind.Timestamp));
                        }
                    }
                    else if (reader.ValueTextEquals("dur"u8))
                    {
                        reader.Read();
                        dur = reader.TokenType == JsonTokenType.Number ? Nanos(reader.ValueSpan) : 0;
                        if (reader.TokenType == JsonTokenType.Number)
                        {
                            durPatch = _patches.Count;
                            _patches.Add(new Patch((int)reader.TokenStartIndex, reader.ValueSpan.Length, PatchKind.Duration));
                        }
                    }
                    else if (reader.ValueTextEquals("ph"u8))
                    {
                        reader.Read();
                        metadata = reader.ValueTextEquals("M"u8);
                    }
                    else if (reader.ValueTextEquals("cat"u8))
                    {
                        reader.Read();
                        kernel = reader.ValueTextEquals("kernel"u8);
                    }
                    else if (reader.ValueTextEquals("id"u8))
                    {
                        reader.Read();
                        maxId = Math.Max(maxId, IdPatch(ref reader));
                    }
                    else if (reader.ValueTextEquals("name"u8))
                    {
                        reader.Read();
                        ncclName = reader.TokenType == JsonTokenType.String
                            && (reader.ValueSpan.StartsWith("ncclKernel"u8) || reader.ValueSpan.StartsWith("ncclDevKernel"u8));
                        if (reader.TokenType == JsonTokenType.String && reader.ValueSpan.StartsWith("ProfilerStep#"u8)
                            && Utf8Parser.TryParse(reader.ValueSpan[13..], out long step, out var used) && used == reader.ValueSpan.Length - 13)
                        {
                            minStep = Math.Min(minStep, step);
                            maxStep = Math.Max(maxStep, step);
                            _patches.Add(new Patch((int)reader.TokenStartIndex + 1 + 13, used, PatchKind.StepName));
                        }
                    }
                    else if (reader.ValueTextEquals("args"u8))
                    {
                        reader.Read();
                        if (reader.TokenType != JsonTokenType.StartObject)
                        {
                            reader.Skip();
                            continue;
                        }

                        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                        {
                            var isId = reader.ValueTextEquals("correlation"u8) || reader.ValueTextEquals("External id"u8) || reader.ValueTextEquals("external id"u8);
                            reader.Read();
                            if (isId)
                            {
                                maxId = Math.Max(maxId, IdPatch(ref reader));
                            }
                            else
                            {
                                reader.Skip();
                            }
                        }
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }

                if (ts != long.MinValue && !metadata)
                {
                    minTs = Math.Min(minTs, ts);
                    maxEnd = Math.Max(maxEnd, ts + Math.Max(dur, 0));
                }

                var communication = kernel && ncclName && !metadata;
                if (durPatch >= 0 && !communication)
                {
                    _patches.RemoveAt(durPatch); // only communication kernels' durations are ever changed
                }

                _events.Add(new EventSpan(start, (int)reader.BytesConsumed, firstPatch, _patches.Count - firstPatch, metadata, communication));
            }

            Expect(reader.TokenType == JsonTokenType.EndArray, "traceEvents holds a non-object");
            _suffixStart = _events.Count > 0 ? _events[^1].End : _prefixEnd;
        }

        Expect(_events.Count > 0, "the trace has no events");
        _shiftMicros = ((maxEnd - minTs) / 1000) + 1_000; // one copy's span plus a millisecond
        _idStride = maxId + 1;
        _stepStride = maxStep >= minStep ? maxStep - minStep + 1 : 0;
        EventBytesPerCopy = _events.Sum(e => (long)(e.End - e.Start) + _separator.Length);
    }

    private long IdPatch(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Number && Utf8Parser.TryParse(reader.ValueSpan, out long id, out var used) && used == reader.ValueSpan.Length && id >= 0)
        {
            _patches.Add(new Patch((int)reader.TokenStartIndex, used, PatchKind.Id));
            return id;
        }

        reader.Skip();
        return 0;
    }

    /// <summary>Writes a trace of about <paramref name="targetBytes"/>: whole copies of the events, then whole events of one more copy.</summary>
    public long Write(string path, long targetBytes, int? rank = null) => Write(path, targetBytes, new RankShape(rank));

    /// <summary>Writes a trace of about <paramref name="targetBytes"/> shaped by <paramref name="shape"/>.</summary>
    public long Write(string path, long targetBytes, RankShape shape)
    {
        using var output = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        var prefix = _source.AsSpan(0, _prefixEnd);
        var edits = new List<(int Start, int Length, int Value)>();
        if (shape.Rank is int r && _rankValueStart >= 0)
        {
            edits.Add((_rankValueStart, _rankValueLength, r));
        }

        if (shape.WorldSize is int w && _worldValueStart >= 0)
        {
            edits.Add((_worldValueStart, _worldValueLength, w));
        }

        var from = 0;
        foreach (var (start, length, value) in edits.OrderBy(e => e.Start))
        {
            output.Write(prefix[from..start]);
            output.Write(Encoding.ASCII.GetBytes(value.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            from = start + length;
        }

        output.Write(prefix[from..]);

        Span<byte> digits = stackalloc byte[64];
        var written = (long)_prefixEnd;
        var first = true;
        for (long copy = 0; written < targetBytes || copy == 0; copy++)
        {
            foreach (var e in _events)
            {
                if (copy > 0 && e.Metadata)
                {
                    continue;
                }

                if (copy > 0 && written >= targetBytes)
                {
                    break;
                }

                if (!first)
                {
                    output.Write(_separator);
                    written += _separator.Length;
                }

                first = false;
                var at = e.Start;
                for (var p = e.FirstPatch; p < e.FirstPatch + e.PatchCount; p++)
                {
                    var patch = _patches[p];
                    output.Write(_source.AsSpan(at, patch.Offset - at));
                    var value = _source.AsSpan(patch.Offset, patch.Length);
                    var delta = patch.Kind switch
                    {
                        PatchKind.Timestamp => (copy * _shiftMicros) + shape.ClockOffsetMicros + (e.Communication ? shape.CommunicationDelayMicros : 0),
                        PatchKind.Id => copy * _idStride,
                        PatchKind.Duration => shape.CommunicationStretchMicros,
                        _ => copy * _stepStride,
                    };
                    var n = ShiftInteger(value, delta, digits);
                    output.Write(digits[..n]);
                    at = patch.Offset + patch.Length;
                    written += n - patch.Length;
                }

                output.Write(_source.AsSpan(at, e.End - at));
                written += e.End - e.Start;
            }
        }

        output.Write(_source.AsSpan(_suffixStart));
        return output.Position;
    }

    /// <summary>Writes <paramref name="value"/> with <paramref name="delta"/> added to its integer part, keeping any fraction as written.</summary>
    private static int ShiftInteger(ReadOnlySpan<byte> value, long delta, Span<byte> target)
    {
        var end = value.IndexOfAny((byte)'.', (byte)'e', (byte)'E');
        var whole = end < 0 ? value : value[..end];
        var rest = end < 0 ? default : value[end..];
        Expect(Utf8Parser.TryParse(whole, out long v, out var used) && used == whole.Length, "a number to shift is not an integer");
        Expect(Utf8Formatter.TryFormat(v + delta, target, out var n) && n + rest.Length <= target.Length, "a shifted number does not fit");
        rest.CopyTo(target[n..]);
        return n + rest.Length;
    }

    private static long Nanos(ReadOnlySpan<byte> micros)
    {
        var dot = micros.IndexOf((byte)'.');
        var whole = dot < 0 ? micros : micros[..dot];
        if (!Utf8Parser.TryParse(whole, out long w, out _))
        {
            return 0;
        }

        long frac = 0;
        if (dot >= 0)
        {
            var digits = micros[(dot + 1)..];
            for (var i = 0; i < 3; i++)
            {
                frac = (frac * 10) + (i < digits.Length && digits[i] is >= (byte)'0' and <= (byte)'9' ? digits[i] - '0' : 0);
            }
        }

        return (w * 1000) + frac;
    }

    private static void Expect(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidDataException(message);
        }
    }
}

/// <summary>How <see cref="TraceReplicator.Write(string, long, RankShape)"/> shapes one rank.</summary>
/// <param name="Rank">Written as distributedInfo.rank (null: as in the source).</param>
/// <param name="WorldSize">Written as distributedInfo.world_size (null: as in the source).</param>
/// <param name="ClockOffsetMicros">Added to every timestamp: this rank's clock runs this far ahead of the source's.</param>
/// <param name="CommunicationDelayMicros">Added to the start of every communication kernel (a straggler arrives this late).</param>
/// <param name="CommunicationStretchMicros">Added to the duration of every communication kernel (the others wait for the straggler).</param>
internal readonly record struct RankShape(int? Rank = null, int? WorldSize = null, long ClockOffsetMicros = 0, long CommunicationDelayMicros = 0,
    long CommunicationStretchMicros = 0);
