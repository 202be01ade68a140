using System.Text;
using Balancer.Core.Configuration;
using Balancer.Core.Routing;
using Balancer.Http.Forwarding;

namespace Balancer.Http.Routing;

/// <summary>
/// Everything a route decides, built once when the config is loaded or reloaded and carried on the route's endpoint:
/// the conditions beyond host and path (<see cref="RouteMatcherPolicy"/> checks them), the answer of a route that
/// reaches no backend (<see cref="RouteAnswerMiddleware"/>), the split and the mirror (<see cref="BackendSelectionMiddleware"/>,
/// <see cref="MirrorMiddleware"/>), the forwarding contract both forwarders apply, and the route's counters.
/// </summary>
internal sealed class RoutePlan
{
    public RoutePlan(RouteConfig route, ForwardingPlan forwarding, RouteStats stats)
    {
        Matcher = RequestMatcher.From(route);
        Forwarding = forwarding;
        Stats = stats;
        Split = route.Pools.Count > 0 ? new WeightedSplit(route.Pools) : null;
        Mirror = route.Mirror is { } mirror ? new MirrorPolicy(mirror) : null;
        if (route.Redirect is { } redirect)
        {
            Redirect = RedirectTemplate.Parse(redirect.To, out _);
            AnswerStatus = redirect.Status;
        }
        else if (route.Respond is { } respond)
        {
            AnswerStatus = respond.Status;
            AnswerBody = Encoding.UTF8.GetBytes(respond.Body);
            AnswerContentType = respond.ContentType;
        }
    }

    public RequestMatcher Matcher { get; }

    public ForwardingPlan Forwarding { get; }

    public RouteStats Stats { get; }

    /// <summary>The weighted split over pools; null when the route names one pool (or none).</summary>
    public WeightedSplit? Split { get; }

    public MirrorPolicy? Mirror { get; }

    /// <summary>Where a redirecting route sends the client; null when it does not redirect.</summary>
    public RedirectTemplate? Redirect { get; }

    /// <summary>The status of a route that answers by itself (redirect or respond); 0 for one that forwards.</summary>
    public int AnswerStatus { get; }

    /// <summary>A responding route's body.</summary>
    public byte[] AnswerBody { get; } = [];

    public string? AnswerContentType { get; }

    /// <summary>Whether the route answers by itself and reaches no backend.</summary>
    public bool Answers => AnswerStatus != 0;
}
