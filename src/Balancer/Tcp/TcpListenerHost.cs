using Balancer.Core.Configuration;
using Balancer.Core.Model;
using Balancer.Hosting;
using Microsoft.AspNetCore.Connections;

namespace Balancer.Tcp;

/// <summary>
/// One <c>tcp</c> listener: its own Kestrel endpoint whose connections go to <see cref="TcpProxyHandler"/>,
/// so L4 shares Kestrel's socket transport, connection limit and graceful stop with L7.
/// </summary>
internal sealed class TcpListenerHost : IListenerHost
{
    private readonly WebApplication _app;

    private TcpListenerHost(string name, WebApplication app)
    {
        Name = name;
        _app = app;
    }

    public string Name { get; }

    /// <summary>The address actually bound (real port when config said 0).</summary>
    public string BoundAddress { get; private set; } = "";

    public static async Task<TcpListenerHost> StartAsync(
        string name, BalancerConfig config, PoolRegistry pools, TimeProvider time, ILoggerFactory logs, TimeSpan drainTimeout, CancellationToken cancellationToken)
    {
        var listener = config.Listeners[name];
        var endpoint = BindAddress.Parse(listener.Bind);
        var builder = WebAppFactory.CreateBuilder(logs, drainTimeout);
        builder.WebHost.ConfigureKestrel(k =>
        {
            // Kestrel closes connections over the limit as soon as they are accepted.
            k.Limits.MaxConcurrentConnections = listener.MaxConnections == 0 ? null : listener.MaxConnections;
            k.Listen(endpoint, listen => listen.UseConnectionHandler<TcpProxyHandler>());
        });
        builder.Services.AddSingleton(pools);
        builder.Services.AddSingleton(time);
        builder.Services.AddSingleton(new TcpListenerContext(name, listener));
        var app = builder.Build();
        await app.StartAsync(cancellationToken);
        return new TcpListenerHost(name, app) { BoundAddress = WebAppFactory.BoundAddress(app, endpoint) };
    }

    /// <summary>Stops accepting; open connections continue until <paramref name="cancellationToken"/> fires, then are closed.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => _app.StopAsync(cancellationToken);

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
