using System.Text.RegularExpressions;
using Balancer.Core.Configuration.Binding;

namespace Balancer.Core.Configuration.Validation;

/// <summary>Checks one pool: its backends' addresses against the listeners that use it, weights, retries and health.</summary>
internal static partial class PoolValidator
{
    /// <summary>Checks the pool at <paramref name="path"/>, used by listeners of kind <paramref name="use"/>.</summary>
    public static void Validate(string path, PoolConfig pool, PoolUse use, ConfigDiagnostics diagnostics)
    {
        if (use == (PoolUse.Http | PoolUse.Tcp))
        {
            diagnostics.Report(path, "pool is used by both http and tcp listeners; give each kind its own pool (http backends are URIs, tcp ones host:port)");
        }
        else if (use == PoolUse.None)
        {
            diagnostics.Report(path, "pool is not used by any listener", ConfigErrorSeverity.Warning);
        }

        CheckRange(diagnostics, ConfigPath.Child(path, "retries"), "retries", pool.Retries, 1, 10);
        if (pool.DecayTime <= TimeSpan.Zero)
        {
            diagnostics.Report(ConfigPath.Child(path, "decayTime"), "decayTime must be more than zero");
        }

        CheckRange(diagnostics, ConfigPath.Child(path, "panicThreshold"), "panicThreshold", pool.PanicThreshold, 0, 100);
        TcpSettingsValidator.CheckPool(pool, path, use, diagnostics);
        TlsValidator.CheckPool(pool, path, use, diagnostics);
        HttpSettingsValidator.CheckPool(pool, path, use, diagnostics);
        TrafficPolicyValidator.CheckPool(pool, path, use, diagnostics);
        GrpcSettingsValidator.CheckPool(pool, path, use, diagnostics);
        CheckPassive(ConfigPath.Child(path, "passive"), pool.Passive, diagnostics);
        CheckBackends(ConfigPath.Child(path, "backends"), pool.Backends, use, diagnostics);
        if (pool.Health is { } health)
        {
            CheckHealth(ConfigPath.Child(path, "health"), health, diagnostics);
        }
    }

    private static void CheckBackends(string path, IReadOnlyList<BackendConfig> backends, PoolUse use, ConfigDiagnostics diagnostics)
    {
        if (backends.Count == 0)
        {
            diagnostics.Report(path, "pool has no backends; it will refuse every request", ConfigErrorSeverity.Warning);
        }

        // A backend is identified by its pool and address, so an address may appear once per pool.
        var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < backends.Count; i++)
        {
            var backend = backends[i];
            var backendPath = ConfigPath.Item(path, i);
            CheckRange(diagnostics, ConfigPath.Child(backendPath, "weight"), "weight", backend.Weight, 0, 256);
            if (backend.Address.Length == 0)
            {
                continue;
            }

            // An unused pool has no kind yet: the address's own shape decides which check applies.
            var http = use == PoolUse.Http || (use != PoolUse.Tcp && backend.Address.StartsWith("http", StringComparison.OrdinalIgnoreCase));
            var addressPath = ConfigPath.Child(backendPath, "address");
            ConfigValidator.Report(diagnostics, addressPath, http ? AddressSyntax.CheckHttpUri(backend.Address) : AddressSyntax.CheckHostPort(backend.Address));
            if (!seen.TryAdd(backend.Address, i))
            {
                diagnostics.Report(addressPath, $"duplicate backend '{backend.Address}' (also at backends[{seen[backend.Address]}])");
            }
        }
    }

    private static void CheckPassive(string path, PassiveHealthConfig passive, ConfigDiagnostics diagnostics)
    {
        CheckRange(diagnostics, ConfigPath.Child(path, "consecutive5xx"), "consecutive5xx", passive.Consecutive5xx, 0, 1000);
        if (passive.EjectTime <= TimeSpan.Zero)
        {
            diagnostics.Report(ConfigPath.Child(path, "ejectTime"), "ejectTime must be more than zero");
        }

        if (passive.MaxEjectTime < passive.EjectTime)
        {
            diagnostics.Report(ConfigPath.Child(path, "maxEjectTime"), "maxEjectTime must be at least ejectTime");
        }
    }

    private static void CheckHealth(string path, HealthConfig health, ConfigDiagnostics diagnostics)
    {
        CheckRange(diagnostics, ConfigPath.Child(path, "rise"), "rise", health.Rise, 1, int.MaxValue);
        CheckRange(diagnostics, ConfigPath.Child(path, "fall"), "fall", health.Fall, 1, int.MaxValue);
        foreach (var (name, value) in new[] { ("interval", health.Interval), ("timeout", health.Timeout) })
        {
            if (value <= TimeSpan.Zero)
            {
                diagnostics.Report(ConfigPath.Child(path, name), $"{name} must be more than zero");
            }
        }

        // Only a warning: a probe that outlives the interval delays the next one, it does not break anything.
        if (health.Timeout > health.Interval && health.Interval > TimeSpan.Zero)
        {
            diagnostics.Report(ConfigPath.Child(path, "timeout"), "timeout is longer than interval; probes will run less often than the interval says", ConfigErrorSeverity.Warning);
        }

        if (!StatusCodeRanges.TryParse(health.ExpectStatus, out _, out var statusError))
        {
            diagnostics.Report(ConfigPath.Child(path, "expectStatus"), statusError);
        }

        if (!health.Path.StartsWith('/'))
        {
            diagnostics.Report(ConfigPath.Child(path, "path"), $"probe path '{health.Path}' must start with '/'");
        }

        if (!HttpToken().IsMatch(health.Method))
        {
            diagnostics.Report(ConfigPath.Child(path, "method"), $"'{health.Method}' is not an HTTP method");
        }

        if (health.Host is { } host && !AddressSyntax.IsDnsName(host) && AddressSyntax.CheckHostPort(host) is not null)
        {
            diagnostics.Report(ConfigPath.Child(path, "host"), $"'{host}' is not a host name or host:port");
        }
    }

    /// <summary>Reports <paramref name="value"/> outside <paramref name="min"/>–<paramref name="max"/>.</summary>
    internal static void CheckRange(ConfigDiagnostics diagnostics, string path, string name, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            diagnostics.Report(path, max == int.MaxValue ? $"{name} must be at least {min}, got {value}" : $"{name} must be {min}-{max}, got {value}");
        }
    }

    // RFC 9110 section 5.6.2: a method is a token.
    [GeneratedRegex(@"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")]
    private static partial Regex HttpToken();
}
