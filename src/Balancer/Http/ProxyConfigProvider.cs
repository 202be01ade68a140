using System.Net;
using Balancer.Core.Configuration;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using YarpRouteConfig = Yarp.ReverseProxy.Configuration.RouteConfig;

namespace Balancer.Http;

/// <summary>
/// Feeds one HTTP listener's YARP instance from our config: one YARP route per configured
/// route, one YARP cluster per pool those routes use. YARP only forwards; which destination a
/// request goes to is decided by the core (<see cref="BackendSelectionMiddleware"/>).
/// </summary>
internal sealed class ProxyConfigProvider : IProxyConfigProvider
{
    /// <summary>Backends that stop answering mid-request are cut off after this long.</summary>
    public static readonly TimeSpan ActivityTimeout = TimeSpan.FromSeconds(100);

    private volatile Snapshot _current;

    public ProxyConfigProvider(string listener, BalancerConfig config) => _current = Build(listener, config);

    public IProxyConfig GetConfig() => _current;

    /// <summary>Replaces the routes and clusters; YARP picks them up through the change token.</summary>
    public void Update(string listener, BalancerConfig config)
    {
        var old = _current;
        _current = Build(listener, config);
        old.SignalChange();
    }

    private static Snapshot Build(string listener, BalancerConfig config)
    {
        var routes = new List<YarpRouteConfig>();
        var pools = new SortedSet<string>(StringComparer.Ordinal);
        var listenerConfig = config.Listeners[listener];
        for (var i = 0; i < listenerConfig.Routes.Count; i++)
        {
            var route = listenerConfig.Routes[i];
            pools.Add(route.Pool);
            routes.Add(new YarpRouteConfig
            {
                RouteId = $"{listener}/{i}",
                ClusterId = route.Pool,
                // Routes are tried in config order, as users read them.
                Order = i,
                Match = new RouteMatch
                {
                    Hosts = route.Hosts.Contains("*") ? null : [.. route.Hosts],
                    Path = route.Path,
                },
            });
        }

        var clusters = pools.Select(name => new ClusterConfig
        {
            ClusterId = name,
            Metadata = Balancer.Tls.BackendTlsMetadata.From(config.Pools[name].Tls),
            Destinations = config.Pools[name].Backends.ToDictionary(
                b => b.Address,
                b => new DestinationConfig { Address = b.Address },
                StringComparer.Ordinal),
            HttpRequest = RequestConfig(config.Pools[name].HttpVersion),
        }).ToList();
        return new Snapshot(routes, clusters);
    }

    /// <summary>
    /// The pool's HTTP version as YARP sets it on each request. <c>2</c> is exact: HTTP/2 with prior knowledge to
    /// <c>http://</c> (RFC 9113 §3.3) and h2 by ALPN to <c>https://</c>, never a fallback to HTTP/1.1, which a gRPC
    /// backend cannot serve. <c>auto</c> is YARP's default: 2.0 or lower, so HTTP/1.1 in cleartext and ALPN's choice over TLS.
    /// </summary>
    private static ForwarderRequestConfig RequestConfig(string httpVersion) => httpVersion switch
    {
        HttpVersions.Http2 => new() { ActivityTimeout = ActivityTimeout, Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact },
        HttpVersions.Http11 => new() { ActivityTimeout = ActivityTimeout, Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact },
        _ => new() { ActivityTimeout = ActivityTimeout },
    };

    private sealed class Snapshot(IReadOnlyList<YarpRouteConfig> routes, IReadOnlyList<ClusterConfig> clusters) : IProxyConfig
    {
        private readonly CancellationTokenSource _changed = new();

        public IReadOnlyList<YarpRouteConfig> Routes { get; } = routes;

        public IReadOnlyList<ClusterConfig> Clusters { get; } = clusters;

        public IChangeToken ChangeToken => new CancellationChangeToken(_changed.Token);

        public void SignalChange() => _changed.Cancel();
    }
}
