using Balancer.Core.Configuration;
using Balancer.Core.Model;
using Balancer.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms;

namespace Balancer.Http;

/// <summary>One HTTP listener: its own Kestrel endpoint and YARP instance over the shared core pools.</summary>
internal sealed class HttpListenerHost : IListenerHost
{
    private readonly WebApplication _app;
    private readonly ProxyConfigProvider _proxyConfig;

    private HttpListenerHost(string name, WebApplication app, ProxyConfigProvider proxyConfig)
    {
        Name = name;
        _app = app;
        _proxyConfig = proxyConfig;
    }

    public string Name { get; }

    /// <summary>The address actually bound (real port when config said 0).</summary>
    public string BoundAddress { get; private set; } = "";

    public static async Task<HttpListenerHost> StartAsync(
        string name, BalancerConfig config, PoolRegistry pools, TimeProvider time, ILoggerFactory logs, TimeSpan drainTimeout, CancellationToken cancellationToken)
    {
        var endpoint = BindAddress.Parse(config.Listeners[name].Bind);
        var builder = WebAppFactory.CreateBuilder(logs, drainTimeout);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AllowAlternateSchemes = true; // see CleartextHttp2Detection
            k.Listen(endpoint, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.Use(next => connection => CleartextHttp2Detection.OnConnection(connection, next));
            });
        });
        var proxyConfig = new ProxyConfigProvider(name, config);
        builder.Services.AddSingleton(pools);
        builder.Services.AddSingleton(time);
        builder.Services.AddSingleton<IProxyConfigProvider>(proxyConfig);
        builder.Services.AddSingleton<Yarp.ReverseProxy.Forwarder.IForwarderHttpClientFactory, BalancerHttpClientFactory>();
        builder.Services.AddReverseProxy().AddTransforms(transforms =>
        {
            // X-Forwarded-For is appended to (as NGINX's $proxy_add_x_forwarded_for); Proto and
            // Host describe this hop, so they are set, never taken from the client.
            transforms.UseDefaultForwarders = false;
            transforms.AddXForwardedFor(action: ForwardedTransformActions.Append);
            transforms.AddXForwardedProto(action: ForwardedTransformActions.Set);
            transforms.AddXForwardedHost(action: ForwardedTransformActions.Set);
            transforms.AddRequestTransform(ConnectionHeaderTransform.OnRequest);
            transforms.AddResponseTransform(ConnectionHeaderTransform.OnResponse);
            transforms.AddResponseTransform(context => LatencyTransform.Record(context, time));
        });
        var app = builder.Build();
        app.MapReverseProxy(proxy => proxy.UseMiddleware<BackendSelectionMiddleware>());
        await app.StartAsync(cancellationToken);
        return new HttpListenerHost(name, app, proxyConfig) { BoundAddress = WebAppFactory.BoundAddress(app, endpoint) };
    }

    /// <summary>Applies a new config's routes and clusters to this listener.</summary>
    public void Update(BalancerConfig config) => _proxyConfig.Update(Name, config);

    /// <summary>Stops accepting and lets in-flight requests finish until <paramref name="cancellationToken"/> fires.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => _app.StopAsync(cancellationToken);

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
