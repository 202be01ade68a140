using Balancer.Failover;

namespace Balancer.Tests.Failover;

/// <summary>Counts what the service asked of the virtual IPs instead of touching an interface; remembers whether they are "on" it.</summary>
internal sealed class FakeVipActions : IVipActions
{
    private int _adds;
    private int _removes;
    private int _announces;
    private volatile bool _onInterface;

    private readonly Task _prepared;
    private int _prepares;

    /// <summary>
    /// Starts with the virtual IP already on the interface when <paramref name="stale"/>, as a crash of the master leaves
    /// it; <see cref="PrepareAsync"/> completes with <paramref name="prepared"/> (at once by default).
    /// </summary>
    public FakeVipActions(bool stale = false, Task? prepared = null)
    {
        _onInterface = stale;
        _prepared = prepared ?? Task.CompletedTask;
    }

    public int Prepares => Volatile.Read(ref _prepares);

    public int Adds => Volatile.Read(ref _adds);

    public int Removes => Volatile.Read(ref _removes);

    public int Announces => Volatile.Read(ref _announces);

    public bool OnInterface => _onInterface;

    public Task AddAsync()
    {
        _onInterface = true;
        return Count(ref _adds);
    }

    public Task<IReadOnlyList<string>> RemoveAsync()
    {
        Interlocked.Increment(ref _removes);
        var removed = _onInterface ? new[] { "198.18.0.100/24" } : [];
        _onInterface = false;
        return Task.FromResult<IReadOnlyList<string>>(removed);
    }

    public Task AnnounceAsync() => Count(ref _announces);

    public Task PrepareAsync()
    {
        Interlocked.Increment(ref _prepares);
        return _prepared;
    }

    private static Task Count(ref int counter)
    {
        Interlocked.Increment(ref counter);
        return Task.CompletedTask;
    }
}
