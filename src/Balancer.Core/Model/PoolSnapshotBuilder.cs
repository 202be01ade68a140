using Balancer.Core.Affinity;
using Balancer.Core.Configuration;
using Balancer.Core.LoadBalancing;

namespace Balancer.Core.Model;

/// <summary>
/// Decides which of a pool's backends take new traffic and at what weight — health, drain, removal, weight 0,
/// slow start's ramp and panic mode — and builds the <see cref="PoolSnapshot"/> requests read. Pure: the pool calls
/// it under its writer lock with the time now, and keeps the ramp timer itself.
/// </summary>
internal static class PoolSnapshotBuilder
{
    /// <summary>Slow start begins at this share of the configured weight (HAProxy and NGINX Plus ramp from a small share).</summary>
    public const double SlowStartInitialShare = 0.1;

    /// <summary>
    /// The snapshot of <paramref name="all"/> at timestamp <paramref name="now"/>; <paramref name="ramping"/> says whether a
    /// backend is still in slow start (so the snapshot must be rebuilt as its weight grows). A backend whose ramp is
    /// over has its <see cref="BackendState.SlowStartSince"/> cleared.
    /// </summary>
    /// <paramref name="previous"/>, the snapshot this one replaces, lends its affinity table when nothing it depends on changed.
    public static PoolSnapshot Build(
        string pool, PoolConfig config, IBalancingAlgorithm algorithm, BackendState[] all, long now, long frequency, out bool ramping, PoolSnapshot? previous = null)
    {
        var available = new List<BackendState>(all.Length);
        var weights = new List<double>(all.Length);
        var eligible = 0;
        ramping = false;
        foreach (var b in all)
        {
            var share = SlowStartShare(b.SlowStartSince, now, config.SlowStart, frequency);
            if (share >= 1)
            {
                b.SlowStartSince = null;
            }
            else
            {
                ramping = true;
            }

            // Panic mode counts only probed backends: an unprobed one never takes traffic.
            if (Eligible(b))
            {
                eligible++;
                if (b.Health == BackendHealth.Up)
                {
                    available.Add(b);
                    weights.Add(b.Weight * share);
                }
            }
        }

        // Panic mode (Envoy): when too few backends are healthy, spreading the load over all of
        // them serves more requests than crushing the survivors or answering 503 to everything.
        var panic = config.PanicThreshold > 0 && eligible > 0 && available.Count * 100 < config.PanicThreshold * eligible;
        if (panic)
        {
            available.Clear();
            weights.Clear();
            foreach (var b in all)
            {
                if (Eligible(b))
                {
                    available.Add(b);
                    weights.Add(b.Weight * SlowStartShare(b.SlowStartSince, now, config.SlowStart, frequency));
                }
            }
        }

        return new PoolSnapshot(algorithm, all, [.. available], [.. weights])
        {
            Panic = panic,
            Affinity = config.Affinity is { } affinity ? AffinityFor(pool, affinity, all, previous?.Affinity) : null,
            HashKey = RequestKey.TryParse(config.HashKey, Configuration.Validation.TrafficPolicyValidator.HashKeys, out var key, out _)
                ? key : RequestKey.ClientIp,
            HashBalanceFactor = config.HashBalanceFactor,
        };
    }

    // The table hashes every backend's address (HMAC): a health or drain change keeps the one it has.
    private static AffinityTable AffinityFor(string pool, AffinityConfig config, BackendState[] all, AffinityTable? previous) =>
        previous is not null && previous.Matches(config, all) ? previous : new AffinityTable(pool, config, all);

    /// <summary>The slow-start share of its weight a backend has at <paramref name="now"/>, 0.1 → 1 linearly.</summary>
    internal static double SlowStartShare(long? since, long now, TimeSpan slowStart, long frequency)
    {
        if (since is not { } start || slowStart <= TimeSpan.Zero)
        {
            return 1;
        }

        var elapsed = (double)(now - start) / frequency / slowStart.TotalSeconds;
        return elapsed >= 1 ? 1 : SlowStartInitialShare + ((1 - SlowStartInitialShare) * Math.Max(0, elapsed));
    }

    // Not draining, not removed, weighted, and probed at least once.
    private static bool Eligible(BackendState b) => !b.Draining && !b.Removed && b.Weight > 0 && b.Health != BackendHealth.Unknown;
}
