namespace Balancer.Http.Routing;

/// <summary>
/// Stands in for a mirrored request's body: the forwarder reads the client's body through it as usual, and it keeps a
/// copy of what passes, up to the mirror's cap, for the shadow request. It never waits or fails on the copy's account.
/// </summary>
internal sealed class BodyTee(Stream inner, int cap, long? declared) : Stream
{
    private byte[] _copy = new byte[(int)Math.Min(declared ?? 4096, cap)];
    private int _length;
    private bool _ended;

    /// <summary>Whether the forwarder read the body to its end (its declared length, or the end of a chunked one).</summary>
    public bool Complete => _ended || (declared is { } length && _length == length && !OverCap);

    /// <summary>Whether the body was longer than the cap (nothing is then mirrored).</summary>
    public bool OverCap { get; private set; }

    /// <summary>The body read, whole when <see cref="Complete"/> and not <see cref="OverCap"/>.</summary>
    public ReadOnlyMemory<byte> Copy => _copy.AsMemory(0, _length);

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        Keep(buffer.Span[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = inner.Read(buffer, offset, count);
        Keep(buffer.AsSpan(offset, read));
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private void Keep(ReadOnlySpan<byte> read)
    {
        if (read.IsEmpty)
        {
            _ended = true;
            return;
        }

        if (OverCap || _length + read.Length > cap)
        {
            OverCap = true;
            return;
        }

        if (_length + read.Length > _copy.Length)
        {
            Array.Resize(ref _copy, Math.Min(cap, Math.Max(_copy.Length * 2, _length + read.Length)));
        }

        read.CopyTo(_copy.AsSpan(_length));
        _length += read.Length;
    }
}
