using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;

namespace Balancer.Http.Routing;

/// <summary>
/// Takes out of the running the routes whose methods, header or query conditions a request fails, after ASP.NET
/// routing has matched host and path; of the routes left, the first in config order wins (each route's endpoint has
/// its config index as its order). A request no route takes falls through to the listener's fallback. Listeners whose
/// routes have no such conditions never run it (<see cref="AppliesToEndpoints"/>).
/// </summary>
internal sealed class RouteMatcherPolicy : MatcherPolicy, IEndpointSelectorPolicy
{
    // After the host and method policies, like YARP's own header and query policies.
    public override int Order => 0;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) =>
        endpoints.Any(e => e.Metadata.GetMetadata<RoutePlan>() is { Matcher.HasConditions: true });

    public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
    {
        var request = new RequestFields(httpContext.Request);
        for (var i = 0; i < candidates.Count; i++)
        {
            if (candidates.IsValidCandidate(i)
                && candidates[i].Endpoint.Metadata.GetMetadata<RoutePlan>() is { Matcher.HasConditions: true } plan
                && !plan.Matcher.Matches(request))
            {
                candidates.SetValidity(i, false);
            }
        }

        return Task.CompletedTask;
    }
}
