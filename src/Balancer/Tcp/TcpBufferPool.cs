using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;

namespace Balancer.Tcp;

/// <summary>
/// The buffers of a <c>tcp</c> listener's connections, both legs: pinned blocks of <see cref="BlockSize"/>,
/// reused lock-free. Kestrel's own pool hands out 4 KiB blocks, and its socket transport receives into
/// one block at a time, so bulk data from clients cost one <c>recv</c> per 4 KiB; a pipe over these blocks
/// receives up to 64 KiB (one loopback GSO segment) per call (docs/performance-notes.md, L4). Kestrel takes it
/// through <see cref="IMemoryPoolFactory{T}"/>, which the socket transport reads from DI (ASP.NET Core 10).
/// </summary>
internal sealed class TcpBufferPool : MemoryPool<byte>, IMemoryPoolFactory<byte>
{
    /// <summary>Bytes per block: what one receive can fill.</summary>
    public const int BlockSize = 64 * 1024;

    private readonly ConcurrentQueue<Block> _free = new();
    private readonly int _maxFree;
    private int _freeCount;
    private volatile bool _disposed;

    /// <summary>A pool that keeps at most <paramref name="maxFree"/> returned blocks; the rest go to the GC.</summary>
    public TcpBufferPool(int maxFree) => _maxFree = maxFree;

    public override int MaxBufferSize => BlockSize;

    /// <summary>Blocks waiting to be rented again.</summary>
    public int FreeCount => Volatile.Read(ref _freeCount);

    /// <summary>
    /// Kestrel asks for a pool per I/O queue and disposes it on shutdown; every queue and the backend legs
    /// share this one, whose <see cref="Dispose(bool)"/> only stops it keeping blocks.
    /// </summary>
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => this;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        if (_free.TryDequeue(out var block))
        {
            Interlocked.Decrement(ref _freeCount);
            return block;
        }

        // Pinned (on the pinned object heap): sockets hand the buffer to the kernel without pinning it per call.
        return new Block(this, GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true));
    }

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        while (_free.TryDequeue(out _))
        {
            Interlocked.Decrement(ref _freeCount);
        }
    }

    private void Return(Block block)
    {
        // Bounded: after a burst of many connections the extra blocks are left to the GC instead of kept.
        if (_disposed)
        {
            return;
        }

        if (Interlocked.Increment(ref _freeCount) > _maxFree)
        {
            Interlocked.Decrement(ref _freeCount);
            return;
        }

        _free.Enqueue(block);
    }

    /// <summary>One block; disposing it (the pipe does, once) returns it to the pool.</summary>
    private sealed class Block(TcpBufferPool pool, byte[] array) : IMemoryOwner<byte>
    {
        public Memory<byte> Memory { get; } = array;

        public void Dispose() => pool.Return(this);
    }
}
