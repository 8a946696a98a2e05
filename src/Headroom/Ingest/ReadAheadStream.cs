using System.Buffers;

namespace Headroom.Ingest;

/// <summary>
/// Reads (and so decompresses) the inner stream on a background thread into a few pooled blocks, so that
/// gzip inflation and JSON parsing run on both cores at once. Errors of the inner stream surface at the
/// point of the data where they happened.
/// </summary>
/// <remarks>
/// The hand-off is a small ring guarded by a lock with <see cref="Monitor.Wait(object)"/>: the producer is usually
/// ahead and waits for a free slot, and a blocking wait costs nothing while it waits (a spinning queue burned
/// a good part of a core doing so). Blocks are 1 MiB: a hand-off every two or three milliseconds of parsing.
/// </remarks>
internal sealed class ReadAheadStream : Stream
{
    private const int BlockSize = 1 << 20;
    private const int Slots = 4;

    private readonly (byte[]? Block, int Length, Exception? Error)[] _ring = new (byte[]?, int, Exception?)[Slots];
    private readonly object _gate = new();
    private readonly Thread _producer;
    private int _head, _count; // ring: next slot to take, slots filled
    private bool _stopping;
    private byte[]? _current;
    private int _currentLength, _currentOffset;
    private bool _ended;
    private Exception? _error;

    public ReadAheadStream(Stream inner)
    {
        _producer = new Thread(() => Produce(inner)) { IsBackground = true, Name = "headroom-read-ahead" };
        _producer.Start();
    }

    private void Produce(Stream inner)
    {
        try
        {
            while (true)
            {
                var block = ArrayPool<byte>.Shared.Rent(BlockSize);
                var filled = 0;
                Exception? error = null;
                try
                {
                    while (filled < BlockSize)
                    {
                        var n = inner.Read(block, filled, BlockSize - filled);
                        if (n == 0)
                        {
                            break;
                        }

                        filled += n;
                    }
                }
                catch (Exception e) when (e is InvalidDataException or IOException)
                {
                    error = e;
                }

                if (filled > 0)
                {
                    if (!Put((block, filled, null)))
                    {
                        ArrayPool<byte>.Shared.Return(block);
                        return;
                    }
                }
                else
                {
                    ArrayPool<byte>.Shared.Return(block);
                }

                if (error is not null || filled < BlockSize)
                {
                    Put((null, 0, error));
                    return;
                }
            }
        }
        finally
        {
            inner.Dispose();
        }
    }

    /// <summary>Queues an item, waiting for a free slot; false when the stream is being disposed.</summary>
    private bool Put((byte[]? Block, int Length, Exception? Error) item)
    {
        lock (_gate)
        {
            while (_count == Slots && !_stopping)
            {
                Monitor.Wait(_gate);
            }

            if (_stopping)
            {
                return false;
            }

            _ring[(_head + _count) % Slots] = item;
            _count++;
            Monitor.PulseAll(_gate);
            return true;
        }
    }

    private (byte[]? Block, int Length, Exception? Error) Take()
    {
        lock (_gate)
        {
            while (_count == 0)
            {
                Monitor.Wait(_gate);
            }

            var item = _ring[_head];
            _ring[_head] = default;
            _head = (_head + 1) % Slots;
            _count--;
            Monitor.PulseAll(_gate);
            return item;
        }
    }

    public override int Read(Span<byte> buffer)
    {
        while (_current is null || _currentOffset == _currentLength)
        {
            if (_current is not null)
            {
                ArrayPool<byte>.Shared.Return(_current);
                _current = null;
            }

            if (_ended)
            {
                if (_error is not null)
                {
                    var e = _error;
                    _error = null;
                    throw new InvalidDataException(e.Message, e);
                }

                return 0;
            }

            var (block, length, error) = Take();
            if (block is null)
            {
                _ended = true;
                _error = error;
                continue;
            }

            _current = block;
            _currentLength = length;
            _currentOffset = 0;
        }

        var n = Math.Min(buffer.Length, _currentLength - _currentOffset);
        _current.AsSpan(_currentOffset, n).CopyTo(buffer);
        _currentOffset += n;
        return n;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_gate)
            {
                _stopping = true;
                Monitor.PulseAll(_gate);
            }

            _producer.Join();
            lock (_gate)
            {
                for (; _count > 0; _count--, _head = (_head + 1) % Slots)
                {
                    if (_ring[_head].Block is byte[] block)
                    {
                        ArrayPool<byte>.Shared.Return(block);
                    }

                    _ring[_head] = default;
                }
            }

            if (_current is not null)
            {
                ArrayPool<byte>.Shared.Return(_current);
                _current = null;
            }
        }

        base.Dispose(disposing);
    }
}
