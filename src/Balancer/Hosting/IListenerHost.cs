using Balancer.Core.Configuration;

namespace Balancer.Hosting;

/// <summary>A running front-end listener (HTTP or TCP) that a reload can update or stop.</summary>
internal interface IListenerHost : IAsyncDisposable
{
    string Name { get; }

    /// <summary>The listener's config when it was started or last updated.</summary>
    ListenerConfig Config { get; }

    /// <summary>The address actually bound (real port when config said 0).</summary>
    string BoundAddress { get; }

    /// <summary>Applies a reloaded config whose entry for this listener kept its protocol and bind.</summary>
    void Update(BalancerConfig config);

    /// <summary>Stops accepting and lets in-flight work finish until <paramref name="cancellationToken"/> fires.</summary>
    Task StopAsync(CancellationToken cancellationToken);
}
