using Balancer.Core.Routing;

namespace Balancer.Http.Routing;

/// <summary>What a route's conditions read from an ASP.NET request, handed over without copying.</summary>
internal readonly ref struct RequestFields(HttpRequest request) : IRequestFields
{
    // Fetched once: each HttpRequest.Headers is a feature lookup, and a route may test several headers.
    private readonly IHeaderDictionary _headers = request.Headers;

    public string Method => request.Method;

    public string RawQuery => request.QueryString.Value ?? "";

    public FieldValues Header(string name)
    {
        var values = _headers[name];
        // A header on several lines hands over StringValues' own array (its conversion copies nothing).
        return values.Count == 1 ? new FieldValues(values[0]) : new FieldValues((string?[]?)values);
    }
}
