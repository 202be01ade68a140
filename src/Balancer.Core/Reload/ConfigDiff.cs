using Balancer.Core.Configuration;
using Balancer.Core.Routing;

namespace Balancer.Core.Reload;

/// <summary>
/// Compares two configs the way a reload applies them: listeners, routes, pools and backends
/// (identified by pool and address), admin, telemetry, failover and announce, every field by value, so ops can see a
/// change, with its values, before and after they make it. Changes a running process cannot take are marked
/// <see cref="ConfigChange.RestartNeeded"/>.
/// </summary>
public static class ConfigDiff
{
    /// <summary>
    /// Fields a reload refuses, so only a restart changes them: the admin endpoint and telemetry pipeline are built once,
    /// and the failover node's identity, socket and addresses are fixed while it takes part in the protocol
    /// (what <c>FailoverService.CheckReload</c> and <c>FailoverMachine.ReconfigureProblems</c> reject).
    /// </summary>
    private static readonly string[] s_restartOnly =
    [
        "admin.bind", "admin.tokenFile", "telemetry.",
        "failover.nodeId", "failover.advertInterval", "failover.peers", "failover.track.fault", "failover.bind",
        "failover.vipAction", "failover.interface", "failover.virtualIps", "failover.maxClockSkew", "failover.peerNodes",
    ];

    /// <summary>Every change from <paramref name="from"/> to <paramref name="to"/>, listeners first, then pools, then the rest.</summary>
    public static IReadOnlyList<ConfigChange> Compute(BalancerConfig from, BalancerConfig to)
    {
        var changes = new List<ConfigChange>();
        Compare(changes, "listener", from.Listeners, to.Listeners, DescribeListener);
        foreach (var (name, listener) in to.Listeners.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            if (from.Listeners.TryGetValue(name, out var old))
            {
                CompareRoutes(changes, name, old.Routes, listener.Routes);
            }
        }
        Compare(changes, "pool", from.Pools, to.Pools, (old, next) => Describe(old with { Backends = [] }, next with { Backends = [] }));
        foreach (var (name, pool) in to.Pools)
        {
            if (from.Pools.TryGetValue(name, out var old))
            {
                CompareBackends(changes, name, old, pool);
            }
        }

        CompareBlock(changes, "admin", from.Admin, to.Admin);
        CompareBlock(changes, "telemetry", from.Telemetry, to.Telemetry);
        if ((from.Failover is null) != (to.Failover is null))
        {
            changes.Add(new ConfigChange(from.Failover is null ? ChangeKind.Added : ChangeKind.Removed, "failover", RestartNeeded: true));
        }
        else
        {
            CompareBlock(changes, "failover", from.Failover, to.Failover);
        }

        if ((from.Announce is null) != (to.Announce is null))
        {
            changes.Add(new ConfigChange(from.Announce is null ? ChangeKind.Added : ChangeKind.Removed, "announce", RestartNeeded: true));
        }
        else
        {
            CompareBlock(changes, "announce", from.Announce, to.Announce);
        }

        return changes;
    }

    /// <summary>
    /// The fields of one config block that differ, each as <c>priority 150 → 120</c>, in declaration order; empty when
    /// none: what a component's own "reconfigured" line names, so that a reload changing nothing of it says nothing.
    /// </summary>
    public static IReadOnlyList<string> Fields<T>(T from, T to)
        where T : class => [.. SettingsDiff.Compare(from, to).Select(f => $"{f.Path} {f.From} → {f.To}")];

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

    /// <summary>A block present on both sides: the fields a reload applies live, and apart from them those that need a restart.</summary>
    private static void CompareBlock<T>(List<ConfigChange> changes, string block, T? from, T? to)
        where T : class
    {
        var fields = SettingsDiff.Compare(from, to);
        foreach (var restart in new[] { false, true })
        {
            var parts = fields.Where(f => IsRestartOnly($"{block}.{f.Path}") == restart).Select(f => $"{f.Path} {f.From} → {f.To}").ToList();
            if (parts.Count > 0)
            {
                changes.Add(new ConfigChange(ChangeKind.Changed, block, string.Join(", ", parts), restart));
            }
        }
    }

    private static bool IsRestartOnly(string field) =>
        s_restartOnly.Any(p => p.EndsWith('.') ? field.StartsWith(p, StringComparison.Ordinal) : field == p || field.StartsWith(p + ".", StringComparison.Ordinal));

    private static string? DescribeListener(ListenerConfig old, ListenerConfig to) => Describe(old with { Routes = [] }, to with { Routes = [] });

    /// <summary>
    /// A listener's routes by position (they are matched in order): <c>+route web[2]: match → action</c>,
    /// <c>-route web[2]: …</c>, <c>~route web[0]: action pool web → split v1 90, v2 10</c>, each in the config's terms.
    /// </summary>
    private static void CompareRoutes(List<ConfigChange> changes, string listener, IReadOnlyList<RouteConfig> from, IReadOnlyList<RouteConfig> to)
    {
        for (var i = 0; i < Math.Max(from.Count, to.Count); i++)
        {
            var subject = $"route {listener}[{i}]";
            if (i >= to.Count)
            {
                changes.Add(new ConfigChange(ChangeKind.Removed, subject, $"{RouteDescription.Match(from[i])} → {RouteDescription.Action(from[i])}"));
            }
            else if (i >= from.Count)
            {
                changes.Add(new ConfigChange(ChangeKind.Added, subject, $"{RouteDescription.Match(to[i])} → {RouteDescription.Action(to[i])}"));
            }
            else
            {
                var parts = new List<string>();
                foreach (var (what, describe) in new (string, Func<RouteConfig, string>)[] { ("match", RouteDescription.Match), ("action", RouteDescription.Action) })
                {
                    var (was, now) = (describe(from[i]), describe(to[i]));
                    if (was != now)
                    {
                        parts.Add($"{what} {was} → {now}");
                    }
                }

                if (parts.Count > 0)
                {
                    changes.Add(new ConfigChange(ChangeKind.Changed, subject, string.Join("; ", parts)));
                }
            }
        }
    }

    /// <summary>The fields of two records that differ, as <c>retries 2 → 3, health.rise 2 → 3</c>; null when none.</summary>
    private static string? Describe<T>(T old, T to)
        where T : class
    {
        var fields = SettingsDiff.Compare(old, to);
        return fields.Count == 0 ? null : string.Join(", ", fields.Select(f => $"{f.Path} {f.From} → {f.To}"));
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
            else if (Describe(was, b) is { } detail)
            {
                changes.Add(new ConfigChange(ChangeKind.Changed, $"backend {pool}/{b.Address}", detail));
            }
        }
    }
}
