using System.Buffers;
using System.Text.Json;
using Headroom.Model;

namespace Headroom.Ingest.ChromeTrace;

/// <summary>What a Chrome-trace read produced: the filled builder and the file's top-level facts.</summary>
internal sealed record ChromeTraceContent(RankTraceBuilder Builder, TraceMetadata Metadata, IReadOnlyList<DeviceInfo> Devices,
    DistributedInfo? Distributed, long BaseTimeNanoseconds, long BytesRead, bool Truncated, long EventCount);

/// <summary>
/// Streams a Chrome Trace Event Format file (PyTorch profiler / Kineto, any vendor) into a <see cref="RankTraceBuilder"/>
/// with <see cref="Utf8JsonReader"/> over one pooled buffer: memory is bounded by the largest single event, never
/// by the file. Each event is parsed as a unit; when the buffer ends mid-event the reader rewinds to the event's
/// start, refills, and resumes from the saved <see cref="JsonReaderState"/>.
/// </summary>
internal sealed partial class ChromeTraceReader
{
    private const int InitialBufferSize = 1 << 20;
    private const int MaxBufferSize = 256 << 20;

    private readonly Stream _input;
    private readonly string _path;
    private readonly RankTraceBuilder _builder = new();
    private (CategorySide Side, CpuEventKind Cpu, GpuEventKind Gpu)[] _categories = new (CategorySide, CpuEventKind, GpuEventKind)[64];
    private bool[] _categoryKnown = new bool[64];
    private readonly HashSet<int> _unknownCategoriesReported = [];
    private readonly Dictionary<int, Stack<PendingBegin>> _openBegins = [];
    private readonly Dictionary<string, string> _properties = new(StringComparer.Ordinal);
    private readonly List<DeviceInfo> _devices = [];
    private DistributedInfo? _distributed;
    private string? _schemaVersion;
    private string? _displayTimeUnit;
    private long _baseTimeNs;
    private long _events;
    private long _nonObjectEvents;
    private byte[] _scratch = new byte[4096];

    // Parser position.
    private Mode _mode = Mode.Start;
    private int _skipDepth;
    private Mode _afterSkip;
    private bool _sawTraceEvents;
    private bool _rootIsArray;

    private enum Mode
    {
        Start,
        RootObject,
        Events,
        Skip,
        Done,
    }

    private enum Unit
    {
        Complete,
        NeedMore,
        Finished,
    }

    private ChromeTraceReader(Stream input, string path)
    {
        _input = input;
        _path = path;
    }

    /// <summary>Reads the whole stream. Problems that make the file unusable are returned as a fatal diagnostic instead of content.</summary>
    public static (ChromeTraceContent? Content, Diagnostic? Fatal) Read(Stream input, string path)
    {
        var reader = new ChromeTraceReader(input, path);
        return reader.Run();
    }

