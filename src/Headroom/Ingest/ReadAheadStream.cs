using System.Buffers;
using System.Collections.Concurrent;

namespace Headroom.Ingest;

/// <summary>
/// Reads (and so decompresses) the inner stream on a background thread into a few pooled blocks, so that
/// gzip inflation and JSON parsing run on both cores at once. Errors of the inner stream surface at the
/// point of the data where they happened.
/// </summary>
internal sealed class ReadAheadStream : Stream
{
    private const int BlockSize = 1 << 20;
    private readonly BlockingCollection<(byte[]? Block, int Length, Exception? Error)> _blocks = new(boundedCapacity: 4);
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _producer;
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
            while (!_stop.IsCancellationRequested)
            {
                var block = ArrayPool<byte>.Shared.Rent(BlockSize);
                int filled = 0;
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
                    _blocks.Add((block, filled, null), _stop.Token);
                }
                else
                {
                    ArrayPool<byte>.Shared.Return(block);
                }

                if (error is not null || filled < BlockSize)
                {
                    _blocks.Add((null, 0, error), _stop.Token);
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            inner.Dispose();
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

            var (block, length, error) = _blocks.Take();
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
            _stop.Cancel();
            while (_blocks.TryTake(out var item))
            {
                if (item.Block is not null)
                {
                    ArrayPool<byte>.Shared.Return(item.Block);
                }
            }

            _producer.Join();
            while (_blocks.TryTake(out var item))
            {
                if (item.Block is not null)
                {
                    ArrayPool<byte>.Shared.Return(item.Block);
                }
            }

            _stop.Dispose();
            _blocks.Dispose();
        }

        base.Dispose(disposing);
    }
}
