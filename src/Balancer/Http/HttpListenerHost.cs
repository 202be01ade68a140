using Balancer.Core.Configuration;
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
    private readonly ForwardedForTransform _forwardedFor;

    private HttpListenerHost(string name, ListenerConfig config, WebApplication app, ProxyConfigProvider proxyConfig, ForwardedForTransform forwardedFor)
    {
        Name = name;
        Config = config;
        _app = app;
        _proxyConfig = proxyConfig;
        _forwardedFor = forwardedFor;
    }

    public string Name { get; }

    public ListenerConfig Config { get; private set; }

    /// <summary>The address actually bound (real port when config said 0).</summary>
    public string BoundAddress { get; private set; } = "";

    public static async Task<HttpListenerHost> StartAsync(string name, BalancerConfig config, ProxyServices services, CancellationToken cancellationToken)
    {
        var listener = config.Listeners[name];
        var endpoint = BindAddress.Parse(listener.Bind);
        var time = services.Time;
        var forwardedFor = new ForwardedForTransform(listener.TrustedProxies);
        var builder = WebAppFactory.CreateBuilder(services.Logs, services.DrainTimeout);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AllowAlternateSchemes = true; // see CleartextHttp2Detection
            KestrelLimits.Apply(k, listener.Limits);
            k.Listen(endpoint, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.Use(next => connection => CleartextHttp2Detection.OnConnection(connection, next, listener.Limits.RequestHeadersTimeout));
            });
        });
        var proxyConfig = new ProxyConfigProvider(name, config);
        builder.Services.AddSingleton(services);
        builder.Services.AddSingleton(new ListenerName(name));
        builder.Services.AddSingleton<IProxyConfigProvider>(proxyConfig);
        builder.Services.AddSingleton<Yarp.ReverseProxy.Forwarder.IForwarderHttpClientFactory, BalancerHttpClientFactory>();
        builder.Services.AddReverseProxy().AddTransforms(transforms =>
        {
            // X-Forwarded-For is appended to only for trusted proxies (see ForwardedForTransform); Proto
            // and Host describe this hop, so they are set, never taken from the client.
            // Headers the client named in Connection go first, so that naming X-Forwarded-For there
            // cannot strip the one written here.
            transforms.UseDefaultForwarders = false;
            transforms.AddRequestTransform(ConnectionHeaderTransform.OnRequest);
            transforms.AddRequestTransform(forwardedFor.ApplyAsync);
            transforms.AddXForwardedProto(action: ForwardedTransformActions.Set);
            transforms.AddXForwardedHost(action: ForwardedTransformActions.Set);
            transforms.AddResponseTransform(ConnectionHeaderTransform.OnResponse);
            transforms.AddResponseTransform(context => LatencyTransform.Record(context, time));
        });
        var app = builder.Build();
        app.UseMiddleware<RequestGuardMiddleware>();
        app.MapReverseProxy(proxy => proxy.UseMiddleware<BackendSelectionMiddleware>());
        await app.StartAsync(cancellationToken);
        return new HttpListenerHost(name, listener, app, proxyConfig, forwardedFor) { BoundAddress = WebAppFactory.BoundAddress(app, endpoint) };
    }

    /// <summary>Applies a new config's routes and clusters to this listener.</summary>
    public void Update(BalancerConfig config)
    {
        Config = config.Listeners[Name];
        _forwardedFor.Update(Config.TrustedProxies);
        _proxyConfig.Update(Name, config);
    }

    /// <summary>Stops accepting and lets in-flight requests finish until <paramref name="cancellationToken"/> fires.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => _app.StopAsync(cancellationToken);

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
