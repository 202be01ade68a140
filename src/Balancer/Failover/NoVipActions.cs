namespace Balancer.Failover;

/// <summary><c>vipAction: "none"</c>: the notify hooks move the address (e.g. a cloud API), the node touches nothing.</summary>
internal sealed class NoVipActions : IVipActions
{
    public Task AddAsync() => Task.CompletedTask;

    public Task<IReadOnlyList<string>> RemoveAsync() => Task.FromResult<IReadOnlyList<string>>([]);

    public Task AnnounceAsync() => Task.CompletedTask;

    public Task PrepareAsync() => Task.CompletedTask;
}