    private (ChromeTraceContent?, Diagnostic?) Run()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(InitialBufferSize);
        try
        {
            return Loop(ref buffer);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private (ChromeTraceContent?, Diagnostic?) Loop(ref byte[] buffer)
    {
        var state = new JsonReaderState(new JsonReaderOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 512 });
        var filled = 0;
        var final = false;
        long consumedTotal = 0;
        string? streamError = null;
        var truncated = false;

        while (true)
        {
            if (!final)
            {
                var room = buffer.Length - filled;
                var n = ReadFully(buffer.AsSpan(filled), out var error);
                filled += n;
                final = n < room || error is not null;
                streamError ??= error;
            }

            if (consumedTotal == 0 && filled == 0 && final)
            {
                return Fail(streamError is null ? DiagnosticCatalog.FileEmpty : DiagnosticCatalog.GzipCorrupt,
                    streamError is null ? "the file is empty" : $"the gzip data is corrupt ({streamError})");
            }

            int consumed;
            Unit last;
            try
            {
                (consumed, last) = Parse(buffer.AsSpan(0, filled), ref state);
            }
            catch (JsonException e)
            {
                // The reader state carries line numbers across buffers; BytePositionInLine is within that line.
                var at = $"line {(e.LineNumber ?? 0) + 1:N0}, byte {(e.BytePositionInLine ?? 0) + 1:N0} of the line";
                if (_events == 0 && !_sawTraceEvents)
                {
                    return Fail(DiagnosticCatalog.NotJson, $"not valid JSON at {at}: {FirstSentence(e.Message)}");
                }

                _builder.Diagnostics.Report(DiagnosticCatalog.TraceTruncated,
                    $"invalid JSON after {_events:N0} events (at {at}); the events before it were kept", _path);
                truncated = true;
                break;
            }

            consumedTotal += consumed;
            if (last == Unit.Finished)
            {
                if (!IsOnlyWhitespace(buffer.AsSpan(consumed, filled - consumed)) || (!final && HasMoreData()))
                {
                    _builder.Diagnostics.Report(DiagnosticCatalog.TrailingData, "data after the end of the trace was ignored", _path);
                }

                break;
            }

            if (final)
            {
                // The data ended inside a value: a trace cut off mid-write, or a damaged gzip stream.
                if (!_sawTraceEvents)
                {
                    return Fail(streamError is not null ? DiagnosticCatalog.GzipCorrupt : DiagnosticCatalog.NotATrace,
                        streamError is not null
                            ? $"the gzip data is corrupt ({streamError})"
                            : _mode == Mode.Start ? "the file holds no JSON value" : "the JSON ends before any traceEvents array");
                }

                truncated = true;
                var lost = filled - consumed;
                _builder.Diagnostics.Report(DiagnosticCatalog.TraceTruncated,
                    $"the trace ends mid-write after {_events:N0} events ({consumedTotal:N0} bytes); {lost:N0} bytes of an incomplete event were lost"
                    + (streamError is null ? "" : $" (gzip: {streamError})"), _path);
                break;
            }

            // Keep the unparsed tail, grow when one unit is larger than the buffer.
            var tail = filled - consumed;
            if (consumed == 0 && filled == buffer.Length)
            {
                if (buffer.Length >= MaxBufferSize)
                {
                    return Fail(DiagnosticCatalog.EventTooLarge, $"a single JSON value is larger than {MaxBufferSize >> 20} MiB near byte {consumedTotal:N0}");
                }

                var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                buffer.AsSpan(0, filled).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = bigger;
            }
            else if (consumed > 0)
            {
                buffer.AsSpan(consumed, tail).CopyTo(buffer);
                filled = tail;
            }
        }

        if (!_sawTraceEvents)
        {
            return Fail(DiagnosticCatalog.NotATrace, "the JSON has no traceEvents array");
        }

        if (_rootIsArray && _events > 0 && _nonObjectEvents == _events)
        {
            return Fail(DiagnosticCatalog.NotATrace, "the top-level JSON array holds no event objects");
        }

        ReportUnclosedBegins();
        var metadata = new TraceMetadata("chrome-trace", _schemaVersion, _displayTimeUnit, _baseTimeNs, _properties);
        return (new ChromeTraceContent(_builder, metadata, _devices, _distributed, _baseTimeNs, consumedTotal, truncated, _events), null);
    }

    private (ChromeTraceContent?, Diagnostic?) Fail(DiagnosticDescriptor descriptor, string detail) =>
        (null, new Diagnostic(descriptor, 1, detail, _path));

    /// <summary>Fills <paramref name="target"/> until the stream ends; a damaged stream ends it too, keeping the bytes read before the damage.</summary>
    private int ReadFully(Span<byte> target, out string? error)
    {
        error = null;
        var total = 0;
        while (total < target.Length)
        {
            int n;
            try
            {
                n = _input.Read(target[total..]);
            }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                error = e.Message;
                break;
            }

            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }

