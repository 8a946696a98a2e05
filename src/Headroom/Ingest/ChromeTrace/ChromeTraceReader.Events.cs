using System.Text.Json;
using Headroom.Model;

namespace Headroom.Ingest.ChromeTrace;

internal sealed partial class ChromeTraceReader
{
    /// <summary>One event's fields as read, before it is committed to the builder.</summary>
    private struct RawEvent
    {
        public byte Phase;
        public int Category, Name, ArgName;
        public long Pid, Tid;
        public string? PidLabel, TidLabel;
        public long Ts, Dur;
        public bool HasTs, HasDur, HasPid, HasTid, Fractional, FloatToken, HasStream;
        public NumberStatus TimeStatus;
        public long Correlation, ExternalId, Sequence;
        public int Stream, Device;
        public int InputDims, InputTypes, InputStrides, ConcreteInputs;
        public int CollectiveName, DataType, GroupName, GroupDescription, GroupRanks, InSplit, OutSplit;
        public long InElements, OutElements, GroupSize;
        public bool HasCollective;

        public static RawEvent Empty() => new()
        {
            Category = -1,
            Name = -1,
            ArgName = -1,
            Correlation = -1,
            ExternalId = -1,
            Sequence = -1,
            Stream = -1,
            Device = -1,
            InElements = -1,
            OutElements = -1,
            GroupSize = -1,
        };
    }

    /// <summary>A ph B event waiting for its E.</summary>
    private readonly record struct PendingBegin(RawEvent Event);

    private Unit EventUnit(ref Utf8JsonReader reader, ReadOnlySpan<byte> data)
    {
        if (!reader.Read())
        {
            return Unit.NeedMore;
        }

        if (reader.TokenType == JsonTokenType.EndArray)
        {
            _mode = _afterSkip;
            return _mode == Mode.Done ? Unit.Finished : Unit.Complete;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            // Not an event: count it and skip it.
            if (reader.TokenType is JsonTokenType.StartArray && !reader.TrySkip())
            {
                return Unit.NeedMore;
            }

            _events++;
            _nonObjectEvents++;
            _builder.Count(0, 0, EventDisposition.Dropped);
            _builder.Diagnostics.Report(DiagnosticCatalog.InvalidField, $"an element of traceEvents is a {reader.TokenType}, not an object", _path);
            return Unit.Complete;
        }

        var e = RawEvent.Empty();
        while (true)
        {
            if (!reader.Read())
            {
                return Unit.NeedMore;
            }

            if (reader.TokenType == JsonTokenType.EndObject)
            {
                break;
            }

            // Property name, then its value. One switch on the name instead of a chain of ValueTextEquals.
            switch (FieldOf(ref reader))
            {
                case EventField.Ph:
                    if (!reader.Read()) return Unit.NeedMore;
                    e.Phase = reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length > 0 ? reader.ValueSpan[0] : (byte)'?';
                    break;
                case EventField.Cat:
                    if (!reader.Read()) return Unit.NeedMore;
                    e.Category = InternScalar(ref reader);
                    break;
                case EventField.Name:
                    if (!reader.Read()) return Unit.NeedMore;
                    e.Name = InternScalar(ref reader);
                    break;
                case EventField.Ts:
                    if (!reader.Read()) return Unit.NeedMore;
                    ReadTime(ref reader, ref e, out e.Ts);
                    e.HasTs = reader.TokenType == JsonTokenType.Number;
                    e.FloatToken = e.HasTs && reader.ValueSpan.IndexOfAny((byte)'.', (byte)'e', (byte)'E') >= 0;
                    break;
                case EventField.Dur:
                    if (!reader.Read()) return Unit.NeedMore;
                    ReadTime(ref reader, ref e, out e.Dur);
                    e.HasDur = reader.TokenType == JsonTokenType.Number;
                    break;
                case EventField.Pid:
                    if (!reader.Read()) return Unit.NeedMore;
                    e.HasPid = ReadId(ref reader, out e.Pid, out e.PidLabel);
                    break;
                case EventField.Tid:
                    if (!reader.Read()) return Unit.NeedMore;
                    e.HasTid = ReadId(ref reader, out e.Tid, out e.TidLabel);
                    break;
                case EventField.Args:
                    if (!reader.Read()) return Unit.NeedMore;
                    if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        if (!ReadArgs(ref reader, data, ref e)) return Unit.NeedMore;
                    }
                    else if (!SkipValue(ref reader))
                    {
                        return Unit.NeedMore;
                    }

                    break;
                default:
                    if (!reader.Read() || !SkipValue(ref reader)) return Unit.NeedMore;
                    break;
            }
        }

