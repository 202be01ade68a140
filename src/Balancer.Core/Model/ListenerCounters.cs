namespace Balancer.Core.Model;

/// <summary>The connections and bytes of one <c>tcp</c> listener, counted lock-free as they happen.</summary>
public sealed class ListenerCounters
{
    private long _connections;
    private int _active;
    private long _bytesIn;
    private long _bytesOut;

    /// <summary>Connections accepted since the listener started.</summary>
    public long Connections => Interlocked.Read(ref _connections);

    /// <summary>Connections open now.</summary>
    public int Active => Volatile.Read(ref _active);

    /// <summary>Bytes from clients to backends.</summary>
    public long BytesIn => Interlocked.Read(ref _bytesIn);

    /// <summary>Bytes from backends to clients.</summary>
    public long BytesOut => Interlocked.Read(ref _bytesOut);

    /// <summary>Counts a connection accepted.</summary>
    public void OnOpened()
    {
        Interlocked.Increment(ref _connections);
        Interlocked.Increment(ref _active);
    }

    /// <summary>Counts a connection closed.</summary>
    public void OnClosed() => Interlocked.Decrement(ref _active);

    /// <summary>Counts bytes carried from a client to a backend.</summary>
    public void AddBytesIn(long count) => Interlocked.Add(ref _bytesIn, count);

    /// <summary>Counts bytes carried from a backend to a client.</summary>
    public void AddBytesOut(long count) => Interlocked.Add(ref _bytesOut, count);
}
