using Balancer.Failover;

namespace Balancer.Tests.Failover;

public sealed class GcMarkTests
{
    [Fact]
    public void Since_CountsEachCollectionOnceByItsOldestGeneration()
    {
        // CollectionCount(n) counts collections of generation n or older: one gen2 collection adds 1 to all three.
        var before = new GcMark(TimeSpan.FromMilliseconds(10), Gen0: 5, Gen1: 2, Gen2: 1);
        var after = new GcMark(TimeSpan.FromMilliseconds(278), Gen0: 9, Gen1: 4, Gen2: 2);

        Assert.Equal("; the GC paused the process 268 ms meanwhile (2 gen0 collections, 1 gen1 collection, 1 gen2 collection)", after.Since(before));
    }

    [Fact]
    public void Since_NoCollection_SaysOnlyThePause()
    {
        var mark = new GcMark(TimeSpan.FromMilliseconds(40), 3, 2, 1);

        Assert.Equal("; the GC paused the process 0 ms meanwhile", mark.Since(mark));
    }
}
