using System.Globalization;
using Balancer.Core.Configuration;

namespace Balancer.Core.Routing;

/// <summary>A route in one line, in the config's own terms: what it matches and what it does (for /status, the dashboard and <c>check --diff</c>).</summary>
public static class RouteDescription
{
    /// <summary><c>hosts * path /api/{**rest} methods GET,HEAD header X-Canary exact "1" query v notExists</c>.</summary>
    public static string Match(RouteConfig route)
    {
        var parts = new List<string> { $"hosts {string.Join(',', route.Hosts)}", $"path {route.Path}" };
        if (route.Methods.Count > 0)
        {
            parts.Add($"methods {string.Join(',', route.Methods)}");
        }

        parts.AddRange(route.Headers.Select(h => $"header {Field(h)}"));
        parts.AddRange(route.Query.Select(q => $"query {Field(q)}"));
        return string.Join(' ', parts);
    }

    /// <summary><c>split v1 90, v2 10; mirror 10% to shadow; transforms stripPrefix /api</c>, or <c>redirect 308 https://…</c>.</summary>
    public static string Action(RouteConfig route)
    {
        var parts = new List<string>();
        if (route.Redirect is { } redirect)
        {
            parts.Add($"redirect {redirect.Status} {redirect.To}");
        }
        else if (route.Respond is { } respond)
        {
            parts.Add($"respond {respond.Status} ({respond.Body.Length} bytes {respond.ContentType})");
        }
        else if (route.Pools.Count > 0)
        {
            parts.Add("split " + string.Join(", ", route.Pools.Select(p => $"{p.Pool} {p.Weight}")));
        }
        else
        {
            parts.Add($"pool {route.Pool}");
        }

        if (route.Mirror is { } mirror)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"mirror {mirror.Percent}% to {mirror.Pool} (bodies up to {mirror.MaxBodySize} bytes)"));
        }

        if (route.Transforms is { } transforms && Transforms(transforms) is { Length: > 0 } text)
        {
            parts.Add($"transforms {text}");
        }

        if (route.RateLimit is { } limit)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"rate limit {limit.RequestsPerSecond}/s burst {limit.EffectiveBurst} per {limit.Key}"));
        }

        return string.Join("; ", parts);
    }

    private static string Field(FieldMatchConfig field) =>
        $"{field.Name} {field.Mode}{(field.Values.Count > 0 ? " " + string.Join('|', field.Values.Select(v => $"\"{v}\"")) : "")}{(field.IgnoreCase ? " ignoreCase" : "")}";

    private static string Transforms(TransformsConfig t)
    {
        var parts = new List<string>();
        Add(parts, "stripPrefix", t.StripPrefix);
        Add(parts, "addPrefix", t.AddPrefix);
        Add(parts, "pathPattern", t.PathPattern);
        if (t.Host != TransformsConfig.KeepHost)
        {
            parts.Add($"host {t.Host}");
        }

        Edits(parts, "request", t.RequestHeaders);
        Edits(parts, "response", t.ResponseHeaders);
        return string.Join(", ", parts);
    }

    private static void Edits(List<string> parts, string direction, HeaderEditsConfig? edits)
    {
        if (edits is null)
        {
            return;
        }

        parts.AddRange(edits.Set.Select(p => $"{direction} set {p.Key}: {p.Value}"));
        parts.AddRange(edits.Append.Select(p => $"{direction} append {p.Key}: {p.Value}"));
        parts.AddRange(edits.Remove.Select(n => $"{direction} remove {n}"));
        if (edits.RemoveServer)
        {
            parts.Add($"{direction} remove Server");
        }
    }

    private static void Add(List<string> parts, string name, string? value)
    {
        if (value is not null)
        {
            parts.Add($"{name} {value}");
        }
    }
}
