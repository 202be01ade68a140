using Balancer.Core.Routing;

namespace Balancer.Http.Routing;

/// <summary>What a route's conditions read from an ASP.NET request, handed over without copying.</summary>
internal readonly ref struct RequestFields(HttpRequest request) : IRequestFields
{
    public string Method => request.Method;

    public string RawQuery => request.QueryString.Value ?? "";

    public FieldValues Header(string name)
    {
        var values = request.Headers[name];
        return values.Count == 1 ? new FieldValues(values[0]) : new FieldValues(values.Count == 0 ? null : values.ToArray());
    }
}
