using Balancer.Core.Configuration;

namespace Balancer.Core.Reload;

/// <summary>
/// Compares two configs the way a reload applies them: listeners, routes, pools and backends
/// (identified by pool and address), so ops can see a change before and after they make it.
/// </summary>
public static class ConfigDiff
{
    /// <summary>Every change from <paramref name="from"/> to <paramref name="to"/>, listeners first, then pools.</summary>
    public static IReadOnlyList<ConfigChange> Compute(BalancerConfig from, BalancerConfig to)
    {
        var changes = new List<ConfigChange>();
        Compare(changes, "listener", from.Listeners, to.Listeners, DescribeListener);
        Compare(changes, "pool", from.Pools, to.Pools, DescribePool);
        foreach (var (name, pool) in to.Pools)
        {
            if (from.Pools.TryGetValue(name, out var old))
            {
                CompareBackends(changes, name, old, pool);
            }
        }

        if (from.Admin != to.Admin)
        {
            changes.Add(new ConfigChange(ChangeKind.Changed, "admin", $"bind {from.Admin.Bind} → {to.Admin.Bind}"));
        }

        if (from.Failover != to.Failover)
        {
            changes.Add(new ConfigChange(from.Failover is null ? ChangeKind.Added : to.Failover is null ? ChangeKind.Removed : ChangeKind.Changed, "failover"));
        }

        return changes;
    }

    /// <summary>One line for the reload log: <c>+1 backend web/…, -1 backend web/… (draining)</c>, or <c>no changes</c>.</summary>
    public static string Summarize(IReadOnlyList<ConfigChange> changes) =>
        changes.Count == 0 ? "no changes" : string.Join(", ", changes.Select(c => c.Kind == ChangeKind.Removed && c.Subject.StartsWith("backend ", StringComparison.Ordinal) ? $"{c} (draining)" : c.ToString()));

    private static void Compare<T>(List<ConfigChange> changes, string what, IReadOnlyDictionary<string, T> from, IReadOnlyDictionary<string, T> to, Func<T, T, string?> describe)
        where T : class
    {
        foreach (var name in from.Keys.Where(k => !to.ContainsKey(k)).Order(StringComparer.Ordinal))
        {
            changes.Add(new ConfigChange(ChangeKind.Removed, $"{what} {name}"));
        }

        foreach (var (name, value) in to.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!from.TryGetValue(name, out var old))
            {
                changes.Add(new ConfigChange(ChangeKind.Added, $"{what} {name}"));
            }
            else if (describe(old, value) is { } detail)
            {
                changes.Add(new ConfigChange(ChangeKind.Changed, $"{what} {name}", detail));
            }
        }
    }

    private static string? DescribeListener(ListenerConfig old, ListenerConfig to)
    {
        var parts = new List<string>();
        Add(parts, "protocol", old.Protocol, to.Protocol);
        Add(parts, "bind", old.Bind, to.Bind);
        Add(parts, "pool", old.Pool, to.Pool);
        if (old.Tls != to.Tls)
        {
            parts.Add(old.Tls is null ? "tls added" : to.Tls is null ? "tls removed" : "tls");
        }
        if (!old.Routes.SequenceEqual(to.Routes, RouteComparer.Instance))
        {
            parts.Add($"routes {Routes(old)} → {Routes(to)}");
        }

        // Records compare lists by reference: blank the routes out to compare the other settings by value.
        if (parts.Count == 0 && old with { Routes = [] } != to with { Routes = [] })
        {
            parts.Add("settings");
        }

        return parts.Count == 0 ? null : string.Join(", ", parts);
    }

    private static string? DescribePool(PoolConfig old, PoolConfig to)
    {
        var parts = new List<string>();
        Add(parts, "algorithm", old.Algorithm, to.Algorithm);
        Add(parts, "slowStart", Durations.Format(old.SlowStart), Durations.Format(to.SlowStart));
        Add(parts, "retries", old.Retries.ToString(), to.Retries.ToString());
        if (old.Health != to.Health)
        {
            parts.Add("health");
        }

        if (old with { Backends = [], Algorithm = "", SlowStart = default, Retries = 0, Health = null } != to with { Backends = [], Algorithm = "", SlowStart = default, Retries = 0, Health = null })
        {
            parts.Add("settings");
        }

        return parts.Count == 0 ? null : string.Join(", ", parts);
    }

    private static void CompareBackends(List<ConfigChange> changes, string pool, PoolConfig from, PoolConfig to)
    {
        var old = from.Backends.ToDictionary(b => b.Address, StringComparer.Ordinal);
        var next = to.Backends.ToDictionary(b => b.Address, StringComparer.Ordinal);
        foreach (var b in from.Backends.Where(b => !next.ContainsKey(b.Address)))
        {
            changes.Add(new ConfigChange(ChangeKind.Removed, $"backend {pool}/{b.Address}"));
        }

        foreach (var b in to.Backends)
        {
            if (!old.TryGetValue(b.Address, out var was))
            {
                changes.Add(new ConfigChange(ChangeKind.Added, $"backend {pool}/{b.Address}", b.Weight == 1 ? null : $"weight {b.Weight}"));
            }
            else if (was.Weight != b.Weight)
            {
                changes.Add(new ConfigChange(ChangeKind.Changed, $"backend {pool}/{b.Address}", $"weight {was.Weight} → {b.Weight}"));
            }
        }
    }

    private static void Add(List<string> parts, string name, string? from, string? to)
    {
        if (!string.Equals(from, to, StringComparison.Ordinal))
        {
            parts.Add($"{name} {from ?? "none"} → {to ?? "none"}");
        }
    }

    private static string Routes(ListenerConfig listener) =>
        "[" + string.Join("; ", listener.Routes.Select(r => $"{string.Join(",", r.Hosts)} {r.Path} → {r.Pool}")) + "]";

    private sealed class RouteComparer : IEqualityComparer<RouteConfig>
    {
        public static readonly RouteComparer Instance = new();

        public bool Equals(RouteConfig? x, RouteConfig? y) =>
            x is not null && y is not null && x.Path == y.Path && x.Pool == y.Pool && x.Hosts.SequenceEqual(y.Hosts);

        public int GetHashCode(RouteConfig obj) => HashCode.Combine(obj.Path, obj.Pool);
    }
}
