using System.Buffers.Binary;

namespace Headroom.Ingest.XPlane;

/// <summary>Protocol-buffer wire types.</summary>
internal enum WireType
{
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    StartGroup = 3,
    EndGroup = 4,
    Fixed32 = 5,
}

/// <summary>The input is not a well-formed protocol buffer (a length past the end, a varint too long, a bad wire type).</summary>
internal sealed class ProtoFormatException(string message) : Exception(message);

/// <summary>
/// A forward-only reader of the protocol-buffer wire format over a span: no allocation, no generated classes, every
/// length checked against what is left (hostile input cannot make it read past the end or allocate).
/// </summary>
internal ref struct ProtoReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _pos;

    /// <summary>Bytes read so far.</summary>
    public readonly int Position => _pos;

    /// <summary>The first length-delimited field <paramref name="number"/> of <paramref name="message"/> as UTF-8 text; "" when absent.</summary>
    public static string FirstString(ReadOnlySpan<byte> message, int number)
    {
        var r = new ProtoReader(message);
        while (r.TryReadTag(out var field, out var wire))
        {
            if (field == number && wire == WireType.LengthDelimited)
            {
                return System.Text.Encoding.UTF8.GetString(r.ReadBytes());
            }

            r.Skip(wire);
        }

        return "";
    }

    /// <summary>True while bytes are left.</summary>
    public readonly bool More => _pos < _data.Length;

    /// <summary>Reads the next field's number and wire type; false at the end.</summary>
    public bool TryReadTag(out int field, out WireType wire)
    {
        if (_pos >= _data.Length)
        {
            field = 0;
            wire = 0;
            return false;
        }

        var tag = ReadVarint();
        field = (int)(tag >> 3);
        wire = (WireType)(tag & 7);
        if (field <= 0 || tag >> 3 > int.MaxValue || wire is WireType.StartGroup or WireType.EndGroup || (int)wire > 5)
        {
            throw new ProtoFormatException($"bad field tag {tag} at byte {_pos}");
        }

        return true;
    }

    /// <summary>A base-128 varint (at most 10 bytes).</summary>
    public ulong ReadVarint()
    {
        ulong result = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            if (_pos >= _data.Length)
            {
                throw new ProtoFormatException("the data ends inside a varint");
            }

            var b = _data[_pos++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        throw new ProtoFormatException($"a varint longer than 10 bytes at byte {_pos}");
    }

    /// <summary>An int64 field (two's complement varint).</summary>
    public long ReadInt64() => unchecked((long)ReadVarint());

    /// <summary>A double field (fixed 64).</summary>
    public double ReadDouble() => BitConverter.Int64BitsToDouble(unchecked((long)ReadFixed64()));

    /// <summary>A fixed 64-bit field.</summary>
    public ulong ReadFixed64()
    {
        if (_data.Length - _pos < 8)
        {
            throw new ProtoFormatException("the data ends inside a fixed64");
        }

        var v = BinaryPrimitives.ReadUInt64LittleEndian(_data.Slice(_pos, 8));
        _pos += 8;
        return v;
    }

    /// <summary>A length-delimited field's bytes (a string, bytes or an embedded message), without copying.</summary>
    public ReadOnlySpan<byte> ReadBytes()
    {
        var length = ReadVarint();
        if (length > (ulong)(_data.Length - _pos))
        {
            throw new ProtoFormatException($"a length of {length} bytes at byte {_pos} runs past the end ({_data.Length - _pos} left)");
        }

        var slice = _data.Slice(_pos, (int)length);
        _pos += (int)length;
        return slice;
    }

    /// <summary>Skips a field of the given wire type.</summary>
    public void Skip(WireType wire)
    {
        switch (wire)
        {
            case WireType.Varint:
                ReadVarint();
                break;
            case WireType.Fixed64:
                ReadFixed64();
                break;
            case WireType.LengthDelimited:
                ReadBytes();
                break;
            case WireType.Fixed32:
                if (_data.Length - _pos < 4)
                {
                    throw new ProtoFormatException("the data ends inside a fixed32");
                }

                _pos += 4;
                break;
            default:
                throw new ProtoFormatException($"unsupported wire type {wire}");
        }
    }
}
