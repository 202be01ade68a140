using Balancer.Core.Configuration.Binding;

namespace Balancer.Core.Configuration.Validation;

/// <summary>
/// Semantic checks on a bound config: references between listeners and pools, address shapes, ranges and clashes.
/// Every problem is reported (no short-circuit) at the position of the node it concerns. Empty required strings
/// are skipped here: the binder already reported them missing.
/// </summary>
internal static class ConfigValidator
{
    /// <summary>Checks <paramref name="config"/> and reports into <paramref name="diagnostics"/>.</summary>
    public static void Validate(BalancerConfig config, ConfigDiagnostics diagnostics)
    {
        var uses = config.Pools.Keys.ToDictionary(name => name, _ => PoolUse.None, StringComparer.Ordinal);
        var binds = new BindTable(diagnostics);
        foreach (var (name, listener) in config.Listeners)
        {
            var path = ConfigPath.Child("listeners", name);
            binds.Add(ConfigPath.Child(path, "bind"), listener.Bind);
            TcpSettingsValidator.CheckListener(listener, path, diagnostics);
            TlsValidator.CheckListener(listener, path, diagnostics);
            HttpSettingsValidator.CheckListener(listener, path, diagnostics);
            if (listener.Protocol == ListenerProtocols.Tcp)
            {
                CheckTcpListener(listener, path, config, uses, diagnostics);
            }
            else
            {
                CheckHttpListener(listener, path, config, uses, diagnostics);
            }
        }

        CheckAdmin(config.Admin, binds, diagnostics);
        foreach (var (name, pool) in config.Pools)
        {
            PoolValidator.Validate(ConfigPath.Child("pools", name), pool, uses[name], diagnostics);
        }

        if (config.Failover is { } failover)
        {
            FailoverValidator.Validate(failover, config.Pools, diagnostics);
        }

        AnnounceValidator.Validate(config, diagnostics);

        CheckTelemetry(config.Telemetry, diagnostics);
    }

    private static void CheckTelemetry(TelemetryConfig telemetry, ConfigDiagnostics diagnostics)
    {
        if (telemetry.OtlpEndpoint is { } endpoint && !(Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            diagnostics.Report("telemetry.otlpEndpoint", $"'{endpoint}' is not an absolute http(s) URI, e.g. http://127.0.0.1:4318");
        }

        if (telemetry.SampleRatio is < 0 or > 1)
        {
            diagnostics.Report("telemetry.sampleRatio", $"sampleRatio must be between 0 and 1, got {telemetry.SampleRatio}");
        }

        if (telemetry.AccessLog is "")
        {
            diagnostics.Report("telemetry.accessLog", "accessLog must be \"stdout\" or a file path; leave it out for no access log");
        }
    }

    private static void CheckHttpListener(
        ListenerConfig listener, string path, BalancerConfig config, Dictionary<string, PoolUse> uses, ConfigDiagnostics diagnostics)
    {
        if (listener.Pool is not null)
        {
            diagnostics.Report(ConfigPath.Child(path, "pool"), "'pool' is only for tcp listeners; an http listener chooses pools by its 'routes'");
        }

        // A redirecting listener may have no routes: it then redirects every request.
        if (listener.Routes.Count == 0 && listener.RedirectToHttps is null)
        {
            diagnostics.Report(ConfigPath.Child(path, "routes"), "an http listener needs at least one route");
        }

        for (var i = 0; i < listener.Routes.Count; i++)
        {
            var route = listener.Routes[i];
            var routePath = ConfigPath.Item(ConfigPath.Child(path, "routes"), i);
            var hostsPath = ConfigPath.Child(routePath, "hosts");
            if (route.Hosts.Count == 0)
            {
                diagnostics.Report(hostsPath, "a route needs at least one host; use [\"*\"] for any host");
            }

            for (var j = 0; j < route.Hosts.Count; j++)
            {
                Report(diagnostics, ConfigPath.Item(hostsPath, j), RouteSyntax.CheckHost(route.Hosts[j]));
            }

            Report(diagnostics, ConfigPath.Child(routePath, "path"), RouteSyntax.CheckPath(route.Path));
            RouteMatchValidator.Check(route, routePath, diagnostics);
            RouteActionValidator.Check(route, routePath, (pool, at) => CheckPoolReference(pool, at, PoolUse.Http, config, uses, diagnostics), diagnostics);
            if (route.Transforms is { } transforms)
            {
                TransformsValidator.Check(route, transforms, ConfigPath.Child(routePath, "transforms"), diagnostics);
            }

            if (route.RateLimit is { } limit)
            {
                TrafficPolicyValidator.CheckRateLimit(limit, ConfigPath.Child(routePath, "rateLimit"), diagnostics);
            }
        }
    }

    private static void CheckTcpListener(
        ListenerConfig listener, string path, BalancerConfig config, Dictionary<string, PoolUse> uses, ConfigDiagnostics diagnostics)
    {
        if (listener.Routes.Count > 0)
        {
            diagnostics.Report(ConfigPath.Child(path, "routes"), "a tcp listener has no routes; it sends every connection to its 'pool'");
        }

        if (string.IsNullOrEmpty(listener.Pool))
        {
            diagnostics.Report(ConfigPath.Child(path, "pool"), "a tcp listener needs 'pool', the pool it sends every connection to");
            return;
        }

        CheckPoolReference(listener.Pool, ConfigPath.Child(path, "pool"), PoolUse.Tcp, config, uses, diagnostics);
    }

    private static void CheckPoolReference(
        string pool, string path, PoolUse use, BalancerConfig config, Dictionary<string, PoolUse> uses, ConfigDiagnostics diagnostics)
    {
        if (pool.Length == 0)
        {
            return;
        }

        if (uses.TryGetValue(pool, out var current))
        {
            uses[pool] = current | use;
            return;
        }

        var hint = config.Pools.Count == 0 ? "; no pools are defined" : NameSuggester.Hint(pool, [.. config.Pools.Keys]);
        diagnostics.Report(path, $"pool '{pool}' is not defined{hint}");
    }

    private static void CheckAdmin(AdminConfig admin, BindTable binds, ConfigDiagnostics diagnostics)
    {
        // PRODUCT.md: binding the admin API off loopback without a token file is a config error.
        if (binds.Add("admin.bind", admin.Bind) is { IsLoopback: false } && string.IsNullOrEmpty(admin.TokenFile))
        {
            diagnostics.Report("admin.bind", $"the admin API on non-loopback '{admin.Bind}' needs 'tokenFile' so calls must present a token");
        }

        if (admin.AuditLog is "")
        {
            diagnostics.Report("admin.auditLog", "auditLog must be \"stdout\" or a file path; leave it out for no audit log");
        }
    }

    /// <summary>Reports <paramref name="message"/> at <paramref name="path"/> when a check returned one.</summary>
    internal static void Report(ConfigDiagnostics diagnostics, string path, string? message)
    {
        if (message is not null)
        {
            diagnostics.Report(path, message);
        }
    }
}
