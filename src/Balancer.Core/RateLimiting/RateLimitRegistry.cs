using System.Collections.Frozen;
using System.Security.Cryptography;
using Balancer.Core.Configuration;

namespace Balancer.Core.RateLimiting;

/// <summary>
/// The rate limit tables of every route, by route id (<c>listener/index</c>). A reload keeps the table (and its
/// buckets) of a route whose limit is unchanged, and starts afresh where it changed. Requests read one frozen map.
/// </summary>
public sealed class RateLimitRegistry(TimeProvider time)
{
    private FrozenDictionary<string, RateLimitTable> _tables = FrozenDictionary<string, RateLimitTable>.Empty;

    /// <summary>
    /// Seed of the key hashes, secret and new in each process: a client must not be able to craft a header value whose
    /// hash shares another client's bucket. (Buckets are per node; they need not agree across a pair.)
    /// </summary>
    public ulong Seed { get; } = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));

    /// <summary>The id of route <paramref name="index"/> of listener <paramref name="listener"/>, as YARP knows it.</summary>
    public static string RouteId(string listener, int index) => $"{listener}/{index}";

    /// <summary>The table of a route; null when it has no rate limit.</summary>
    public RateLimitTable? Get(string routeId) => Volatile.Read(ref _tables).GetValueOrDefault(routeId);

    /// <summary>Every table, by route id, for /status and /metrics.</summary>
    public IReadOnlyDictionary<string, RateLimitTable> Tables => Volatile.Read(ref _tables);

    /// <summary>Takes the routes of a newly applied config.</summary>
    public void Apply(BalancerConfig config)
    {
        var old = Volatile.Read(ref _tables);
        var next = new Dictionary<string, RateLimitTable>(StringComparer.Ordinal);
        foreach (var (listener, listenerConfig) in config.Listeners)
        {
            for (var i = 0; i < listenerConfig.Routes.Count; i++)
            {
                if (listenerConfig.Routes[i].RateLimit is not { } limit)
                {
                    continue;
                }

                var id = RouteId(listener, i);
                var found = old.TryGetValue(id, out var kept);
                next[id] = found && kept!.Config == limit ? kept : new RateLimitTable(limit, time, found ? kept!.Limited : 0);
            }
        }

        Volatile.Write(ref _tables, next.ToFrozenDictionary(StringComparer.Ordinal));
    }
}
