using System.Diagnostics.CodeAnalysis;
using Balancer.Core.Configuration;
using Balancer.Core.Model;
using Balancer.Hosting;
using Balancer.Http;
using Balancer.Http.Forwarding;
using Balancer.Http.Http1;
using Balancer.Telemetry;
using Balancer.Tests.Common;
using Balancer.Tls;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;
using YarpRouteConfig = Yarp.ReverseProxy.Configuration.RouteConfig;

namespace Balancer.Tests.Http;

/// <summary>
/// A <see cref="BackendSelectionMiddleware"/> over a real core pool <c>web</c>, with YARP's route and cluster model built
/// by hand and a <see cref="DefaultHttpContext"/> per request: no Kestrel, no sockets unless the lean forwarder runs.
/// </summary>
internal sealed class ProxyHarness : IDisposable
{
    private readonly Http1Pools _http1;

    public ProxyHarness(string poolFields, string forwarder, params string[] backends)
    {
        Time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        Registry = new PoolRegistry(Time, new Random(1));
        Registry.Load(ConfigLoader.Parse(TestBalancer.PoolConfig("round-robin", poolFields, [.. backends.Select(b => (b, 1))]), "test.json").Config!);
        Metrics = new BalancerMetrics(new OwnedMeterFactory(), () => Registry, () => null);
        Services = new ProxyServices(Registry, Time, NullLoggerFactory.Instance, Metrics, null, TimeSpan.FromSeconds(1), "test.json", new CertificateRegistry());
        Cluster = new ClusterState("web");
        foreach (var backend in backends)
        {
            Cluster.Destinations[backend] = new DestinationState(backend);
        }

        Plan = ForwardingPlan.For(new ListenerConfig { Forwarder = forwarder }, new ForwardedFor([]), new RouteConfig { Pool = "web" });
        Route = new RouteModel(new YarpRouteConfig { RouteId = "web/0", ClusterId = "web" }, Cluster, new ForwardingTransformer(Plan, null, Time));
        _http1 = new Http1Pools(Time, Registry);
    }

    public FakeTimeProvider Time { get; }

    public PoolRegistry Registry { get; }

    public BalancerMetrics Metrics { get; }

    public ProxyServices Services { get; }

    public ClusterState Cluster { get; }

    public ForwardingPlan Plan { get; }

    public RouteModel Route { get; }

    public Pool Pool => Registry.Get("web")!;

    public BackendState Backend(string address) => Pool.Find(address)!;

    public BackendSelectionMiddleware Middleware(RequestDelegate next) =>
        new(next, Services, new ListenerName("web"), new Http1Forwarder(_http1, null, Time), new NoClusters(), NullLogger<BackendSelectionMiddleware>.Instance);

    /// <summary>A request routed to this harness's route, its response body kept.</summary>
    public DefaultHttpContext Request(string method = "GET", string protocol = "HTTP/2", long? contentLength = null)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Protocol = protocol;
        context.Request.Path = "/p";
        context.Request.ContentLength = contentLength;
        context.Response.Body = new MemoryStream();
        context.Features.Set<IReverseProxyFeature>(new Feature(Route));
        return context;
    }

    public void Dispose()
    {
        _http1.Dispose();
        Metrics.Dispose();
        Registry.Dispose();
    }

    private sealed class Feature(RouteModel route) : IReverseProxyFeature
    {
        public RouteModel Route { get; } = route;

        public ClusterModel Cluster => throw new NotSupportedException("BackendSelectionMiddleware reads the route's cluster state");

        public IReadOnlyList<DestinationState> AllDestinations => [.. Route.Cluster!.Destinations.Values];

        public IReadOnlyList<DestinationState> AvailableDestinations { get; set; } = [];

        public DestinationState? ProxiedDestination { get; set; }
    }

    /// <summary>The harness's route has no weighted split, so the middleware never looks a cluster up.</summary>
    private sealed class NoClusters : IProxyStateLookup
    {
        public IEnumerable<RouteModel> GetRoutes() => [];

        public bool TryGetRoute(string id, [NotNullWhen(true)] out RouteModel? route) => (route = null) is not null;

        public IEnumerable<ClusterState> GetClusters() => [];

        public bool TryGetCluster(string id, [NotNullWhen(true)] out ClusterState? cluster) => (cluster = null) is not null;
    }
}
