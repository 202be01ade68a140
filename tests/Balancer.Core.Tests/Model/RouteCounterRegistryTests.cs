using Balancer.Core.Configuration;
using Balancer.Core.Model;

namespace Balancer.Core.Tests.Model;

public sealed class RouteCounterRegistryTests
{
    [Fact]
    public void Apply_KeepsTheCountsOfAnUnchangedRoute_AndRestartsAChangedOne()
    {
        var registry = new RouteCounterRegistry();
        registry.Apply(Config(("/api/{**rest}", "api"), ("/{**rest}", "web")));
        registry.Get("web/0")!.OnRequest();
        registry.Get("web/1")!.OnRequest();
        registry.Get("web/1")!.OnRequest();

        registry.Apply(Config(("/api/{**rest}", "api2"), ("/{**rest}", "web")));

        Assert.Equal(0, registry.Get("web/0")!.Requests);
        Assert.Equal("pool api2", registry.Get("web/0")!.Action);
        Assert.Equal(2, registry.Get("web/1")!.Requests);
        Assert.Equal("hosts * path /{**rest}", registry.Get("web/1")!.Match);
        Assert.Null(registry.Get("web/2"));
        Assert.Equal(["web/0", "web/1"], registry.All.Select(r => $"{r.Listener}/{r.Index}"));
    }

    [Fact]
    public void DescribeAction_NamesTheRateLimit()
    {
        var route = new RouteConfig { Pool = "api", RateLimit = new RateLimitConfig { RequestsPerSecond = 2.5 } };

        Assert.Equal("pool api, rate limit 2.5/s burst 3 per client-ip", RouteCounterRegistry.DescribeAction(route));
    }

    private static BalancerConfig Config(params (string Path, string Pool)[] routes) => new()
    {
        Listeners = new Dictionary<string, ListenerConfig>
        {
            ["web"] = new() { Bind = "127.0.0.1:0", Routes = [.. routes.Select(r => new RouteConfig { Path = r.Path, Pool = r.Pool })] },
        },
    };
}
