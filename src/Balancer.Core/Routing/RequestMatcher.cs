using Balancer.Core.Configuration;

namespace Balancer.Core.Routing;

/// <summary>
/// The conditions of a route beyond host and path, compiled once when the config loads: the method is one of
/// <c>methods</c>, and every header and query condition holds. Checking a request allocates nothing.
/// </summary>
public sealed class RequestMatcher
{
    private readonly string[] _methods;
    private readonly FieldMatch[] _headers;
    private readonly FieldMatch[] _query;

    public RequestMatcher(IReadOnlyList<string> methods, IReadOnlyList<FieldMatch> headers, IReadOnlyList<FieldMatch> query)
    {
        _methods = [.. methods];
        _headers = [.. headers];
        _query = [.. query];
    }

    /// <summary>Whether the route has any condition beyond host and path; when not, there is nothing to check per request.</summary>
    public bool HasConditions => _methods.Length + _headers.Length + _query.Length > 0;

    /// <summary>The matcher of a route the validator accepted.</summary>
    public static RequestMatcher From(RouteConfig route) =>
        new(route.Methods, [.. route.Headers.Select(FieldMatch.From)], [.. route.Query.Select(FieldMatch.From)]);

    /// <summary>Whether <paramref name="request"/> satisfies every condition.</summary>
    public bool Matches<TRequest>(TRequest request)
        where TRequest : IRequestFields, allows ref struct
    {
        if (_methods.Length > 0 && Array.IndexOf(_methods, request.Method) < 0)
        {
            return false;
        }

        foreach (var header in _headers)
        {
            if (!header.Matches(request.Header(header.Name)))
            {
                return false;
            }
        }

        if (_query.Length > 0)
        {
            var query = request.RawQuery;
            foreach (var parameter in _query)
            {
                if (!QueryParameters.Matches(query, parameter))
                {
                    return false;
                }
            }
        }

        return true;
    }
}
