using Balancer.Core.Model;

namespace Balancer.Admin;

/// <summary>
/// Finds the backend a <c>/pools/{pool}/backends/{address}/{action}</c> call names. The path is taken as the client
/// sent it and each segment percent-decoded exactly once: a double-encoded address (<c>http%253A%252F…</c>) stays
/// what it says and matches nothing, where decoding twice would drain a backend nobody named. The address is either
/// the backend's full address, percent-encoded (<c>http%3A%2F%2F10.0.0.5%3A8080</c>), or <c>host:port</c> when
/// exactly one backend of the pool has it.
/// </summary>
internal static class BackendTarget
{
    /// <summary>The outcome: the backend, or the status code and message to answer with.</summary>
    public readonly record struct Resolution(Pool? Pool, BackendState? Backend, string Action, int Status, string? Error);

    /// <summary>Resolves <paramref name="rawTarget"/> (path and query exactly as received) against the running pools.</summary>
    public static Resolution Resolve(string rawTarget, PoolRegistry pools)
    {
        var query = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var segments = (query < 0 ? rawTarget : rawTarget[..query]).Split('/');
        // "", "pools", {pool}, "backends", {address...}, {action}
        if (segments.Length < 6 || segments[1] != "pools" || segments[3] != "backends")
        {
            return Fail(404, "expected /pools/{pool}/backends/{address}/{action}");
        }

        var action = Uri.UnescapeDataString(segments[^1]);
        var poolName = Uri.UnescapeDataString(segments[2]);
        if (pools.Get(poolName) is not { } pool)
        {
            return Fail(404, $"no pool '{poolName}'; pools: {string.Join(", ", pools.Pools.Keys.Order(StringComparer.Ordinal))}");
        }

        var parts = segments[4..^1];
        if (parts.Length != 1)
        {
            // An unencoded URL: its slashes split it into several segments.
            var sent = Uri.UnescapeDataString(string.Join('/', parts));
            return Fail(404, $"the address must be one path segment: percent-encode it "
                + $"(/pools/{segments[2]}/backends/{Uri.EscapeDataString(sent)}/{segments[^1]}), or name the backend by host:port");
        }

        var address = Uri.UnescapeDataString(parts[0]);
        if (pool.Find(address) is { } exact)
        {
            return new Resolution(pool, exact, action, 200, null);
        }

        var all = pool.Snapshot.All;
        var matches = all.Where(b => HostPort(b.Address) is { } hostPort && string.Equals(hostPort, address, StringComparison.OrdinalIgnoreCase)).ToList();
        return matches.Count switch
        {
            1 => new Resolution(pool, matches[0], action, 200, null),
            0 => Fail(404, $"pool '{pool.Name}' has no backend '{address}'; its backends: {string.Join(", ", all.Select(b => b.Address))} "
                + "(give one percent-encoded, e.g. " + $"{Uri.EscapeDataString(all.FirstOrDefault()?.Address ?? "http://10.0.0.5:8080")}, or as host:port)"),
            _ => Fail(409, $"'{address}' matches several backends of pool '{pool.Name}': {string.Join(", ", matches.Select(b => b.Address))}; give the full address, percent-encoded"),
        };
    }

    /// <summary><c>host:port</c> of an <c>http(s)://</c> backend address (default port spelled out); null for other shapes.</summary>
    private static string? HostPort(string address) =>
        address.Contains("://", StringComparison.Ordinal) && Uri.TryCreate(address, UriKind.Absolute, out var uri) ? $"{uri.Host}:{uri.Port}" : null;

    private static Resolution Fail(int status, string error) => new(null, null, "", status, error);
}
