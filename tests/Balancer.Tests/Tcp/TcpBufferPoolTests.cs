using Balancer.Tcp;

namespace Balancer.Tests.Tcp;

/// <summary>The L4 receive blocks: whole 64 KiB blocks, reused, and a bounded free list.</summary>
public sealed class TcpBufferPoolTests
{
    [Fact]
    public void Rent_AnySize_GivesAWholeBlock()
    {
        using var pool = new TcpBufferPool(maxFree: 4);

        using var block = pool.Rent(100);

        Assert.Equal(TcpBufferPool.BlockSize, block.Memory.Length);
        Assert.Equal(TcpBufferPool.BlockSize, pool.MaxBufferSize);
    }

    [Fact]
    public void Rent_MoreThanABlock_Throws()
    {
        using var pool = new TcpBufferPool(maxFree: 4);

        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(TcpBufferPool.BlockSize + 1));
    }

    [Fact]
    public void Return_ThenRent_ReusesTheBlock()
    {
        using var pool = new TcpBufferPool(maxFree: 4);
        var first = pool.Rent();
        var memory = first.Memory;
        first.Dispose();

        using var second = pool.Rent();

        Assert.True(second.Memory.Span.Overlaps(memory.Span));
        Assert.Equal(0, pool.FreeCount);
    }

    [Fact]
    public void Return_MoreThanMaxFree_KeepsOnlyMaxFree()
    {
        using var pool = new TcpBufferPool(maxFree: 2);
        var blocks = Enumerable.Range(0, 5).Select(_ => pool.Rent()).ToList();

        blocks.ForEach(b => b.Dispose());

        Assert.Equal(2, pool.FreeCount);
    }

    [Fact]
    public void Dispose_ThenReturn_KeepsNothing()
    {
        var pool = new TcpBufferPool(maxFree: 4);
        var block = pool.Rent();
        pool.Dispose();

        block.Dispose();

        Assert.Equal(0, pool.FreeCount);
    }
}
