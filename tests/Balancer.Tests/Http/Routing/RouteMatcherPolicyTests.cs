using Balancer.Core.Configuration;
using Balancer.Core.Routing;
using Balancer.Http.Forwarding;
using Balancer.Http.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Balancer.Tests.Http.Routing;

/// <summary>
/// The routing DFA's branches on route conditions: one edge per conditional route, taken when it is the first whose
/// conditions hold, with the unconditional routes; later conditional routes kept only where path checks remain.
/// </summary>
public sealed class RouteMatcherPolicyTests
{
    [Fact]
    public void GetEdges_PlainPaths_EachEdgeHoldsItsRouteAndTheUnconditionalOnes()
    {
        var first = Endpoint("/p/{**rest}", 0, "X-A");
        var second = Endpoint("/p/{**rest}", 1, "X-B");
        var plain = Endpoint("/{**rest}", 2, null);
        INodeBuilderPolicy policy = new RouteMatcherPolicy();

        var edges = policy.GetEdges([first, second, plain]);

        Assert.Equal([[first, plain], [second, plain], [plain]], edges.Select(e => e.Endpoints.ToArray()));
        Assert.False(((IEndpointSelectorPolicy)policy).AppliesToEndpoints(edges[0].Endpoints));
    }

    [Fact]
    public void GetEdges_RouteWithConstraint_KeepsLaterConditionalRoutesForTheSelector()
    {
        var first = Endpoint("/c/{id:int}", 0, "X-A");
        var second = Endpoint("/c/{id}", 1, "X-B");
        var plain = Endpoint("/{**rest}", 2, null);
        INodeBuilderPolicy policy = new RouteMatcherPolicy();

        var edges = policy.GetEdges([first, second, plain]);

        Assert.Equal([[first, second, plain], [second, plain], [plain]], edges.Select(e => e.Endpoints.ToArray()));
        Assert.True(((IEndpointSelectorPolicy)policy).AppliesToEndpoints(edges[0].Endpoints));
    }

    [Theory]
    [InlineData("X-A", 10)]
    [InlineData("X-B", 11)]
    [InlineData("X-A|X-B", 10)]
    [InlineData("", 12)]
    public void JumpTable_TakesTheFirstRouteWhoseConditionsHold(string headers, int expected)
    {
        INodeBuilderPolicy policy = new RouteMatcherPolicy();
        var edges = policy.GetEdges([Endpoint("/p/{**rest}", 0, "X-A"), Endpoint("/p/{**rest}", 1, "X-B"), Endpoint("/{**rest}", 2, null)]);
        // Handed over in another order than the edges came: the table follows the routes' order, not the list's.
        var table = policy.BuildJumpTable(-1, [.. edges.Select((e, i) => new PolicyJumpTableEdge(e.State, 10 + i)).Reverse()]);
        var context = new DefaultHttpContext();
        foreach (var name in headers.Split('|', StringSplitOptions.RemoveEmptyEntries))
        {
            context.Request.Headers[name] = "1";
        }

        Assert.Equal(expected, table.GetDestination(context));
    }

    private static RouteEndpoint Endpoint(string path, int order, string? header)
    {
        var route = new RouteConfig
        {
            Path = path,
            Pool = "web",
            Headers = header is null ? [] : [new FieldMatchConfig { Name = header, Mode = FieldMatchModes.Exists }],
        };
        var plan = new RoutePlan(route, ForwardingPlan.For(new ListenerConfig(), new ForwardedFor([]), route), new RouteStats("web", order, "", "", [], null));
        return new RouteEndpoint(_ => Task.CompletedTask, RoutePatternFactory.Parse(path), order, new EndpointMetadataCollection(plan), $"route {order}");
    }
}
