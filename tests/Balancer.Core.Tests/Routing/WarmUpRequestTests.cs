using Balancer.Core.Configuration;
using Balancer.Core.Routing;

namespace Balancer.Core.Tests.Routing;

/// <summary>The start-up warm-up's request: one that the listener's first forwarding route matches.</summary>
public sealed class WarmUpRequestTests
{
    [Fact]
    public void DefaultRoute_PlainGetOfAFilledInCatchAll()
    {
        var request = WarmUpRequest.For(new ListenerConfig { Routes = [new RouteConfig { Pool = "web" }] });

        Assert.Equal((0, "GET", "localhost", "/1"), (request!.Route, request.Method, request.Host, request.PathAndQuery));
        Assert.Empty(request.Headers);
    }

    [Fact]
    public void ConditionsOfTheFirstForwardingRoute_AreAllMet()
    {
        var listener = new ListenerConfig
        {
            Routes =
            [
                new RouteConfig { Redirect = new RedirectConfig { To = "https://example.com" } },
                new RouteConfig { Pools = [new WeightedPoolConfig { Pool = "a", Weight = 1 }] } with
                {
                    Hosts = ["*", "*.example.com"],
                    Path = "/api/{id:int}/{**rest}",
                    Methods = ["POST", "PUT"],
                    Headers =
                    [
                        new FieldMatchConfig { Name = "X-Env", Values = ["canary", "beta"] },
                        new FieldMatchConfig { Name = "X-Debug", Mode = FieldMatchModes.Exists },
                        new FieldMatchConfig { Name = "X-Skip", Mode = FieldMatchModes.NotExists },
                    ],
                    Query = [new FieldMatchConfig { Name = "v", Values = ["2 3"], Mode = FieldMatchModes.Prefix }],
                },
            ],
        };

        var request = WarmUpRequest.For(listener)!;

        Assert.Equal((1, "POST", "warm-up.example.com", "/api/1/1?v=2%203"), (request.Route, request.Method, request.Host, request.PathAndQuery));
        Assert.Equal([KeyValuePair.Create("X-Env", "canary"), KeyValuePair.Create("X-Debug", "1")], request.Headers);
    }

    [Fact]
    public void NoForwardingRoute_Null()
    {
        var listener = new ListenerConfig { Routes = [new RouteConfig { Respond = new RespondConfig { Status = 204 } }] };

        Assert.Null(WarmUpRequest.For(listener));
    }
}