    private bool HasMoreData()
    {
        Span<byte> probe = stackalloc byte[256];
        try
        {
            while (true)
            {
                var n = _input.Read(probe);
                if (n == 0)
                {
                    return false;
                }

                if (!IsOnlyWhitespace(probe[..n]))
                {
                    return true;
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            return false;
        }
    }

    private static bool IsOnlyWhitespace(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (b is not ((byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t' or 0))
            {
                return false;
            }
        }

        return true;
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(". ", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message.TrimEnd('.');
    }

    /// <summary>Parses as many complete units as the span holds; returns bytes consumed up to the last complete unit.</summary>
    private (int Consumed, Unit Last) Parse(ReadOnlySpan<byte> data, ref JsonReaderState state)
    {
        // Never a final block, even at the end of the data: a final-block reader throws on an unfinished event, which
        // would report a trace cut off mid-write as invalid JSON; NeedMore at the end lets Loop report the truncation.
        var reader = new Utf8JsonReader(data, isFinalBlock: false, state);
        while (true)
        {
            var saved = reader.CurrentState;
            var position = reader.BytesConsumed;
            var unit = _mode switch
            {
                Mode.Start => StartUnit(ref reader),
                Mode.RootObject => RootUnit(ref reader, data),
                Mode.Events => EventUnit(ref reader, data),
                Mode.Skip => SkipUnit(ref reader),
                _ => Unit.Finished,
            };

            if (unit == Unit.NeedMore)
            {
                state = saved;
                return ((int)position, Unit.NeedMore);
            }

            if (unit == Unit.Finished)
            {
                state = reader.CurrentState;
                return ((int)reader.BytesConsumed, Unit.Finished);
            }
        }
    }

    private Unit StartUnit(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            return Unit.NeedMore;
        }

        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                _mode = Mode.RootObject;
                return Unit.Complete;
            case JsonTokenType.StartArray:
                // JSON Array Format: the root is the event array itself.
                _sawTraceEvents = true;
                _rootIsArray = true;
                _mode = Mode.Events;
                _afterSkip = Mode.Done;
                return Unit.Complete;
            default:
                throw new JsonException("the top-level value is neither an object nor an array.");
        }
    }

    private Unit SkipUnit(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            return Unit.NeedMore;
        }

        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            _skipDepth++;
        }
        else if (reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray)
        {
            _skipDepth--;
        }

        if (_skipDepth == 0)
        {
            _mode = _afterSkip;
        }

        return Unit.Complete;
    }

    private Unit RootUnit(ref Utf8JsonReader reader, ReadOnlySpan<byte> data)
    {
        if (!reader.Read())
        {
            return Unit.NeedMore;
        }

        if (reader.TokenType == JsonTokenType.EndObject)
        {
            _mode = Mode.Done;
            return Unit.Finished;
        }

        if (reader.TokenType != JsonTokenType.PropertyName)
        {
            throw new JsonException("expected a property name.");
        }

        if (reader.ValueTextEquals("traceEvents"u8))
        {
            if (!reader.Read())
            {
                return Unit.NeedMore;
            }

            if (reader.TokenType != JsonTokenType.StartArray)
            {
                _builder.Diagnostics.Report(DiagnosticCatalog.InvalidField, "traceEvents is not an array; it was ignored", _path);
                return BeginSkip(ref reader, Mode.RootObject);
            }

            _sawTraceEvents = true;
            _mode = Mode.Events;
            _afterSkip = Mode.RootObject;
            return Unit.Complete;
        }

        if (reader.ValueTextEquals("deviceProperties"u8) || reader.ValueTextEquals("computeProperties"u8))
        {
            return ParseDeviceProperties(ref reader);
        }

        if (reader.ValueTextEquals("distributedInfo"u8))
        {
            return ParseDistributedInfo(ref reader);
        }

        var key = reader.GetString() ?? "";
        if (!reader.Read())
        {
            return Unit.NeedMore;
        }

        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            return BeginSkip(ref reader, Mode.RootObject);
        }

        var text = ScalarText(ref reader, data);
        switch (key)
        {
            case "schemaVersion":
                _schemaVersion = text;
                break;
            case "displayTimeUnit":
                _displayTimeUnit = text;
                break;
            case "baseTimeNanoseconds":
                if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var baseNs))
                {
                    _baseTimeNs = baseNs;
                }
                else
                {
                    _builder.Diagnostics.Report(DiagnosticCatalog.InvalidField, $"baseTimeNanoseconds is not an integer ({text}); it was ignored", _path);
                }

                break;
            default:
                if (_properties.Count < 64)
                {
                    _properties[key] = text.Length > 200 ? text[..200] : text;
                }

                break;
        }

        return Unit.Complete;
    }

    private Unit BeginSkip(ref Utf8JsonReader reader, Mode after)
    {
        _skipDepth = 1;
        _afterSkip = after;
        _mode = Mode.Skip;
        return Unit.Complete;
    }

    private static string ScalarText(ref Utf8JsonReader reader, ReadOnlySpan<byte> data) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString() ?? "",
        JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        _ => "",
    };
}
