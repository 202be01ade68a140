using Balancer.Core.Configuration;
using Balancer.Hosting;
using Microsoft.AspNetCore.Connections;

namespace Balancer.Tcp;

/// <summary>
/// One <c>tcp</c> listener: its own Kestrel endpoint whose connections go to <see cref="TcpProxyHandler"/>,
/// so L4 shares Kestrel's socket transport, connection limit and graceful stop with L7.
/// </summary>
internal sealed class TcpListenerHost : IListenerHost
{
    /// <summary>
    /// Free blocks a listener keeps for new reads (16 MiB): enough for a few hundred busy connections
    /// without allocating; a larger burst's extra blocks go back to the GC.
    /// </summary>
    private const int MaxFreeBuffers = 256;

    /// <summary>Blocks a client's pipe may hold before Kestrel stops receiving (backpressure).</summary>
    private const int MaxReadBlocks = 4;

    private readonly WebApplication _app;
    private readonly TcpListenerContext _context;

    private TcpListenerHost(string name, WebApplication app, TcpListenerContext context)
    {
        Name = name;
        _app = app;
        _context = context;
    }

    public string Name { get; }

    public ListenerConfig Config => _context.Config;

    /// <summary>The listener's connections and bytes since it started.</summary>
    public Core.Model.ListenerCounters Counters => _context.Counters;

    /// <summary>The address actually bound (real port when config said 0).</summary>
    public string BoundAddress { get; private set; } = "";

    public static async Task<TcpListenerHost> StartAsync(string name, BalancerConfig config, ProxyServices services, CancellationToken cancellationToken)
    {
        var listener = config.Listeners[name];
        var endpoint = BindAddress.Parse(listener.Bind);
        var builder = WebAppFactory.CreateBuilder(services.Logs, services.DrainTimeout, services.Metrics.Factory);
        // DuplexCopy, the one reader of these pipes, never blocks: it only hands the bytes to a socket.
        // So Kestrel may run it on the socket's I/O thread when data arrives instead of queueing every
        // read to the thread pool (a hop, and the pool's spinning: ~7-12 sched_yield calls per
        // connection, strace). Measured in docs/performance-notes.md, L4.
        builder.WebHost.UseSockets(sockets =>
        {
            sockets.UnsafePreferInlineScheduling = true;
            // A client's pipe stops receiving at 4 blocks (256 KiB) instead of Kestrel's 1 MiB: the copy
            // sends each block as it comes, so a deeper pipe only held memory (64 streams: 307 -> 160 MB
            // peak RSS, same throughput). The kernel's socket buffers hold the rest.
            sockets.MaxReadBufferSize = MaxReadBlocks * TcpBufferPool.BlockSize;
        });
        builder.WebHost.ConfigureKestrel(k =>
        {
            // Kestrel closes connections over the limit as soon as they are accepted.
            k.Limits.MaxConcurrentConnections = listener.MaxConnections == 0 ? null : listener.MaxConnections;
            k.Listen(endpoint, listen => listen.UseConnectionHandler<TcpProxyHandler>());
        });
        var context = new TcpListenerContext(name, listener);
        builder.Services.AddSingleton(services.Pools);
        builder.Services.AddSingleton(services.Time);
        builder.Services.AddSingleton(services);
        builder.Services.AddSingleton(context);
        // Kestrel's socket transport takes its pool from this factory; the backend legs share it.
        var buffers = new TcpBufferPool(MaxFreeBuffers);
        builder.Services.AddSingleton(buffers);
        builder.Services.AddSingleton<IMemoryPoolFactory<byte>>(buffers);
        var app = builder.Build();
        await app.StartAsync(cancellationToken);
        return new TcpListenerHost(name, app, context) { BoundAddress = WebAppFactory.BoundAddress(app, endpoint) };
    }

    /// <summary>New connections use the reloaded settings; open ones keep theirs.</summary>
    public void Update(BalancerConfig config) => _context.Config = config.Listeners[Name];

    /// <summary>Stops accepting; open connections continue until <paramref name="cancellationToken"/> fires, then are closed.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => _app.StopAsync(cancellationToken);

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
