namespace Balancer.Core.Configuration.Binding;

/// <summary>Binds one entry of a listener's <c>routes</c>: its match, its action (pool, split, redirect, respond), transforms and mirror.</summary>
internal static class RouteBinder
{
    /// <summary>The fields a route may hold.</summary>
    public static readonly string[] RouteFields =
        ["hosts", "path", "methods", "headers", "query", "pool", "pools", "transforms", "redirect", "respond", "mirror", "rateLimit"];

    private static readonly string[] s_matchFields = ["name", "values", "mode", "ignoreCase"];
    private static readonly string[] s_splitFields = ["pool", "weight"];
    private static readonly string[] s_transformFields = ["stripPrefix", "addPrefix", "pathPattern", "requestHeaders", "responseHeaders", "host"];
    private static readonly string[] s_requestHeaderFields = ["set", "append", "remove"];
    private static readonly string[] s_responseHeaderFields = ["set", "append", "remove", "removeServer"];
    private static readonly string[] s_redirectFields = ["to", "status"];
    private static readonly string[] s_respondFields = ["status", "body", "contentType"];
    private static readonly string[] s_mirrorFields = ["pool", "percent", "maxBodySize"];
    private static readonly string[] s_rateLimitFields = ["requestsPerSecond", "burst", "key", "maxKeys"];

    /// <summary>Binds the route <paramref name="reader"/> reads.</summary>
    public static RouteConfig BindRoute(ObjectReader reader)
    {
        var defaults = new RouteConfig();
        return new RouteConfig
        {
            Hosts = reader.Strings("hosts") ?? defaults.Hosts,
            Path = reader.String("path") ?? defaults.Path,
            Methods = reader.Strings("methods") ?? defaults.Methods,
            Headers = reader.Objects("headers", s_matchFields)?.Select(BindMatch).ToList() ?? defaults.Headers,
            Query = reader.Objects("query", s_matchFields)?.Select(BindMatch).ToList() ?? defaults.Query,
            Pool = reader.String("pool") ?? defaults.Pool,
            Pools = reader.Objects("pools", s_splitFields)?.Select(BindSplit).ToList() ?? defaults.Pools,
            Transforms = reader.Object("transforms", s_transformFields) is { } transforms ? BindTransforms(transforms) : null,
            Redirect = reader.Object("redirect", s_redirectFields) is { } redirect ? BindRedirect(redirect) : null,
            Respond = reader.Object("respond", s_respondFields) is { } respond ? BindRespond(respond) : null,
            Mirror = reader.Object("mirror", s_mirrorFields) is { } mirror ? BindMirror(mirror) : null,
            RateLimit = reader.Object("rateLimit", s_rateLimitFields) is { } limit ? BindRateLimit(limit) : defaults.RateLimit,
        };
    }

    private static FieldMatchConfig BindMatch(ObjectReader reader)
    {
        var defaults = new FieldMatchConfig();
        return new FieldMatchConfig
        {
            Name = reader.RequiredString("name"),
            Values = reader.Strings("values") ?? defaults.Values,
            Mode = reader.Choice("mode", "match mode", FieldMatchModes.All) ?? defaults.Mode,
            IgnoreCase = reader.Bool("ignoreCase") ?? defaults.IgnoreCase,
        };
    }

    private static WeightedPoolConfig BindSplit(ObjectReader reader) => new()
    {
        Pool = reader.RequiredString("pool"),
        Weight = reader.Int("weight") ?? new WeightedPoolConfig().Weight,
    };

    private static TransformsConfig BindTransforms(ObjectReader reader)
    {
        var defaults = new TransformsConfig();
        return new TransformsConfig
        {
            StripPrefix = reader.String("stripPrefix"),
            AddPrefix = reader.String("addPrefix"),
            PathPattern = reader.String("pathPattern"),
            RequestHeaders = reader.Object("requestHeaders", s_requestHeaderFields) is { } request ? BindHeaderEdits(request) : null,
            ResponseHeaders = reader.Object("responseHeaders", s_responseHeaderFields) is { } response ? BindHeaderEdits(response) : null,
            Host = reader.String("host") ?? defaults.Host,
        };
    }

    private static HeaderEditsConfig BindHeaderEdits(ObjectReader reader)
    {
        var defaults = new HeaderEditsConfig();
        return new HeaderEditsConfig
        {
            Set = reader.StringMap("set") ?? defaults.Set,
            Append = reader.StringMap("append") ?? defaults.Append,
            Remove = reader.Strings("remove") ?? defaults.Remove,
            RemoveServer = reader.Bool("removeServer") ?? defaults.RemoveServer,
        };
    }

    private static RedirectConfig BindRedirect(ObjectReader reader) => new()
    {
        To = reader.RequiredString("to"),
        Status = reader.Int("status") ?? new RedirectConfig().Status,
    };

    private static RespondConfig BindRespond(ObjectReader reader)
    {
        var defaults = new RespondConfig();
        return new RespondConfig
        {
            Status = reader.Int("status") ?? defaults.Status,
            Body = reader.String("body") ?? defaults.Body,
            ContentType = reader.String("contentType") ?? defaults.ContentType,
        };
    }

    private static MirrorConfig BindMirror(ObjectReader reader)
    {
        var defaults = new MirrorConfig();
        return new MirrorConfig
        {
            Pool = reader.RequiredString("pool"),
            Percent = reader.Double("percent") ?? defaults.Percent,
            MaxBodySize = reader.Int("maxBodySize") ?? defaults.MaxBodySize,
        };
    }

    private static RateLimitConfig BindRateLimit(ObjectReader reader)
    {
        var defaults = new RateLimitConfig();
        if (!reader.Has("requestsPerSecond"))
        {
            reader.Report("requestsPerSecond", "missing required field 'requestsPerSecond'");
        }

        return new RateLimitConfig
        {
            RequestsPerSecond = reader.Double("requestsPerSecond") ?? defaults.RequestsPerSecond,
            Burst = reader.Int("burst") ?? defaults.Burst,
            Key = reader.String("key") ?? defaults.Key,
            MaxKeys = reader.Int("maxKeys") ?? defaults.MaxKeys,
        };
    }
}
