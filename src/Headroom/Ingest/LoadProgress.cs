namespace Headroom.Ingest;

/// <summary>Bytes read so far across all inputs of a load (file bytes, before decompression). Thread-safe; polled by hosts for progress bars.</summary>
public sealed class LoadProgress
{
    private long _read;
    private long _total;

    /// <summary>Total bytes of all input files.</summary>
    public long TotalBytes => Interlocked.Read(ref _total);

    /// <summary>Bytes read so far.</summary>
    public long ReadBytes => Interlocked.Read(ref _read);

    internal void AddTotal(long bytes) => Interlocked.Add(ref _total, bytes);

    internal void Advance(long bytes) => Interlocked.Add(ref _read, bytes);
}

/// <summary>Counts the bytes read through it into a <see cref="LoadProgress"/>.</summary>
internal sealed class ProgressStream(Stream inner, LoadProgress progress) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => inner.Length;
    public override long Position { get => inner.Position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        progress.Advance(n);
        return n;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
