using Balancer.Failover;

namespace Balancer.Tests.Failover;

/// <summary>Counts what the service asked of the virtual IPs instead of touching an interface.</summary>
internal sealed class FakeVipActions : IVipActions
{
    private int _adds;
    private int _removes;
    private int _announces;

    public int Adds => Volatile.Read(ref _adds);

    public int Removes => Volatile.Read(ref _removes);

    public int Announces => Volatile.Read(ref _announces);

    public Task AddAsync() => Count(ref _adds);

    public Task RemoveAsync() => Count(ref _removes);

    public Task AnnounceAsync() => Count(ref _announces);

    private static Task Count(ref int counter)
    {
        Interlocked.Increment(ref counter);
        return Task.CompletedTask;
    }
}
