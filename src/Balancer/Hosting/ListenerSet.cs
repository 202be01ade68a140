using Balancer.Core.Configuration;
using Balancer.Telemetry;

namespace Balancer.Hosting;

/// <summary>
/// The front-end listeners this process runs, by name: started at start-up and by reloads, updated in place or
/// retired (stop accepting, drain) by reloads, and stopped together on shutdown. <see cref="RuntimeState.BoundListeners"/>
/// follows it, so /status shows what is bound.
/// </summary>
internal sealed class ListenerSet(RuntimeState state, ProxyServices services, ILogger logger, TimeSpan drainTimeout)
{
    private readonly Dictionary<string, IListenerHost> _hosts = new(StringComparer.Ordinal);
    private readonly List<Task> _retiring = [];
    private IListenerHost[] _snapshot = [];

    public IReadOnlyCollection<IListenerHost> All => _hosts.Values;

    /// <summary>The running listeners as of the last start or retirement, safe to read from any thread.</summary>
    public IReadOnlyList<IListenerHost> Snapshot => Volatile.Read(ref _snapshot);

    public IListenerHost? Get(string name) => _hosts.GetValueOrDefault(name);

    /// <summary>Binds and starts the listener <paramref name="name"/> of <paramref name="config"/>; a bind failure is a <see cref="StartupException"/>.</summary>
    public async Task StartAsync(string name, BalancerConfig config, CancellationToken cancellationToken)
    {
        var listener = config.Listeners[name];
        var host = await StartupException.Binding(name, listener.Bind, () => ListenerHosts.StartAsync(name, config, services, cancellationToken));
        _hosts[name] = host;
        Volatile.Write(ref _snapshot, [.. _hosts.Values]);
        state.BoundListeners[name] = host.BoundAddress;
        Log.ListenerStarted(logger, name, listener.Protocol, host.BoundAddress);
    }

    /// <summary>Stops accepting on <paramref name="host"/> at once and lets its in-flight work drain in the background.</summary>
    public void Retire(IListenerHost host)
    {
        _hosts.Remove(host.Name);
        Volatile.Write(ref _snapshot, [.. _hosts.Values]);
        state.BoundListeners.Remove(host.Name);
        _retiring.Add(RetireAsync(host));
    }

    /// <summary>Stops accepting on every listener at once, then waits for in-flight work (and retiring listeners) up to the drain timeout.</summary>
    public async Task StopAsync()
    {
        using var drain = new CancellationTokenSource(drainTimeout);
        await Task.WhenAll([.. _hosts.Values.Select(l => l.StopAsync(drain.Token)), .. _retiring]);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts.Values)
        {
            await host.DisposeAsync();
        }
    }

    private async Task RetireAsync(IListenerHost host)
    {
        using var drain = new CancellationTokenSource(drainTimeout);
        await host.StopAsync(drain.Token);
        await host.DisposeAsync();
        Log.ListenerStopped(logger, host.Name, host.BoundAddress);
    }
}