        _events++;
        if (!e.HasTs || e.FloatToken)
        {
            _builder.TimestampsWrittenAsFloats = true;
        }

        Commit(ref e);
        return Unit.Complete;
    }

    private enum EventField
    {
        Other,
        Ph,
        Cat,
        Name,
        Ts,
        Dur,
        Pid,
        Tid,
        Args,
    }

    /// <summary>Which event field the current property name is (escaped names are compared unescaped, as ValueTextEquals does).</summary>
    private EventField FieldOf(ref Utf8JsonReader reader)
    {
        var key = reader.ValueSpan;
        if (reader.ValueIsEscaped)
        {
            if (_scratch.Length < key.Length)
            {
                _scratch = new byte[Math.Max(key.Length, _scratch.Length * 2)];
            }

            key = _scratch.AsSpan(0, reader.CopyString(_scratch));
        }

        return key.Length switch
        {
            2 when key[0] == (byte)'p' && key[1] == (byte)'h' => EventField.Ph,
            2 when key[0] == (byte)'t' && key[1] == (byte)'s' => EventField.Ts,
            3 when key.SequenceEqual("cat"u8) => EventField.Cat,
            3 when key.SequenceEqual("dur"u8) => EventField.Dur,
            3 when key.SequenceEqual("pid"u8) => EventField.Pid,
            3 when key.SequenceEqual("tid"u8) => EventField.Tid,
            4 when key.SequenceEqual("name"u8) => EventField.Name,
            4 when key.SequenceEqual("args"u8) => EventField.Args,
            _ => EventField.Other,
        };
    }

    /// <summary>Skips the value the reader is on: nothing to do for a scalar (TrySkip would copy the whole reader to no end).</summary>
    private static bool SkipValue(ref Utf8JsonReader reader) =>
        reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray) || reader.TrySkip();

    private bool ReadArgs(ref Utf8JsonReader reader, ReadOnlySpan<byte> data, ref RawEvent e)
    {
        while (true)
        {
            if (!reader.Read()) return false;
            if (reader.TokenType == JsonTokenType.EndObject) return true;

            var key = reader.ValueSpan;
            if (reader.ValueIsEscaped)
            {
                // Keys of interest are never escaped; skip the value.
                if (!reader.Read() || !SkipValue(ref reader)) return false;
                continue;
            }

            if (!reader.Read()) return false;
            switch (key.Length)
            {
                case 11 when key.SequenceEqual("correlation"u8):
                    e.Correlation = Integer(ref reader, -1);
                    break;
                case 11 when key.SequenceEqual("External id"u8) || key.SequenceEqual("external id"u8):
                    e.ExternalId = Integer(ref reader, -1);
                    break;
                case 6 when key.SequenceEqual("stream"u8):
                    e.Stream = (int)Math.Clamp(Integer(ref reader, -1), int.MinValue, int.MaxValue);
                    e.HasStream = true;
                    break;
                case 6 when key.SequenceEqual("device"u8) || key.SequenceEqual("Device"u8):
                    e.Device = (int)Math.Clamp(Integer(ref reader, -1), int.MinValue, int.MaxValue);
                    break;
                case 4 when key.SequenceEqual("name"u8):
                    e.ArgName = reader.TokenType == JsonTokenType.String ? InternScalar(ref reader) : -1;
                    if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && !reader.TrySkip()) return false;
                    break;
                case 10 when key.SequenceEqual("Input Dims"u8) || key.SequenceEqual("Input dims"u8):
                    if (!RawText(ref reader, data, out e.InputDims)) return false;
                    break;
                case 10 when key.SequenceEqual("Input type"u8):
                    if (!RawText(ref reader, data, out e.InputTypes)) return false;
                    break;
                case 13 when key.SequenceEqual("Input Strides"u8):
                    if (!RawText(ref reader, data, out e.InputStrides)) return false;
                    break;
                case 15 when key.SequenceEqual("Concrete Inputs"u8):
                    if (!RawText(ref reader, data, out e.ConcreteInputs)) return false;
                    break;
                case 15 when key.SequenceEqual("Collective name"u8):
                    e.CollectiveName = InternScalar(ref reader);
                    e.HasCollective = true;
                    break;
                case 13 when key.SequenceEqual("In msg nelems"u8):
                    e.InElements = Integer(ref reader, -1);
                    e.HasCollective = true;
                    break;
                case 14 when key.SequenceEqual("Out msg nelems"u8):
                    e.OutElements = Integer(ref reader, -1);
                    break;
                case 10 when key.SequenceEqual("Group size"u8):
                    e.GroupSize = Integer(ref reader, -1);
                    break;
                case 5 when key.SequenceEqual("dtype"u8):
                    e.DataType = InternScalar(ref reader);
                    break;
                case 18 when key.SequenceEqual("Process Group Name"u8):
                    e.GroupName = InternScalar(ref reader);
                    break;
                case 25 when key.SequenceEqual("Process Group Description"u8):
                    e.GroupDescription = InternScalar(ref reader);
                    break;
                case 19 when key.SequenceEqual("Process Group Ranks"u8):
                    if (!RawText(ref reader, data, out e.GroupRanks)) return false;
                    break;
                case 13 when key.SequenceEqual("In split size"u8):
                    if (!RawText(ref reader, data, out e.InSplit)) return false;
                    break;
                case 14 when key.SequenceEqual("Out split size"u8):
                    if (!RawText(ref reader, data, out e.OutSplit)) return false;
                    break;
                case 3 when key.SequenceEqual("Seq"u8):
                case 3 when key.SequenceEqual("seq"u8):
                    e.Sequence = Integer(ref reader, -1);
                    break;
                default:
                    if (!SkipValue(ref reader)) return false;
                    break;
            }
        }
    }

    /// <summary>The value's JSON text, whitespace outside strings removed, interned; strings are interned unquoted.</summary>
    private bool RawText(ref Utf8JsonReader reader, ReadOnlySpan<byte> data, out int id)
    {
        id = 0;
        if (reader.TokenType is JsonTokenType.String or JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False)
        {
            id = InternScalar(ref reader);
            return true;
        }

        if (reader.TokenType is not (JsonTokenType.StartArray or JsonTokenType.StartObject))
        {
            return true;
        }

        var start = (int)reader.TokenStartIndex;
        if (!reader.TrySkip())
        {
            return false;
        }

        var raw = data[start..(int)reader.BytesConsumed];
        if (_scratch.Length < raw.Length)
        {
            _scratch = new byte[Math.Max(raw.Length, _scratch.Length * 2)];
        }

        var n = 0;
        var inString = false;
        for (var i = 0; i < raw.Length; i++)
        {
            var b = raw[i];
            if (inString)
            {
                _scratch[n++] = b;
                if (b == (byte)'\\' && i + 1 < raw.Length)
                {
                    _scratch[n++] = raw[++i];
                }
                else if (b == (byte)'"')
                {
                    inString = false;
                }
            }
            else if (b is not ((byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t'))
            {
                _scratch[n++] = b;
                inString = b == (byte)'"';
            }
        }

        id = _builder.Strings.Intern(_scratch.AsSpan(0, n));
        return true;
    }

    private int InternScalar(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                if (!reader.ValueIsEscaped)
                {
                    return _builder.Strings.Intern(reader.ValueSpan);
                }

                var needed = reader.ValueSpan.Length;
                if (_scratch.Length < needed)
                {
                    _scratch = new byte[Math.Max(needed, _scratch.Length * 2)];
                }

                var written = reader.CopyString(_scratch);
                return _builder.Strings.Intern(_scratch.AsSpan(0, written));
            case JsonTokenType.Number:
                return _builder.Strings.Intern(reader.ValueSpan);
            case JsonTokenType.True:
                return _builder.Strings.Intern("true"u8);
            case JsonTokenType.False:
                return _builder.Strings.Intern("false"u8);
            default:
                return 0;
        }
    }

    private static long Integer(ref Utf8JsonReader reader, long fallback)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            return ChromeTimestamp.TryInteger(reader.ValueSpan, out var v) == NumberStatus.Ok ? v : fallback;
        }

        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped)
        {
            return ChromeTimestamp.TryInteger(reader.ValueSpan, out var v) == NumberStatus.Ok ? v : fallback;
        }

        return fallback;
    }

    private static void ReadTime(ref Utf8JsonReader reader, ref RawEvent e, out long nanos)
    {
        nanos = 0;
        if (reader.TokenType != JsonTokenType.Number)
        {
            if (reader.TokenType != JsonTokenType.Null)
            {
                e.TimeStatus = NumberStatus.Invalid;
            }

            return;
        }

        var status = ChromeTimestamp.TryMicrosToNanos(reader.ValueSpan, out nanos, out var fractional);
        if (status != NumberStatus.Ok && e.TimeStatus == NumberStatus.Ok)
        {
            e.TimeStatus = status;
        }

        e.Fractional |= fractional;
    }

    private static bool ReadId(ref Utf8JsonReader reader, out long id, out string? label)
    {
        label = null;
        id = 0;
        if (reader.TokenType == JsonTokenType.Number)
        {
            return ChromeTimestamp.TryInteger(reader.ValueSpan, out id) == NumberStatus.Ok;
        }

        if (reader.TokenType == JsonTokenType.String)
        {
            if (!reader.ValueIsEscaped && ChromeTimestamp.TryInteger(reader.ValueSpan, out id) == NumberStatus.Ok)
            {
                return true;
            }

            label = reader.GetString() ?? "";
            id = StableNegativeHash(label);
            return true;
        }

        return false;
    }

    /// <summary>Textual pids/tids ("stream 7", "Spans") get a stable negative number, so they never clash with real ids.</summary>
    private static long StableNegativeHash(string text)
    {
        ulong h = 14695981039346656037UL;
        foreach (var c in text)
        {
            h = (h ^ c) * 1099511628211UL;
        }

        return -(long)(h >> 2) - 1;
    }

    private (CategorySide Side, CpuEventKind Cpu, GpuEventKind Gpu) CategoryOf(int category)
    {
        // Indexed by string id + 1 (-1, no category, classifies as the empty string).
        var slot = category + 1;
        if ((uint)slot < (uint)_categoryKnown.Length && _categoryKnown[slot])
        {
            return _categories[slot];
        }

        if (slot >= _categoryKnown.Length)
        {
            var size = Math.Max(slot + 1, _categoryKnown.Length * 2);
            Array.Resize(ref _categoryKnown, size);
            Array.Resize(ref _categories, size);
        }

        var c = ChromeCategories.Classify(category < 0 ? "" : _builder.Strings[category]);
        _categories[slot] = c;
        _categoryKnown[slot] = true;
        return c;
    }

    private void Commit(ref RawEvent e)
    {
        var cat = Math.Max(e.Category, 0);
        switch (e.Phase)
        {
            case (byte)'X':
                CommitComplete(ref e, cat);
                break;
            case (byte)'B':
                if (!Usable(ref e, cat, needDuration: false)) return;
                OpenBegins(ThreadOf(ref e)).Push(new PendingBegin(e));
                break;
            case (byte)'E':
                CloseBegin(ref e, cat);
                break;
            case (byte)'s' or (byte)'t' or (byte)'f':
                _builder.Count(e.Phase, cat, EventDisposition.Flow);
                break;
            case (byte)'i' or (byte)'I' or (byte)'n':
                _builder.Count(e.Phase, cat, EventDisposition.Instant);
                break;
            case (byte)'C':
                _builder.Count(e.Phase, cat, EventDisposition.Counter);
                break;
            case (byte)'M':
                CommitMetadata(ref e);
                _builder.Count(e.Phase, cat, EventDisposition.Metadata);
                break;
            case 0:
                _builder.Count(0, cat, EventDisposition.Dropped);
                _builder.Diagnostics.Report(DiagnosticCatalog.MissingField, "an event has no ph (phase); it was dropped", _path);
                break;
            default:
                _builder.Count(e.Phase, cat, EventDisposition.Dropped);
                _builder.Diagnostics.Report(DiagnosticCatalog.UnsupportedPhase, $"events with ph '{(char)e.Phase}' are not modelled; they were counted and skipped", _path);
                break;
        }
    }

    /// <summary>±2^62 ns (±146 years): room to add baseTimeNanoseconds and a duration without overflowing int64.</summary>
    private const long MaxAbsoluteNs = 1L << 62;

    private bool Usable(ref RawEvent e, int cat, bool needDuration)
    {
        if (e.TimeStatus == NumberStatus.OutOfRange || e.Ts is < -MaxAbsoluteNs or > MaxAbsoluteNs || e.Dur is < -MaxAbsoluteNs or > MaxAbsoluteNs)
        {
            _builder.Count(e.Phase, cat, EventDisposition.Dropped);
            _builder.Diagnostics.Report(DiagnosticCatalog.NumberOutOfRange, $"an event's ts or dur is beyond int64 nanoseconds ({Describe(ref e)}); it was dropped", _path);
            return false;
        }

        if (e.TimeStatus == NumberStatus.Invalid)
        {
            _builder.Count(e.Phase, cat, EventDisposition.Dropped);
            _builder.Diagnostics.Report(DiagnosticCatalog.InvalidField, $"an event's ts or dur is not a number ({Describe(ref e)}); it was dropped", _path);
            return false;
        }

        if (!e.HasTs || (needDuration && !e.HasDur) || e.Name < 0)
        {
            var missing = !e.HasTs ? "ts" : e.Name < 0 ? "name" : "dur";
            _builder.Count(e.Phase, cat, EventDisposition.Dropped);
            _builder.Diagnostics.Report(DiagnosticCatalog.MissingField, $"an event with ph '{(char)e.Phase}' has no {missing} ({Describe(ref e)}); it was dropped", _path);
            return false;
        }

        if (needDuration && e.Dur < 0)
        {
            _builder.Count(e.Phase, cat, EventDisposition.Dropped);
            _builder.Diagnostics.Report(DiagnosticCatalog.NegativeDuration, $"an event has a negative duration ({Describe(ref e)}); it was dropped", _path);
            return false;
        }

        return true;
    }

    private string Describe(ref RawEvent e) => e.Name >= 0 ? $"\"{Shorten(_builder.Strings[e.Name])}\"" : "unnamed";

    private static string Shorten(string s) => s.Length <= 60 ? s : s[..57] + "...";

    private void CommitComplete(ref RawEvent e, int cat)
    {
        if (!Usable(ref e, cat, needDuration: true))
        {
            return;
        }

        if (e.Fractional)
        {
            _builder.HasSubMicrosecondTimestamps = true;
        }

        var c = CategoryOf(e.Category);
        switch (c.Side)
        {
            case CategorySide.TraceSpan:
                _builder.Count(e.Phase, cat, EventDisposition.TraceSpan);
                return;
            case CategorySide.Gpu:
                {
                    var device = e.Device >= 0 ? e.Device : e.HasPid && e.Pid is >= 0 and < int.MaxValue ? (int)e.Pid : -1;
                    var gpuStream = e.HasStream || c.Gpu == GpuEventKind.Sync ? e.Stream : e.HasTid && e.Tid is >= 0 and < int.MaxValue ? (int)e.Tid : -1;
                    var collective = e.HasCollective ? AddCollective(ref e) : -1;
                    _builder.AddGpu(e.Ts, e.Dur, e.Name, c.Gpu, device, gpuStream, e.Correlation, e.ExternalId, collective);
                    _builder.Count(e.Phase, cat, EventDisposition.Gpu);
                    return;
                }

            case CategorySide.Unknown when _unknownCategoriesReported.Add(cat):
                _builder.Diagnostics.Report(DiagnosticCatalog.UnknownCategory,
                    $"events of category \"{_builder.Strings[cat]}\" were kept as host events of kind Other", _path);
                break;
        }

        var args = -1;
        var stream = e.HasStream ? e.Stream : -1;
        if (e.InputDims != 0 || e.InputTypes != 0 || e.InputStrides != 0 || e.ConcreteInputs != 0 || e.HasCollective || stream != -1)
        {
            args = _builder.AddOpArgs(new OpArgs(e.InputDims, e.InputTypes, e.InputStrides, e.ConcreteInputs,
                e.HasCollective ? AddCollective(ref e) : -1, stream));
        }

        _builder.AddCpu(e.Ts, e.Dur, e.Name, cat, c.Cpu, ThreadOf(ref e), e.Correlation, e.ExternalId, args);
        _builder.Count(e.Phase, cat, EventDisposition.Cpu);
    }

    private int AddCollective(ref RawEvent e)
    {
        var s = _builder.Strings;
        string Text(int id) => id > 0 ? s[id] : "";
        return _builder.AddCollective(new CollectiveInfo(Text(e.CollectiveName), e.InElements, e.OutElements, (int)Math.Clamp(e.GroupSize, -1, int.MaxValue),
            Text(e.DataType), Text(e.GroupName), Text(e.GroupDescription), Text(e.GroupRanks), Text(e.InSplit), Text(e.OutSplit), e.Sequence));
    }

    private int ThreadOf(ref RawEvent e) => _builder.Thread(e.Pid, e.Tid, e.PidLabel, e.TidLabel);

    private Stack<PendingBegin> OpenBegins(int thread)
    {
        if (!_openBegins.TryGetValue(thread, out var stack))
        {
            stack = new Stack<PendingBegin>();
            _openBegins[thread] = stack;
        }

        return stack;
    }

    private void CloseBegin(ref RawEvent end, int cat)
    {
        var thread = ThreadOf(ref end);
        if (!end.HasTs || !_openBegins.TryGetValue(thread, out var stack) || stack.Count == 0)
        {
            _builder.Count(end.Phase, cat, EventDisposition.Dropped);
            _builder.Diagnostics.Report(DiagnosticCatalog.UnmatchedEnd, "an end event (ph E) had no matching begin; it was dropped", _path);
            return;
        }

        // The pair forms one complete event: the B is counted with it, the E as folded into it.
        var begin = stack.Pop().Event;
        begin.Dur = end.Ts - begin.Ts;
        begin.HasDur = true;
        begin.Fractional |= end.Fractional;
        _builder.Count(end.Phase, cat, EventDisposition.Cpu);
        CommitComplete(ref begin, Math.Max(begin.Category, 0));
    }

    private void ReportUnclosedBegins()
    {
        long open = 0;
        foreach (var stack in _openBegins.Values)
        {
            foreach (var pending in stack)
            {
                open++;
                var e = pending.Event;
                _builder.Count((byte)'B', Math.Max(e.Category, 0), EventDisposition.Dropped);
            }
        }

        if (open > 0)
        {
            _builder.Diagnostics.Report(DiagnosticCatalog.UnclosedBegin, $"{open:N0} begin events (ph B) were never closed; they were dropped", _path, open);
        }
    }

    private void CommitMetadata(ref RawEvent e)
    {
        if (e.Name < 0 || e.ArgName < 0)
        {
            return;
        }

        var name = _builder.Strings[e.Name];
        if (name == "process_name")
        {
            _builder.NameProcess(e.Pid, _builder.Strings[e.ArgName]);
        }
        else if (name == "thread_name")
        {
            _builder.NameThread(e.Pid, e.Tid, _builder.Strings[e.ArgName]);
        }
    }
}
