using Balancer.Core.Routing;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Balancer.Http.Routing;

/// <summary>
/// Takes out of the running the routes whose methods, header or query conditions a request fails, after ASP.NET
/// routing has matched host and path; of the routes left, the first in config order wins (each route's endpoint has
/// its config index as its order). A request no route takes falls through to the listener's fallback. Listeners whose
/// routes have no such conditions never run it.
/// <para>The check is a branch of the routing DFA (<see cref="INodeBuilderPolicy"/>, as ASP.NET's HTTP method policy),
/// not a filter over each request's candidate set (<see cref="IEndpointSelectorPolicy"/>, as YARP's header policy):
/// a node whose routes have conditions gets one edge per conditional route, taken when that route is the first whose
/// conditions hold, holding it and the unconditional routes; the jump table tests the conditions in order. A request
/// then costs the condition checks alone — no candidate set, no async selector, no metadata lookups. That is exact
/// when path matching has decided every candidate; where a route pattern still checks something after it (a
/// constraint such as <c>{id:int}</c>, a complex segment), a candidate that fails there must let the next matching
/// conditional route win, so those edges also keep the later conditional routes and the selector policy filters them.</para>
/// </summary>
internal sealed class RouteMatcherPolicy : MatcherPolicy, INodeBuilderPolicy, IEndpointSelectorPolicy
{
    // After the host and method policies, like YARP's own header and query policies.
    public override int Order => 0;

    bool INodeBuilderPolicy.AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) => endpoints.Any(e => MatcherOf(e) is not null);

    /// <summary>After the DFA's edges, a candidate set holds at most one conditional route unless path checks remain (see above).</summary>
    bool IEndpointSelectorPolicy.AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) => endpoints.Count(e => MatcherOf(e) is not null) > 1;

    /// <summary>The DFA gives <paramref name="endpoints"/> sorted by precedence (order first): "first" is config order.</summary>
    public IReadOnlyList<PolicyNodeEdge> GetEdges(IReadOnlyList<Endpoint> endpoints)
    {
        var keepLater = endpoints.Any(MayFailAfterPath);
        var edges = new List<PolicyNodeEdge>();
        for (var i = 0; i < endpoints.Count; i++)
        {
            if (MatcherOf(endpoints[i]) is not { } matcher)
            {
                continue;
            }

            var members = new List<Endpoint>();
            for (var j = 0; j < endpoints.Count; j++)
            {
                // Earlier conditional routes failed their conditions to reach this edge; later ones cannot win over it
                // unless it can still fail after path matching.
                if (j == i || MatcherOf(endpoints[j]) is null || (keepLater && j > i))
                {
                    members.Add(endpoints[j]);
                }
            }

            edges.Add(new PolicyNodeEdge(new Branch(edges.Count, matcher, endpoints[i].DisplayName), members));
        }

        edges.Add(new PolicyNodeEdge(new Branch(edges.Count, null, "none"), [.. endpoints.Where(e => MatcherOf(e) is null)]));
        return edges;
    }

    public PolicyJumpTable BuildJumpTable(int exitDestination, IReadOnlyList<PolicyJumpTableEdge> edges)
    {
        var ordered = edges.OrderBy(e => ((Branch)e.State).Rank).ToArray();
        var conditional = ordered.Where(e => ((Branch)e.State).Matcher is not null).ToArray();
        var none = ordered.FirstOrDefault(e => ((Branch)e.State).Matcher is null);
        return new JumpTable(
            [.. conditional.Select(e => ((Branch)e.State).Matcher!)],
            [.. conditional.Select(e => e.Destination)],
            none.State is null ? exitDestination : none.Destination);
    }

    /// <summary>The candidate-set filter, for the node edges that kept several conditional routes.</summary>
    public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
    {
        var request = new RequestFields(httpContext.Request);
        for (var i = 0; i < candidates.Count; i++)
        {
            if (candidates.IsValidCandidate(i) && MatcherOf(candidates[i].Endpoint) is { } matcher && !matcher.Matches(request))
            {
                candidates.SetValidity(i, false);
            }
        }

        return Task.CompletedTask;
    }

    private static RequestMatcher? MatcherOf(Endpoint endpoint) =>
        endpoint.Metadata.GetMetadata<RoutePlan>() is { Matcher.HasConditions: true } plan ? plan.Matcher : null;

    /// <summary>Whether the DFA still checks the endpoint after matching the path: route constraints or a complex segment.</summary>
    private static bool MayFailAfterPath(Endpoint endpoint) =>
        endpoint is not RouteEndpoint route
        || route.RoutePattern.ParameterPolicies.Count > 0
        || route.RoutePattern.PathSegments.Any(s => !s.IsSimple);

    /// <summary>One edge of a DFA node: the <see cref="Rank"/>-th conditional route of the node, or none (no matcher).</summary>
    private sealed class Branch(int rank, RequestMatcher? matcher, string? label)
    {
        public int Rank { get; } = rank;

        public RequestMatcher? Matcher { get; } = matcher;

        public override string ToString() => Matcher is null ? "conditions: none" : $"conditions: {label}";
    }

    /// <summary>Tests the node's conditional routes in order; the first whose conditions hold names the next state.</summary>
    private sealed class JumpTable(RequestMatcher[] matchers, int[] destinations, int none) : PolicyJumpTable
    {
        public override int GetDestination(HttpContext httpContext)
        {
            var request = new RequestFields(httpContext.Request);
            for (var i = 0; i < matchers.Length; i++)
            {
                if (matchers[i].Matches(request))
                {
                    return destinations[i];
                }
            }

            return none;
        }
    }
}
