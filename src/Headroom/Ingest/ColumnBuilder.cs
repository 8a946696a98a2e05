namespace Headroom.Ingest;

/// <summary>A growable column (amortised doubling); <see cref="ToArray"/> trims it to its length.</summary>
internal sealed class ColumnBuilder<T>
{
    private T[] _items = new T[1024];

    public int Count { get; private set; }

    public T this[int index]
    {
        get => _items[index];
        set => _items[index] = value;
    }

    public void Add(T value)
    {
        if (Count == _items.Length)
        {
            Array.Resize(ref _items, _items.Length * 2);
        }

        _items[Count++] = value;
    }

    /// <summary>The values in the order given by <paramref name="order"/> (a permutation of indices).</summary>
    public T[] ToArray(int[] order)
    {
        var result = new T[order.Length];
        for (var i = 0; i < order.Length; i++)
        {
            result[i] = _items[order[i]];
        }

        return result;
    }

    public Span<T> AsSpan() => _items.AsSpan(0, Count);
}
