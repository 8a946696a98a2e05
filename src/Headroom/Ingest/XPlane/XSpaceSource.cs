using System.Buffers;

namespace Headroom.Ingest.XPlane;

/// <summary>
/// The top-level fields of an XSpace, one at a time (planes, host names, the profiler's errors and warnings), so a
/// reader holds one plane in memory, never the file. A pass can be made several times.
/// </summary>
internal abstract class XSpaceSource
{
    /// <summary>Largest plane read (a span holds at most 2 GiB).</summary>
    public const int MaxPlaneBytes = int.MaxValue - 64;

    /// <summary>Receives one length-delimited top-level field; <paramref name="value"/> is valid only during the call.</summary>
    public delegate void FieldHandler(int field, ReadOnlySpan<byte> value);

    /// <summary>Bytes in the XSpace.</summary>
    public abstract long Length { get; }

    /// <summary>One pass over the top-level fields: each length-delimited one goes to <paramref name="handler"/>, others are skipped.</summary>
    public abstract void Read(FieldHandler handler);
}

/// <summary>An XSpace already in memory.</summary>
internal sealed class MemoryXSpaceSource(ReadOnlyMemory<byte> data) : XSpaceSource
{
    public override long Length => data.Length;

    public override void Read(FieldHandler handler)
    {
        var r = new ProtoReader(data.Span);
        while (r.TryReadTag(out var field, out var wire))
        {
            if (wire == WireType.LengthDelimited)
            {
                handler(field, r.ReadBytes());
            }
            else
            {
                r.Skip(wire);
            }
        }
    }
}

/// <summary>
/// An XSpace file read plane by plane: each top-level field is read into a pooled buffer, handed over and returned, so
/// memory is the largest plane plus what the reader keeps. Every length is checked against what the file has left.
/// </summary>
internal sealed class FileXSpaceSource(string path) : XSpaceSource
{
    public override long Length { get; } = new FileInfo(path).Length;

    public override void Read(FieldHandler handler)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        while (file.Position < file.Length)
        {
            var tag = Varint(file);
            var field = (int)Math.Min(tag >> 3, int.MaxValue);
            var wire = (WireType)(tag & 7);
            if (field <= 0)
            {
                throw new ProtoFormatException($"bad field tag {tag} at byte {file.Position}");
            }

            switch (wire)
            {
                case WireType.Varint:
                    Varint(file);
                    break;
                case WireType.Fixed64:
                    Skip(file, 8);
                    break;
                case WireType.Fixed32:
                    Skip(file, 4);
                    break;
                case WireType.LengthDelimited:
                    var length = Varint(file);
                    var left = file.Length - file.Position;
                    if (length > (ulong)left)
                    {
                        throw new ProtoFormatException($"a length of {length} bytes at byte {file.Position} runs past the end ({left} left)");
                    }

                    if (length > MaxPlaneBytes)
                    {
                        throw new ProtoFormatException($"a plane of {length:N0} bytes at byte {file.Position}: planes over 2 GiB are not read");
                    }

                    var buffer = ArrayPool<byte>.Shared.Rent((int)length);
                    try
                    {
                        file.ReadExactly(buffer, 0, (int)length);
                        handler(field, buffer.AsSpan(0, (int)length));
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                    }

                    break;
                default:
                    throw new ProtoFormatException($"bad wire type {(int)wire} at byte {file.Position}");
            }
        }
    }

    private static ulong Varint(Stream s)
    {
        ulong result = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            var b = s.ReadByte();
            if (b < 0)
            {
                throw new ProtoFormatException("the data ends inside a varint");
            }

            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        throw new ProtoFormatException("a varint longer than 10 bytes");
    }

    private static void Skip(Stream s, int bytes)
    {
        if (s.Length - s.Position < bytes)
        {
            throw new ProtoFormatException("the data ends inside a fixed-size field");
        }

        s.Seek(bytes, SeekOrigin.Current);
    }
}
