namespace Headroom.Ingest;

/// <summary>
/// A growable column stored in fixed-size chunks: appending never copies what is already there (no doubling
/// copies, no half-empty tail of doubled capacity), and <see cref="Release"/> drops the chunks once the column
/// has been turned into its final array. The first chunk starts small and doubles up to the chunk size, so
/// tiny traces stay tiny.
/// </summary>
internal sealed class ColumnBuilder<T>
{
    /// <summary>Elements per full chunk (2^16): 512 KiB of longs, so chunks live on the large object heap and are never copied by the GC.</summary>
    private const int ChunkShift = 16;
    private const int ChunkSize = 1 << ChunkShift;
    private const int ChunkMask = ChunkSize - 1;
    private const int FirstChunkSize = 256;

    private T[][] _chunks = [new T[FirstChunkSize]];
    private T[] _current;
    private int _used;

    public ColumnBuilder() => _current = _chunks[0];

    public int Count { get; private set; }

    public T this[int index]
    {
        get => _chunks[index >> ChunkShift][index & ChunkMask];
        set => _chunks[index >> ChunkShift][index & ChunkMask] = value;
    }

    public void Add(T value)
    {
        if (_used == _current.Length)
        {
            Grow();
        }

        _current[_used++] = value;
        Count++;
    }

    private void Grow()
    {
        if (_current.Length < ChunkSize)
        {
            // Still the first chunk: double it, up to a full chunk.
            Array.Resize(ref _current, Math.Min(_current.Length * 2, ChunkSize));
            _chunks[0] = _current;
            return;
        }

        var index = Count >> ChunkShift;
        if (index == _chunks.Length)
        {
            Array.Resize(ref _chunks, _chunks.Length * 2);
        }

        _current = GC.AllocateUninitializedArray<T>(ChunkSize);
        _chunks[index] = _current;
        _used = 0;
    }

    /// <summary>The values in the order given by <paramref name="order"/> (a permutation of indices).</summary>
    public T[] ToArray(int[] order)
    {
        var result = GC.AllocateUninitializedArray<T>(order.Length);
        var chunks = _chunks;
        for (var i = 0; i < result.Length; i++)
        {
            var j = order[i];
            result[i] = chunks[j >> ChunkShift][j & ChunkMask];
        }

        return result;
    }

    /// <summary>The values in insertion order.</summary>
    public T[] ToArray()
    {
        var result = GC.AllocateUninitializedArray<T>(Count);
        var at = 0;
        for (var c = 0; at < Count; c++)
        {
            var n = Math.Min(_chunks[c].Length, Count - at);
            _chunks[c].AsSpan(0, n).CopyTo(result.AsSpan(at));
            at += n;
        }

        return result;
    }

    /// <summary>Drops the stored values (after the column was turned into its final array); the column is empty afterwards.</summary>
    public void Release()
    {
        _chunks = [new T[FirstChunkSize]];
        _current = _chunks[0];
        _used = 0;
        Count = 0;
    }
}
