namespace Balancer.Hosting;

/// <summary>A running front-end listener of either protocol, as the server starts, drains and disposes it.</summary>
internal interface IListenerHost : IAsyncDisposable
{
    /// <summary>The address actually bound (real port when config said 0).</summary>
    string BoundAddress { get; }

    /// <summary>Stops accepting and lets open work finish until <paramref name="cancellationToken"/> fires.</summary>
    Task StopAsync(CancellationToken cancellationToken);
}
