using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Headroom.Ingest;
using Headroom.Model;
using Headroom.Tests.Support;
using Xunit;

namespace Headroom.Tests.Ingest;

/// <summary>
/// Damaged, odd and hostile inputs, written as small files into a fresh temporary folder for each test. Every problem
/// is reported under its stable code and names its file; every event of the input is accounted for in the census.
/// </summary>
public sealed class BadInputTests : IDisposable
{
    private const string SmallRealTrace = "traces/kineto/hta-a100-event-sync.json.gz";

    private readonly string _dir = Directory.CreateTempSubdirectory("headroom-bad-input-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // ---- Inputs that cannot be used: one fatal error naming the file, and no run.

    [Fact]
    public void Rejects_an_empty_file_as_empty()
    {
        var path = WriteBytes("empty.json", []);

        AssertFatal(TraceLoader.Load([path]), "file-empty", path);
    }

    [Theory]
    [InlineData("plain text", "unknown-format", "text that is not JSON")]
    [InlineData("binary bytes", "unknown-format", "binary data")]
    [InlineData("an object that is not JSON", "invalid-json", "at line 1, byte 3 of the line")]
    [InlineData("{\"a\":1}", "not-a-trace", "no traceEvents")]
    [InlineData("[1,2]", "not-a-trace", "no event objects")]
    public void Rejects_content_that_is_not_a_trace(string content, string code, string saying)
    {
        // Given a file that is not JSON, or JSON without trace events
        var bytes = content switch
        {
            "plain text" => "Lorem ipsum dolor sit amet, this is a README and not a trace.\n"u8.ToArray(),
            "binary bytes" => BinaryNoise(),
            "an object that is not JSON" => "{ this is not json at all }"u8.ToArray(),
            _ => Encoding.UTF8.GetBytes(content),
        };
        var path = WriteBytes("input.json", bytes);

        // Then loading fails with the code for what it is, naming the file and saying what was found
        var error = AssertFatal(TraceLoader.Load([path]), code, path);
        Assert.Contains(saying, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Names_an_XLA_HloProto_as_a_compiled_module_rather_than_a_profile()
    {
        // Given the HLO module of the MI300X 3-D convolution, saved on its own (a protobuf that is no XSpace)
        var path = SharedData.Require("traces/xplane/tracelens-mi300x-jax-conv3d.hlo_proto.pb");

        // Then it is refused as what it is, with what to pass instead
        var error = AssertFatal(TraceLoader.Load([path]), "unknown-format", path);
        Assert.Contains("an XLA HloProto (a compiled module, not a profile)", error.Message, StringComparison.Ordinal);
        Assert.Contains(".xplane.pb", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_gzip_whose_deflate_data_is_corrupt_from_the_start()
    {
        // Given a real trace's gzip bytes whose first deflate block header is given the reserved block type (binary 11)
        var gz = File.ReadAllBytes(SharedData.Require(SmallRealTrace));
        gz[DeflateStart(gz)] |= 0b110;
        var path = WriteBytes("corrupt.json.gz", gz);

        // Then no event can be read and the error says the gzip data is corrupt
        var error = AssertFatal(TraceLoader.Load([path]), "gzip-corrupt", path);
        Assert.Contains("gzip", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reports_a_path_that_does_not_exist_as_unreadable()
    {
        var path = Path.Combine(_dir, "no-such-trace.json.gz");

        AssertFatal(TraceLoader.Load([path]), "file-unreadable", path);
    }

    [Fact]
    public void Reports_a_file_that_cannot_be_opened_as_unreadable()
    {
        // Given a trace file with no read permission
        var path = WriteText("locked.json", Trace(Complete("op", 1, 2)));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.None);
        }

        if (CanRead(path))
        {
            // Running as root (or on Windows): permissions do not stop reads. A directory opened as a file fails the same way.
            path = Directory.CreateDirectory(Path.Combine(_dir, "a-folder-not-a-file.json")).FullName;
            var (content, fatal) = TraceLoader.ReadFile(path, readAhead: false, new LoadProgress());
            Assert.Null(content);
            Assert.NotNull(fatal);
            Assert.Equal("file-unreadable", fatal.Code);
            Assert.Equal(path, fatal.File);
            Assert.Contains("cannot read the file", fatal.Message, StringComparison.Ordinal);
            return;
        }

        AssertFatal(TraceLoader.Load([path]), "file-unreadable", path);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reports_a_folder_without_traces(bool holdsOtherFiles)
    {
        // Given a folder that is empty, or holds only a text file and a hidden file
        var folder = Directory.CreateDirectory(Path.Combine(_dir, "job")).FullName;
        if (holdsOtherFiles)
        {
            File.WriteAllText(Path.Combine(folder, "notes.txt"), "not a trace\n");
            File.WriteAllText(Path.Combine(folder, ".hidden.json"), Trace(Complete("op", 1, 2)));
        }

        AssertFatal(TraceLoader.Load([folder]), "no-traces", folder);
    }

    [Fact]
    public void Analyses_two_files_claiming_the_same_rank_and_names_both()
    {
        // Given two traces that both declare distributedInfo.rank 3
        var first = WriteText("a.json", Trace(3, Complete("op", 1, 2)));
        var second = WriteText("b.json", Trace(3, Complete("op", 1, 2)));

        // When both are loaded
        var result = TraceLoader.Load([first, second]);

        // Then the first keeps rank 3, the second is analysed under the first free id, and the warning names both files
        Assert.NotNull(result.Run);
        Assert.Equal([(0, second), (3, first)], result.Run.Ranks.Select(r => (r.Rank, r.SourcePath)));
        var warning = AssertDiagnostic(result.Run.Diagnostics, "duplicate-rank", second);
        Assert.Contains(first, warning.Message, StringComparison.Ordinal);
        Assert.Contains("rank 3", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fails_loudly_on_a_damaged_rank_in_a_folder_instead_of_skipping_it()
    {
        // Given a rank folder where one rank's gzip is damaged from the start
        var folder = Directory.CreateDirectory(Path.Combine(_dir, "ranks")).FullName;
        File.WriteAllText(Path.Combine(folder, "rank-0.json"), Trace(0, Complete("op", 1, 2)));
        var damaged = Path.Combine(folder, "rank-1.json.gz");
        File.WriteAllBytes(damaged, [0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0, 0x03, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);

        // Then the load fails naming the damaged rank, rather than analysing 1 of 2 ranks
        AssertFatal(TraceLoader.Load([folder]), "gzip-corrupt", damaged);
    }

    [Fact]
    public void Calls_a_file_of_white_space_empty()
    {
        var path = WriteText("blank.json", "  \n\t\n");
        AssertFatal(TraceLoader.Load([path]), "file-empty", path);
    }

    [Fact]
    public void Keeps_every_event_inflated_before_a_damaged_gzip_trailer()
    {
        // Given a real trace whose gzip CRC and length (the last 8 bytes) are damaged
        var gz = File.ReadAllBytes(SharedData.Require("traces/kineto/hta-a100-ddp-nccl-rank0of2.json.gz"));
        for (var i = gz.Length - 8; i < gz.Length; i++)
        {
            gz[i] ^= 0xFF;
        }

        var path = WriteBytes("damaged-trailer.json.gz", gz);

        // When it is read
        var result = TraceLoader.Load([path]);

        // Then nearly every event was kept: .NET's GZipStream withholds only the last block it inflated when the
        // checksum fails (about 64 KiB of text here), and the damage is named.
        Assert.NotNull(result.Run);
        var trace = result.Run.Ranks[0];
        Assert.InRange(trace.Census.Total, 40_000, 40_572);
        Assert.True(trace.Truncated);
        Assert.Equal(0, trace.Census.Count(EventDisposition.Dropped));
        var d = Assert.Single(result.Run.Diagnostics, d => d.Code == "trace-truncated");
        Assert.Contains("gzip", d.Message, StringComparison.Ordinal);
    }

    // ---- Lenient reads: the trace is used, and what was lost is said.

    [Fact]
    public void Reads_a_trace_cut_off_mid_event_and_says_how_much_was_lost()
    {
        // Given a real trace cut in the middle of its k-th event, as when a profiler is killed mid-write
        var text = Decompress(File.ReadAllBytes(SharedData.Require(SmallRealTrace)));
        var events = EventRanges(text);
        var k = events.Count / 2;
        var cut = (events[k].Start + events[k].End) / 2;
        var path = WriteBytes("cut.json", text[..cut]);

        // When it is read
        var (trace, diagnostics) = AssertLoaded(TraceLoader.Load([path]), k);

        // Then the k events before the cut are all there, and the warning says how many and how many bytes were lost
        Assert.True(trace.Truncated);
        var truncated = AssertDiagnostic(diagnostics, "trace-truncated", path);
        var lost = cut - events[k - 1].End;
        Assert.Contains(Invariant($"after {k:N0} events"), truncated.Message, StringComparison.Ordinal);
        Assert.Contains(Invariant($"{lost:N0} bytes"), truncated.Message, StringComparison.Ordinal);
        Assert.Equal(CompleteEventNames(text, k), ModelNames(trace));
    }

    [Fact]
    public void Reads_a_gzip_file_cut_in_half_up_to_the_last_whole_event()
    {
        // Given a real trace's gzip bytes cut in half, and how much of it any gzip reader can still inflate
        var gz = File.ReadAllBytes(SharedData.Require(SmallRealTrace));
        var half = gz[..(gz.Length / 2)];
        var path = WriteBytes("half.json.gz", half);
        var text = Decompress(gz);
        var inflatable = DecompressWhatCan(half).Length;
        var k = EventRanges(text).Count(e => e.End <= inflatable);
        Assert.InRange(k, 1, EventRanges(text).Count - 1);

        // When it is read
        var (trace, diagnostics) = AssertLoaded(TraceLoader.Load([path]), k);

        // Then every whole event before the cut is kept and the file is reported as truncated
        Assert.True(trace.Truncated);
        var truncated = AssertDiagnostic(diagnostics, "trace-truncated", path);
        Assert.Contains(Invariant($"after {k:N0} events"), truncated.Message, StringComparison.Ordinal);
        Assert.Equal(CompleteEventNames(text, k), ModelNames(trace));
    }

    [Fact]
    public void Reads_a_gzip_file_damaged_midway_up_to_the_damage_and_keeps_only_intact_events()
    {
        // Given a 9.8 MB trace whose gzip bytes are flipped halfway through the deflate data
        var gz = File.ReadAllBytes(SharedData.Require("traces/kineto/hta-a100-ddp-nccl-rank0of2.json.gz"));
        var text = Decompress(gz);
        for (var i = gz.Length / 2; i < (gz.Length / 2) + 8; i++)
        {
            gz[i] ^= 0xFF;
        }

        var path = WriteBytes("damaged.json.gz", gz);

        // And the most any gzip reader can inflate before the output stops matching the original
        var inflated = DecompressWhatCan(gz);
        var intact = 0;
        while (intact < inflated.Length && inflated[intact] == text[intact])
        {
            intact++;
        }

        var events = EventRanges(text);
        var intactEvents = events.Count(e => e.End <= intact);

        // When it is read
        var result = TraceLoader.Load([path]);
        var warning = result.Run?.Diagnostics.SingleOrDefault(d => d.Code == "trace-truncated");
        Assert.NotNull(warning);
        var kept = int.Parse(warning.Message.Split(" events")[0].Split("after ")[^1], NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
        var (trace, _) = AssertLoaded(result, kept);

        // Then it is a lenient read that names the file and the gzip error, keeping whole, undamaged events only
        Assert.True(trace.Truncated);
        Assert.Equal(path, warning.File);
        Assert.Contains("gzip", warning.Message, StringComparison.Ordinal);
        Assert.InRange(kept, events.Count / 4, intactEvents);
        Assert.Equal(CompleteEventNames(text, kept), ModelNames(trace));
    }

    [Fact]
    public void Keeps_the_events_before_invalid_JSON_and_says_where_it_is()
    {
        // Given three events, one per line, then a line of garbage (line 6 of the file) and an event after it
        var path = WriteText("garbage.json",
            "{\"traceEvents\": [\n" + Complete("a", 1, 1) + ",\n" + Complete("b", 2, 1) + ",\n" + Complete("c", 3, 1) + ",\n\n  @@@ garbage,\n" + Complete("d", 4, 1) + "\n]}\n");

        // When it is read
        var (trace, diagnostics) = AssertLoaded(TraceLoader.Load([path]), 3);

        // Then the events before the garbage are kept, and the warning gives its line
        Assert.Equal(["a", "b", "c"], ModelNames(trace));
        var d = AssertDiagnostic(diagnostics, "trace-truncated", path);
        Assert.Contains("invalid JSON after 3 events", d.Message, StringComparison.Ordinal);
        Assert.Contains("line 6", d.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"ts\": 1e30, \"dur\": 1", "far")]
    [InlineData("\"ts\": 5, \"dur\": 99999999999999999999999", "long")]
    [InlineData("\"ts\": -9223372036854775.809, \"dur\": 1", "early")]
    public void Drops_an_event_whose_time_does_not_fit_64_bit_nanoseconds(string times, string name)
    {
        // Given a valid event, then one whose ts or dur is beyond int64 nanoseconds
        var path = WriteText("big.json", Trace(Complete("ok", 1, 2), $"{{\"ph\": \"X\", \"cat\": \"cpu_op\", \"name\": \"{name}\", {times}, \"pid\": 1, \"tid\": 1}}"));

        // Then that event alone is dropped, counted as Dropped, and named in the warning
        var (trace, diagnostics) = AssertLoaded(TraceLoader.Load([path]), 2);
        Assert.Equal(1, trace.Cpu.Count);
        Assert.Equal(1, trace.Census.Count(EventDisposition.Dropped));
        var d = AssertDiagnostic(diagnostics, "number-out-of-range", path);
        Assert.Contains($"\"{name}\"", d.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dur", "\"ph\": \"X\", \"cat\": \"cpu_op\", \"name\": \"op\", \"ts\": 1, \"pid\": 1, \"tid\": 1")]
    [InlineData("ts", "\"ph\": \"X\", \"cat\": \"cpu_op\", \"name\": \"op\", \"dur\": 1, \"pid\": 1, \"tid\": 1")]
    [InlineData("name", "\"ph\": \"X\", \"cat\": \"cpu_op\", \"ts\": 1, \"dur\": 1, \"pid\": 1, \"tid\": 1")]
    [InlineData("ph", "\"cat\": \"cpu_op\", \"name\": \"op\", \"ts\": 1, \"dur\": 1, \"pid\": 1, \"tid\": 1")]
    public void Drops_a_complete_event_missing_a_field_it_needs(string missing, string fields)
    {
        var path = WriteText("missing.json", Trace(Complete("ok", 1, 2), $"{{{fields}}}", $"{{{fields}}}"));

        var (trace, diagnostics) = AssertLoaded(TraceLoader.Load([path]), 3);

        Assert.Equal(1, trace.Cpu.Count);
        Assert.Equal(2, trace.Census.Count(EventDisposition.Dropped));
        var d = AssertDiagnostic(diagnostics, "missing-field", path);
        Assert.Equal(2, d.Count);
        Assert.Contains(missing == "ph" ? "no ph" : $"has no {missing}", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pairs_begin_and_end_events_and_reports_the_unmatched_ones()
    {
        // Given nested B/E pairs on one thread, an E on a thread with nothing open, and a B never closed
        var path = WriteText("begin-end.json", Trace(
            """{"ph": "B", "cat": "cpu_op", "name": "outer", "ts": 10, "pid": 1, "tid": 1}""",
            """{"ph": "B", "cat": "cpu_op", "name": "inner", "ts": 12.5, "pid": 1, "tid": 1}""",
            """{"ph": "E", "ts": 15, "pid": 1, "tid": 1}""",
            """{"ph": "E", "ts": 20, "pid": 1, "tid": 1}""",
            """{"ph": "E", "ts": 21, "pid": 1, "tid": 2}""",
            """{"ph": "B", "cat": "cpu_op", "name": "never closed", "ts": 30, "pid": 1, "tid": 1}"""));

        // When it is read
        var (trace, diagnostics) = AssertLoaded(TraceLoader.Load([path]), 6);

        // Then each pair is one complete event, inner nested in outer
        Assert.Equal(2, trace.Cpu.Count);
        var outer = trace.Strings.IndexOf("outer");
        var o = trace.Cpu.Name.IndexOf(outer);
        var i = trace.Cpu.Name.IndexOf(trace.Strings.IndexOf("inner"));
        Assert.Equal((10_000L, 10_000L), (trace.Cpu.Start[o], trace.Cpu.Duration[o]));
        Assert.Equal((12_500L, 2_500L), (trace.Cpu.Start[i], trace.Cpu.Duration[i]));
        Assert.Equal(o, trace.Cpu.Parent[i]);

        // And the stray E and the open B are dropped with a warning each
        Assert.Equal(4, trace.Census.Count(EventDisposition.Cpu));
        Assert.Equal(2, trace.Census.Count(EventDisposition.Dropped));
        AssertDiagnostic(diagnostics, "unmatched-end", path);
        Assert.Equal(1, AssertDiagnostic(diagnostics, "unclosed-begin", path).Count);
    }

    [Fact]
    public void Reads_the_JSON_array_format_whose_root_is_the_event_array()
    {
        var path = WriteText("array.json", $"[{Complete("first", 1, 2)},\n{Complete("second", 3, 4)}]\n");

        var (trace, _) = AssertLoaded(TraceLoader.Load([path]), 2);

        Assert.Equal(2, trace.Cpu.Count);
        Assert.Equal([1_000L, 3_000L], trace.Cpu.Start.ToArray());
        Assert.DoesNotContain(trace.Census.Rows, r => r.Disposition == EventDisposition.Dropped);
    }

    [Fact]
    public void Reads_pids_and_tids_written_as_strings()
    {
        // Given Kineto-style textual ids ("Spans", "PyTorch Profiler") and numeric ids written as strings
        var path = WriteText("string-ids.json", Trace(
            """{"ph": "X", "cat": "cpu_op", "name": "a", "ts": 1, "dur": 1, "pid": "Spans", "tid": "PyTorch Profiler"}""",
            """{"ph": "X", "cat": "cpu_op", "name": "b", "ts": 2, "dur": 1, "pid": "123", "tid": "7"}"""));

        var (trace, _) = AssertLoaded(TraceLoader.Load([path]), 2);

        // Then text becomes a stable negative id with the text kept, and numeric text becomes the number
        var spans = Assert.Single(trace.Threads, t => t.PidLabel == "Spans");
        Assert.Equal("PyTorch Profiler", spans.TidLabel);
        Assert.True(spans.Pid < 0 && spans.Tid < 0);
        Assert.Contains(trace.Threads, t => t is { Pid: 123, Tid: 7, PidLabel: null, TidLabel: null });
    }

    [Fact]
    public void Unescapes_names()
    {
        var path = WriteText("escaped.json", Trace(
            """{"ph": "X", "cat": "cpu_op", "name": "caf\u00e9 \"quoted\" back\\slash\ttab \ud83d\ude80", "ts": 1, "dur": 1, "pid": 1, "tid": 1}"""));

        var (trace, _) = AssertLoaded(TraceLoader.Load([path]), 1);

        Assert.Equal("café \"quoted\" back\\slash\ttab 🚀", trace.Strings[trace.Cpu.Name[0]]);
    }

    [Fact]
    public void Reads_a_single_event_larger_than_the_initial_buffer()
    {
        // Given a 3 MB name (the reader starts with a 1 MiB buffer) between two ordinary events
        var name = string.Concat(Enumerable.Range(0, 300_000).Select(i => (i % 10_000).ToString("D4", CultureInfo.InvariantCulture) + "abcdef"));
        Assert.Equal(3_000_000, name.Length);
        var path = WriteText("huge.json", Trace(Complete("before", 1, 1), Complete(name, 2, 1), Complete("after", 3, 1)));

        var (trace, _) = AssertLoaded(TraceLoader.Load([path]), 3);

        Assert.Equal(new[] { "before", name, "after" }.Order(StringComparer.Ordinal), ModelNames(trace));
    }

    [Theory]
    [InlineData("{\"traceEvents\": [EVENT]}\ngarbage after the end")]
    [InlineData("{\"traceEvents\": [EVENT]}{\"traceEvents\": []}")]
    [InlineData("[EVENT]\n]]")]
    public void Ignores_data_after_the_end_of_the_trace_and_says_so(string layout)
    {
        var path = WriteText("trailing.json", layout.Replace("EVENT", Complete("op", 1, 2), StringComparison.Ordinal));

        var (trace, diagnostics) = AssertLoaded(TraceLoader.Load([path]), 1);

        Assert.Equal(1, trace.Cpu.Count);
        AssertDiagnostic(diagnostics, "trailing-data", path);
    }

    // ---- Helpers

    private static Diagnostic AssertFatal(LoadResult result, string code, string file)
    {
        Assert.Null(result.Run);
        var error = Assert.Single(result.Errors);
        Assert.Equal(code, error.Code);
        Assert.Equal(DiagnosticSeverity.Error, error.Descriptor.Severity);
        Assert.Equal(file, error.File);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
        return error;
    }

    /// <summary>The single rank of a lenient read, whose census accounts for exactly <paramref name="events"/> events.</summary>
    private static (RankTrace Trace, IReadOnlyList<Diagnostic> Diagnostics) AssertLoaded(LoadResult result, int events)
    {
        Assert.True(result.Errors.Count == 0, string.Join("; ", result.Errors.Select(e => $"{e.Code}: {e.Message}")));
        var trace = Assert.Single(result.Run!.Ranks);
        Assert.Equal(events, trace.Census.Total);
        return (trace, result.Run.Diagnostics);
    }

    /// <summary>The one diagnostic with <paramref name="code"/>; it names <paramref name="file"/>.</summary>
    private static Diagnostic AssertDiagnostic(IReadOnlyList<Diagnostic> diagnostics, string code, string file)
    {
        var d = Assert.Single(diagnostics, d => d.Code == code);
        Assert.Equal(file, d.File);
        Assert.False(string.IsNullOrWhiteSpace(d.Message));
        return d;
    }

    private static string Complete(string name, double ts, double dur) =>
        Invariant($"{{\"ph\": \"X\", \"cat\": \"cpu_op\", \"name\": {JsonSerializer.Serialize(name)}, \"ts\": {ts}, \"dur\": {dur}, \"pid\": 1, \"tid\": 1}}");

    private static string Trace(params string[] events) => $"{{\"traceEvents\": [\n{string.Join(",\n", events)}\n]}}\n";

    private static string Trace(int rank, params string[] events) =>
        $"{{\"distributedInfo\": {{\"backend\": \"nccl\", \"rank\": {rank}, \"world_size\": 8}}, \"traceEvents\": [\n{string.Join(",\n", events)}\n]}}\n";

    private string WriteText(string name, string text) => WriteBytes(name, Encoding.UTF8.GetBytes(text));

    private string WriteBytes(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static bool CanRead(string path)
    {
        try
        {
            using var s = File.OpenRead(path);
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static byte[] BinaryNoise()
    {
        var bytes = new byte[512];
        new Random(1234).NextBytes(bytes);
        bytes[0] = 0x00; // not gzip, SQLite, protobuf or JSON
        return bytes;
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    /// <summary>Offset of the deflate data after a gzip header (RFC 1952: FEXTRA, FNAME, FCOMMENT, FHCRC).</summary>
    private static int DeflateStart(byte[] gz)
    {
        var flags = gz[3];
        var p = 10;
        if ((flags & 4) != 0) p += 2 + gz[p] + (gz[p + 1] << 8);
        if ((flags & 8) != 0) while (gz[p++] != 0) { }
        if ((flags & 16) != 0) while (gz[p++] != 0) { }
        if ((flags & 2) != 0) p += 2;
        return p;
    }

    private static byte[] Decompress(byte[] gz)
    {
        using var gzip = new GZipStream(new MemoryStream(gz), CompressionMode.Decompress);
        using var output = new MemoryStream();
        gzip.CopyTo(output);
        return output.ToArray();
    }

    /// <summary>The bytes a gzip reader can inflate from damaged data before it fails or the data ends.</summary>
    private static byte[] DecompressWhatCan(byte[] gz)
    {
        using var gzip = new GZipStream(new MemoryStream(gz), CompressionMode.Decompress);
        using var output = new MemoryStream();
        var buffer = new byte[1];
        try
        {
            while (gzip.Read(buffer) > 0)
            {
                output.WriteByte(buffer[0]);
            }
        }
        catch (InvalidDataException)
        {
        }

        return output.ToArray();
    }

    /// <summary>Byte range [Start, End) of each element of traceEvents, found with a plain JSON reader.</summary>
    private static List<(int Start, int End)> EventRanges(byte[] json)
    {
        var reader = new Utf8JsonReader(json);
        var ranges = new List<(int, int)>();
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("traceEvents"u8))
            {
                reader.Read();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    ranges.Add((start, (int)reader.BytesConsumed));
                }

                return ranges;
            }
        }

        throw new InvalidOperationException("no traceEvents");
    }

    /// <summary>Sorted names of the complete (ph X, not cat Trace) events among the first <paramref name="count"/> events.</summary>
    private static List<string> CompleteEventNames(byte[] json, int count)
    {
        using var doc = JsonDocument.Parse(json);
        return [.. doc.RootElement.GetProperty("traceEvents").EnumerateArray().Take(count)
            .Where(e => e.GetProperty("ph").GetString() == "X" && e.GetProperty("cat").GetString() != "Trace")
            .Select(e => e.GetProperty("name").GetString()!)
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>Sorted names of every host and device event in the model.</summary>
    private static List<string> ModelNames(RankTrace trace)
    {
        var names = new List<string>();
        for (var i = 0; i < trace.Cpu.Count; i++)
        {
            names.Add(trace.Strings[trace.Cpu.Name[i]]);
        }

        for (var i = 0; i < trace.Gpu.Count; i++)
        {
            names.Add(trace.Strings[trace.Gpu.Name[i]]);
        }

        names.Sort(StringComparer.Ordinal);
        return names;
    }
}
