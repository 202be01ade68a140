using Balancer.Core.Configuration.Binding;
using Balancer.Core.Routing;

namespace Balancer.Core.Configuration.Validation;

/// <summary>
/// Checks what a route does: exactly one of <c>pool</c>, <c>pools</c> (a split), <c>redirect</c> and <c>respond</c>;
/// a redirect or fixed answer with nothing that only applies to forwarding; and the split, redirect, answer and mirror.
/// </summary>
internal static class RouteActionValidator
{
    private const int MaxWeight = 1_000_000;

    // Mirrored bodies are held in memory until the copy is sent: keep one copy's worth bounded.
    private const int MaxMirrorBody = 16 * 1024 * 1024;

    /// <summary>Checks the route at <paramref name="path"/>; <paramref name="reference"/> checks and records a pool it names.</summary>
    public static void Check(RouteConfig route, string path, Action<string, string> reference, ConfigDiagnostics diagnostics)
    {
        var answers = route.Redirect is not null || route.Respond is not null;
        if (route.Redirect is not null && route.Respond is not null)
        {
            diagnostics.Report(ConfigPath.Child(path, "respond"), "a route either redirects or responds; remove 'redirect' or 'respond'");
        }

        if (route.Pool.Length > 0 && route.Pools.Count > 0)
        {
            diagnostics.Report(ConfigPath.Child(path, "pools"), "'pool' and 'pools' are both set; use 'pool' for one pool or 'pools' for a weighted split");
        }

        var answer = route.Redirect is not null ? "redirect" : "respond";
        if (answers)
        {
            foreach (var (field, set) in new[] { ("pool", route.Pool.Length > 0), ("pools", route.Pools.Count > 0), ("mirror", route.Mirror is not null), ("transforms", route.Transforms is not null) })
            {
                if (set)
                {
                    diagnostics.Report(ConfigPath.Child(path, field), $"a route with '{answer}' answers by itself and forwards nothing; remove '{field}'");
                }
            }
        }
        else if (route.Pool.Length == 0 && route.Pools.Count == 0)
        {
            diagnostics.Report(ConfigPath.Child(path, "pool"), "a route needs 'pool', 'pools' (a weighted split), 'redirect' or 'respond'");
        }

        if (route.Pool.Length > 0)
        {
            reference(route.Pool, ConfigPath.Child(path, "pool"));
        }

        CheckSplit(route.Pools, ConfigPath.Child(path, "pools"), reference, diagnostics);
        if (route.Redirect is { } redirect)
        {
            CheckRedirect(redirect, ConfigPath.Child(path, "redirect"), diagnostics);
        }

        if (route.Respond is { } respond)
        {
            CheckRespond(respond, ConfigPath.Child(path, "respond"), diagnostics);
        }

        if (route.Mirror is { } mirror)
        {
            CheckMirror(route, mirror, ConfigPath.Child(path, "mirror"), reference, diagnostics);
        }
    }

    private static void CheckSplit(IReadOnlyList<WeightedPoolConfig> sides, string path, Action<string, string> reference, ConfigDiagnostics diagnostics)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < sides.Count; i++)
        {
            var itemPath = ConfigPath.Item(path, i);
            var side = sides[i];
            if (side.Pool.Length > 0)
            {
                reference(side.Pool, ConfigPath.Child(itemPath, "pool"));
                if (!seen.Add(side.Pool))
                {
                    diagnostics.Report(ConfigPath.Child(itemPath, "pool"), $"pool '{side.Pool}' is already a side of this split; give it one entry with the sum of the weights");
                }
            }

            PoolValidator.CheckRange(diagnostics, ConfigPath.Child(itemPath, "weight"), "weight", side.Weight, 0, MaxWeight);
        }

        if (sides.Count > 0 && sides.All(s => s.Weight <= 0))
        {
            diagnostics.Report(path, "every side of the split has weight 0; give at least one side a positive weight");
        }
    }

    private static void CheckRedirect(RedirectConfig redirect, string path, ConfigDiagnostics diagnostics)
    {
        if (!RedirectConfig.Statuses.Contains(redirect.Status))
        {
            diagnostics.Report(ConfigPath.Child(path, "status"), $"a redirect status is one of 301, 302, 303, 307, 308; got {redirect.Status}");
        }

        if (redirect.To.Length == 0)
        {
            return; // reported missing by the binder
        }

        var toPath = ConfigPath.Child(path, "to");
        if (RedirectTemplate.Parse(redirect.To, out var error) is not { } template)
        {
            diagnostics.Report(toPath, error!);
            return;
        }

        // Checked with sample values in place of the placeholders: what the client is sent must be a URL.
        var sample = template.Expand("/p", "?q=1", "example.com");
        var absolute = Uri.TryCreate(sample, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";
        if (!absolute && !(sample.StartsWith('/') && !sample.StartsWith("//", StringComparison.Ordinal) && Uri.IsWellFormedUriString(sample, UriKind.Relative)))
        {
            diagnostics.Report(toPath, $"'{redirect.To}' is not an http(s) URL or an absolute path, e.g. \"https://example.com{{path}}{{query}}\" or \"/new{{path}}\"");
        }
    }

    private static void CheckRespond(RespondConfig respond, string path, ConfigDiagnostics diagnostics)
    {
        PoolValidator.CheckRange(diagnostics, ConfigPath.Child(path, "status"), "status", respond.Status, 200, 599);
        if (respond.Body.Length > 0 && respond.Status is 204 or 304)
        {
            diagnostics.Report(ConfigPath.Child(path, "body"), $"a {respond.Status} response has no body (RFC 9110 §15.3.5, §15.4.5); remove 'body'");
        }

        if (respond.ContentType.Length == 0 || respond.ContentType.Any(char.IsControl))
        {
            diagnostics.Report(ConfigPath.Child(path, "contentType"), "contentType must be a media type such as \"text/plain; charset=utf-8\"");
        }
    }

    private static void CheckMirror(RouteConfig route, MirrorConfig mirror, string path, Action<string, string> reference, ConfigDiagnostics diagnostics)
    {
        var poolPath = ConfigPath.Child(path, "pool");
        if (mirror.Pool.Length > 0)
        {
            reference(mirror.Pool, poolPath);
            if (mirror.Pool == route.Pool || route.Pools.Any(p => p.Pool == mirror.Pool))
            {
                diagnostics.Report(poolPath, $"the mirror pool '{mirror.Pool}' also serves this route: its backends get each mirrored request twice", ConfigErrorSeverity.Warning);
            }
        }

        if (mirror.Percent is < 0 or > 100)
        {
            diagnostics.Report(ConfigPath.Child(path, "percent"), $"percent must be between 0 and 100 (fractions allowed); got {mirror.Percent}");
        }

        PoolValidator.CheckRange(diagnostics, ConfigPath.Child(path, "maxBodySize"), "maxBodySize", mirror.MaxBodySize, 0, MaxMirrorBody);
    }
}
