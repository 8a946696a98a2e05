using System.IO.Compression;
using System.Text;

namespace Headroom.Ingest;

/// <summary>Trace formats Headroom can tell apart by content.</summary>
public enum TraceFormat
{
    /// <summary>Not recognised.</summary>
    Unknown,
    /// <summary>Empty file.</summary>
    Empty,
    /// <summary>Chrome Trace Event Format JSON (PyTorch profiler / Kineto, ONNX Runtime).</summary>
    ChromeTrace,
    /// <summary>rocprofiler-sdk JSON.</summary>
    RocprofJson,
    /// <summary>JAX/TensorFlow XSpace protobuf.</summary>
    XPlane,
    /// <summary>SQLite database (Nsight Systems export).</summary>
    Sqlite,
    /// <summary>gzip data that fails to inflate before any content could be read.</summary>
    CorruptGzip,
}

/// <summary>The detected format, and whether the bytes are gzip-compressed.</summary>
public sealed record DetectedFormat(TraceFormat Format, bool Gzip, string Description);

/// <summary>Detects a trace's format from its first bytes (decompressing gzip first), never from its file name.</summary>
public static class TraceFormatDetector
{
    private const int ProbeBytes = 64 * 1024;

    /// <summary>Detects the format of the file at <paramref name="path"/>. Throws <see cref="IOException"/> when it cannot be read.</summary>
    public static DetectedFormat Detect(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var head = new byte[ProbeBytes];
        var n = ReadUpTo(file, head);
        if (n == 0)
        {
            return new DetectedFormat(TraceFormat.Empty, false, "empty file");
        }

        if (n >= 2 && head[0] == 0x1F && head[1] == 0x8B)
        {
            file.Position = 0;
            var inner = new byte[ProbeBytes];
            int m;
            try
            {
                using var gz = new GZipStream(file, CompressionMode.Decompress);
                m = ReadUpTo(gz, inner);
            }
            catch (InvalidDataException)
            {
                return new DetectedFormat(TraceFormat.CorruptGzip, true, "gzip data that cannot be decompressed");
            }

            var format = DetectContent(inner.AsSpan(0, m));
            return format with { Gzip = true };
        }

        return DetectContent(head.AsSpan(0, n));
    }

    /// <summary>Detects the format of uncompressed leading bytes.</summary>
    public static DetectedFormat DetectContent(ReadOnlySpan<byte> head)
    {
        if (head.Length == 0)
        {
            return new DetectedFormat(TraceFormat.Empty, false, "empty");
        }

        if (head.StartsWith("SQLite format 3\0"u8))
        {
            return new DetectedFormat(TraceFormat.Sqlite, false, "SQLite database (Nsight Systems export)");
        }

        var text = head;
        if (text.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            text = text[3..];
        }

        var i = 0;
        while (i < text.Length && text[i] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
        {
            i++;
        }

        if (i == text.Length && head.Length < ProbeBytes)
        {
            return new DetectedFormat(TraceFormat.Empty, false, "only white space");
        }

        if (i < text.Length && text[i] is (byte)'{' or (byte)'[')
        {
            if (text.IndexOf("\"rocprofiler-sdk-tool\""u8) >= 0)
            {
                return new DetectedFormat(TraceFormat.RocprofJson, false, "rocprofiler-sdk JSON");
            }

            if (text[i] == (byte)'[' || text.IndexOf("\"traceEvents\""u8) >= 0 || text.IndexOf("\"ph\""u8) >= 0
                || text.IndexOf("\"deviceProperties\""u8) >= 0 || text.IndexOf("\"schemaVersion\""u8) >= 0)
            {
                return new DetectedFormat(TraceFormat.ChromeTrace, false, "Chrome trace JSON");
            }

            // A large metadata block may precede traceEvents: let the reader decide.
            return new DetectedFormat(TraceFormat.ChromeTrace, false, "JSON (assumed Chrome trace)");
        }

        if (LooksLikeXSpace(head))
        {
            return new DetectedFormat(TraceFormat.XPlane, false, "XSpace protobuf (JAX/TensorFlow profiler)");
        }

        if (FirstNestedTag(head) == 0x0A)
        {
            // An xla.HloProto: hlo_module (field 1) whose first field is its name (field 1, length-delimited).
            return new DetectedFormat(TraceFormat.Unknown, false,
                "an XLA HloProto (a compiled module, not a profile); profile with jax.profiler for an .xplane.pb, which embeds the modules it ran");
        }

        return new DetectedFormat(TraceFormat.Unknown, false, Printable(head) ? "text that is not JSON" : "binary data of an unknown format");
    }

    // XSpace starts with field 1 (planes, length-delimited) whose XPlane starts with field 1 (id, varint) or 2 (name).
    private static bool LooksLikeXSpace(ReadOnlySpan<byte> head) => FirstNestedTag(head) is 0x08 or 0x12;

    /// <summary>When the data starts with field 1 length-delimited, the first tag byte inside it; else -1.</summary>
    private static int FirstNestedTag(ReadOnlySpan<byte> head)
    {
        if (head.Length < 3 || head[0] != 0x0A)
        {
            return -1;
        }

        var i = 1;
        while (i < head.Length && i <= 10 && (head[i] & 0x80) != 0)
        {
            i++; // the length varint
        }

        return i + 1 < head.Length && i <= 10 ? head[i + 1] : -1;
    }

    private static bool Printable(ReadOnlySpan<byte> head)
    {
        var sample = head[..Math.Min(head.Length, 512)];
        foreach (var b in sample)
        {
            if (b < 0x09 || (b > 0x0D && b < 0x20))
            {
                return false;
            }
        }

        return Encoding.UTF8.GetCharCount(sample) > 0;
    }

    private static int ReadUpTo(Stream s, byte[] buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            int n;
            try
            {
                n = s.Read(buffer, total, buffer.Length - total);
            }
            catch (InvalidDataException) when (total > 0)
            {
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
}
