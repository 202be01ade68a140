using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using Balancer.Core.Configuration;
using Balancer.Core.Routing;
using Balancer.Http.Forwarding;
using Balancer.Http.Routing;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using YarpRouteConfig = Yarp.ReverseProxy.Configuration.RouteConfig;

namespace Balancer.Http;

/// <summary>
/// Feeds one HTTP listener's YARP instance from our config: one YARP route per configured
/// route, one YARP cluster per pool those routes send requests or mirrored copies to, and each route's
/// <see cref="RoutePlan"/> (with its <see cref="ForwardingPlan"/>). YARP only forwards; which destination a request goes
/// to is decided by the core (<see cref="BackendSelectionMiddleware"/>).
/// </summary>
internal sealed class ProxyConfigProvider : IProxyConfigProvider
{
    /// <summary>Backends that stop answering mid-request are cut off after this long.</summary>
    public static readonly TimeSpan ActivityTimeout = TimeSpan.FromSeconds(100);

    /// <summary>Each YARP route given to YARP, with its plan; weak, so the routes of old configs go when YARP drops them.</summary>
    private readonly ConditionalWeakTable<YarpRouteConfig, RoutePlan> _plans = [];
    private readonly RouteStatsRegistry _stats;
    private volatile Snapshot _current;
    private int _generation;

    public ProxyConfigProvider(string listener, BalancerConfig config, RouteStatsRegistry stats)
    {
        _stats = stats;
        _current = Build(listener, config);
    }

    public IProxyConfig GetConfig() => _current;

    /// <summary>Replaces the routes, clusters and plans; YARP picks them up through the change token.</summary>
    public void Update(string listener, BalancerConfig config)
    {
        var old = _current;
        _current = Build(listener, config);
        old.SignalChange();
    }

    /// <summary>The plan made for a route this provider gave YARP (<see cref="ForwardingTransformBuilder"/>).</summary>
    public ForwardingPlan PlanOf(YarpRouteConfig route) => RoutePlanOf(route).Forwarding;

    /// <summary>The whole plan of a route this provider gave YARP, for its endpoint's metadata.</summary>
    public RoutePlan RoutePlanOf(YarpRouteConfig route) =>
        _plans.TryGetValue(route, out var plan) ? plan : throw new InvalidOperationException($"route {route.RouteId} was not made by this listener's config");

    private Snapshot Build(string listener, BalancerConfig config)
    {
        var routes = new List<YarpRouteConfig>();
        var pools = new SortedSet<string>(StringComparer.Ordinal);
        var listenerConfig = config.Listeners[listener];
        var forwardedFor = new ForwardedFor(listenerConfig.TrustedProxies);
        // Plans are rebuilt on every load; a new generation makes each route differ from its predecessor, so that YARP
        // rebuilds its transformer (it keeps a route whose YARP config is unchanged, and the plan is not in it).
        var generation = new Dictionary<string, string> { ["balancer.generation"] = (++_generation).ToString(CultureInfo.InvariantCulture) };
        var stats = _stats.Apply(listener, listenerConfig.Routes);
        for (var i = 0; i < listenerConfig.Routes.Count; i++)
        {
            var route = listenerConfig.Routes[i];
            pools.UnionWith(route.ReferencedPools());
            var yarpRoute = new YarpRouteConfig
            {
                RouteId = $"{listener}/{i}",
                // A split starts on its first side (BackendSelectionMiddleware moves it); a redirect or fixed answer has no cluster.
                ClusterId = route.Pool.Length > 0 ? route.Pool : route.Pools.Count > 0 ? route.Pools[0].Pool : null,
                // Routes are tried in config order, as users read them.
                Order = i,
                Match = new RouteMatch
                {
                    Hosts = route.Hosts.Contains("*") ? null : [.. route.Hosts],
                    Path = route.Path,
                },
                Metadata = generation,
            };
            _plans.Add(yarpRoute, new RoutePlan(route, ForwardingPlan.For(listenerConfig, forwardedFor, route), stats[i]));
            routes.Add(yarpRoute);
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
