using Balancer.Core.Configuration;
using Balancer.Hosting;
using Balancer.Http.Forwarding;
using Balancer.Http.Http1;
using Balancer.Http.Routing;
using Balancer.Telemetry;
using Balancer.Tls;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Balancer.Http;

/// <summary>One HTTP listener: its own Kestrel endpoint and YARP instance over the shared core pools.</summary>
internal sealed class HttpListenerHost : IListenerHost
{
    private readonly WebApplication _app;
    private readonly ProxyConfigProvider _proxyConfig;
    private readonly HttpsRedirect _redirect;
    private readonly ProxyServices _services;
    private readonly Http1Pools _http1Pools;

    private readonly MirrorDispatcher _mirrors;

    private HttpListenerHost(string name, ListenerConfig config, WebApplication app, ProxyConfigProvider proxyConfig, HttpsRedirect redirect, ListenerTls? tls, ProxyServices services, Http1Pools http1Pools, MirrorDispatcher mirrors)
    {
        _mirrors = mirrors;
        _http1Pools = http1Pools;
        Name = name;
        Config = config;
        _app = app;
        _proxyConfig = proxyConfig;
        _redirect = redirect;
        _services = services;
        Tls = tls;
    }

    public string Name { get; }

    public ListenerConfig Config { get; private set; }

    /// <summary>The address actually bound (real port when config said 0).</summary>
    public string BoundAddress { get; private set; } = "";

    /// <summary>The certificates and HSTS of an https listener; null for cleartext.</summary>
    public ListenerTls? Tls { get; }

    public static async Task<HttpListenerHost> StartAsync(string name, BalancerConfig config, ProxyServices services, CancellationToken cancellationToken)
    {
        var listenerConfig = config.Listeners[name];
        var endpoint = BindAddress.Parse(listenerConfig.Bind);
        var tls = listenerConfig.Tls is { } tlsConfig ? ListenerTls.Create(name, tlsConfig, services) : null;
        var time = services.Time;
        var builder = WebAppFactory.CreateBuilder(services.Logs, services.DrainTimeout, services.Metrics.Factory);
        // Kestrel's own refusals reach no middleware; it only logs them (at Debug), so count them from its log.
        builder.Logging.AddProvider(new KestrelRefusalCounter(name, services.Metrics));
        builder.Logging.AddFilter<KestrelRefusalCounter>(null, LogLevel.None);
        builder.Logging.AddFilter<KestrelRefusalCounter>(KestrelRefusalCounter.BadRequestsCategory, LogLevel.Debug);
        builder.Logging.AddFilter<KestrelRefusalCounter>(KestrelRefusalCounter.Http2Category, LogLevel.Debug);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AllowAlternateSchemes = true; // see CleartextHttp2Detection
            KestrelLimits.Apply(k, listenerConfig.Limits);
            k.Listen(endpoint, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                if (tls is null)
                {
                    listen.Use(next => connection => CleartextHttp2Detection.OnConnection(connection, next, listenerConfig.Limits.RequestHeadersTimeout));
                }
                else
                {
                    // Per-connection options: the certificate is chosen by SNI from the current table; ALPN picks h2 or http/1.1.
                    listen.UseHttps(new TlsHandshakeCallbackOptions { OnConnection = tls.OnConnection });
                }
            });
        });
        var proxyConfig = new ProxyConfigProvider(name, config, services.RouteStats);
        var mirrors = new MirrorDispatcher(services.Pools);
        builder.Services.AddSingleton(services);
        builder.Services.AddSingleton(new ListenerName(name));
        builder.Services.AddSingleton(listenerConfig.Limits);
        builder.Services.AddSingleton<IProxyConfigProvider>(proxyConfig);
        builder.Services.AddSingleton<Yarp.ReverseProxy.Forwarder.IForwarderHttpClientFactory, BalancerHttpClientFactory>();
        var http1Pools = new Http1Pools(time, services.Pools);
        builder.Services.AddSingleton(new Http1Forwarder(http1Pools, tls, time));
        builder.Services.AddSingleton(mirrors);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<MatcherPolicy, RouteMatcherPolicy>());
        // Each route's request and response are shaped by its ForwardingPlan alone, in both forwarders: YARP's
        // transform builder (and its default X-Forwarded-* and Host transforms) is replaced by one that applies it.
        builder.Services.AddSingleton<ITransformBuilder>(new ForwardingTransformBuilder(proxyConfig, tls, time));
        builder.Services.AddReverseProxy();
        // YARP registers authorization for per-route policies, which Balancer never sets, and WebApplication then
        // puts AuthorizationMiddleware in front of every request. Without a handler provider it does not: one
        // async layer less per request (-9 to -13 % CPU per request in keep-alive, docs/benchmarks.md).
        builder.Services.RemoveAll<IAuthorizationHandlerProvider>();
        var app = builder.Build();
        if (tls is not null)
        {
            app.UseMiddleware<HstsMiddleware>(tls);
        }

        app.UseMiddleware<RequestGuardMiddleware>();
        app.UseMiddleware<RouteAnswerMiddleware>();
        app.MapReverseProxy(proxy =>
        {
            proxy.UseMiddleware<MirrorMiddleware>();
            proxy.UseMiddleware<BackendSelectionMiddleware>();
        }).ConfigureEndpoints((endpoint, route) => endpoint.WithMetadata(proxyConfig.RoutePlanOf(route)));
        var redirect = new HttpsRedirect(listenerConfig);
        app.MapFallback("{**path}", redirect.Handle);
        services.Metrics.ListenerStarted(name);
        await app.StartAsync(cancellationToken);
        if (tls is not null)
        {
            services.Certificates.Add(tls);
        }

        return new HttpListenerHost(name, listenerConfig, app, proxyConfig, redirect, tls, services, http1Pools, mirrors) { BoundAddress = WebAppFactory.BoundAddress(app, endpoint) };
    }

    /// <summary>Applies a new config's routes, clusters and forwarding plans (forwarder, trusted proxies) to this listener.</summary>
    public void Update(BalancerConfig config)
    {
        Config = config.Listeners[Name];
        _proxyConfig.Update(Name, config);
        _redirect.Update(Config);
        if (Tls is not null && Config.Tls is not null)
        {
            // The loader has just checked these files; a problem here means they changed in between.
            foreach (var error in Tls.Reload(Config.Tls))
            {
                TlsLog.CertificateRejected(_services.Logs.CreateLogger("Balancer.Tls"), error);
            }
        }
    }

    /// <summary>Stops accepting and lets in-flight requests finish until <paramref name="cancellationToken"/> fires.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Tls is not null)
        {
            _services.Certificates.Remove(Tls);
        }

        await _app.StopAsync(cancellationToken);
        _http1Pools.Dispose(); // in-flight requests are done: close the idle backend connections
        await _mirrors.DisposeAsync();
        _services.RouteStats.Remove(Name);
    }

    public async ValueTask DisposeAsync()
    {
        _http1Pools.Dispose();
        await _mirrors.DisposeAsync();
        await _app.DisposeAsync();
    }
}
