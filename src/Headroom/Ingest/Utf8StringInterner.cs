using System.Buffers.Binary;
using System.Text;

namespace Headroom.Ingest;

/// <summary>
/// Interns UTF-8 byte strings into dense int ids without allocating for strings already seen
/// (open addressing over the raw bytes). Id 0 is the empty string. Not thread-safe: one per rank.
/// </summary>
internal sealed class Utf8StringInterner
{
    private const int RecentSlots = 1024;
    private int[] _buckets; // id + 1, 0 = empty
    private readonly int[] _recent = new int[RecentSlots]; // id + 1 of a string recently seen with this quick key
    private int[] _hashes = new int[256];
    private byte[][] _keys = new byte[256][];
    private readonly List<string> _strings = [];

    public Utf8StringInterner()
    {
        _buckets = new int[1024];
        Intern(""u8);
    }

    public int Count => _strings.Count;

    public string this[int id] => _strings[id];

    public int Intern(string value) => Intern(Encoding.UTF8.GetBytes(value));

    /// <summary>
    /// The id of <paramref name="utf8"/>. Traces repeat a few thousand names millions of times, so a small direct-mapped
    /// cache keyed by length and end bytes answers most calls with one comparison, without hashing the whole string.
    /// </summary>
    public int Intern(ReadOnlySpan<byte> utf8)
    {
        var slot = QuickKey(utf8) & (RecentSlots - 1);
        var recent = _recent[slot] - 1;
        if (recent >= 0 && utf8.SequenceEqual(_keys[recent]))
        {
            return recent;
        }

        var id = InternSlow(utf8);
        _recent[slot] = id + 1;
        return id;
    }

    private static int QuickKey(ReadOnlySpan<byte> utf8)
    {
        ulong h;
        if (utf8.Length >= 8)
        {
            h = (BinaryPrimitives.ReadUInt64LittleEndian(utf8) * 0x9E3779B97F4A7C15UL)
                ^ (BinaryPrimitives.ReadUInt64LittleEndian(utf8[^8..]) * 0xC2B2AE3D27D4EB4FUL);
        }
        else
        {
            h = 0;
            foreach (var b in utf8)
            {
                h = (h << 8) | b;
            }

            h *= 0x9E3779B97F4A7C15UL;
        }

        h += (ulong)utf8.Length * 0x165667B19E3779F9UL;
        return (int)(h >> 40);
    }

    private int InternSlow(ReadOnlySpan<byte> utf8)
    {
        var hash = Hash(utf8);
        var mask = _buckets.Length - 1;
        var slot = hash & mask;
        while (true)
        {
            var entry = _buckets[slot];
            if (entry == 0)
            {
                break;
            }

            var id = entry - 1;
            if (_hashes[id] == hash && utf8.SequenceEqual(_keys[id]))
            {
                return id;
            }

            slot = (slot + 1) & mask;
        }

        var newId = _strings.Count;
        if (newId == _keys.Length)
        {
            Array.Resize(ref _keys, newId * 2);
            Array.Resize(ref _hashes, newId * 2);
        }

        _keys[newId] = utf8.ToArray();
        _hashes[newId] = hash;
        _strings.Add(Encoding.UTF8.GetString(utf8));
        _buckets[slot] = newId + 1;
        if (_strings.Count * 2 > _buckets.Length)
        {
            Rehash();
        }

        return newId;
    }

    public string[] ToArray() => [.. _strings];

    private void Rehash()
    {
        var buckets = new int[_buckets.Length * 2];
        var mask = buckets.Length - 1;
        for (var id = 0; id < _strings.Count; id++)
        {
            var slot = _hashes[id] & mask;
            while (buckets[slot] != 0)
            {
                slot = (slot + 1) & mask;
            }

            buckets[slot] = id + 1;
        }

        _buckets = buckets;
    }

    private static int Hash(ReadOnlySpan<byte> utf8)
    {
        // FNV-1a over 8-byte words: fast, stable, good enough for names.
        ulong h = 14695981039346656037UL;
        var i = 0;
        for (; i + 8 <= utf8.Length; i += 8)
        {
            h = (h ^ BitConverter.ToUInt64(utf8.Slice(i, 8))) * 1099511628211UL;
        }

        for (; i < utf8.Length; i++)
        {
            h = (h ^ utf8[i]) * 1099511628211UL;
        }

        h ^= h >> 29;
        return (int)(h & 0x7FFFFFFF);
    }
}
