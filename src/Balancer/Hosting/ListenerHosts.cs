using Balancer.Core.Configuration;
using Balancer.Http;
using Balancer.Tcp;

namespace Balancer.Hosting;

/// <summary>Starts the right kind of listener host for a listener's protocol.</summary>
internal static class ListenerHosts
{
    public static async Task<IListenerHost> StartAsync(string name, BalancerConfig config, ProxyServices services, CancellationToken cancellationToken)
    {
        var listener = config.Listeners[name];
        return listener.Protocol switch
        {
            ListenerProtocols.Http => await HttpListenerHost.StartAsync(name, config, services, cancellationToken),
            ListenerProtocols.Tcp => await TcpListenerHost.StartAsync(name, config, services, cancellationToken),
            _ => throw new StartupException($"listener {name}: protocol '{listener.Protocol}' is not supported by this build"),
        };
    }

    /// <summary>True when a running listener can take <paramref name="next"/> by update, without rebinding.</summary>
    public static bool CanUpdateInPlace(ListenerConfig running, ListenerConfig next) =>
        running.Protocol == next.Protocol && running.Bind == next.Bind
        // Kestrel's connection limit and limits are fixed when the endpoint starts: a change rebinds.
        && running.MaxConnections == next.MaxConnections
        && running.Limits == next.Limits
        // An http listener reads the PROXY header in its connection pipeline (a tcp one per connection, from its config).
        && (running.Protocol == ListenerProtocols.Tcp || running.AcceptProxyProtocol == next.AcceptProxyProtocol)
        // TLS is part of the endpoint's connection pipeline: turning it on or off rebinds; other tls changes update.
        && (running.Tls is null) == (next.Tls is null);
}
