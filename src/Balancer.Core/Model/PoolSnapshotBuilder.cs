using Balancer.Core.Affinity;
using Balancer.Core.Configuration;
using Balancer.Core.LoadBalancing;

namespace Balancer.Core.Model;

/// <summary>
/// Builds a pool's immutable snapshot from its backends' current state: who takes traffic and with what weight
/// (slow start ramping, panic mode). Pure: the pool calls it under its writer lock and swaps the result in.
/// </summary>
internal static class PoolSnapshotBuilder
{
    /// <summary>The slow-start share of its weight a backend has at <paramref name="now"/>, 0.1 → 1 linearly.</summary>
    public static double SlowStartShare(long? since, long now, TimeSpan slowStart, long frequency)
    {
        if (since is not { } start || slowStart <= TimeSpan.Zero)
        {
            return 1;
        }

        var elapsed = (double)(now - start) / frequency / slowStart.TotalSeconds;
        return elapsed >= 1 ? 1 : Pool.SlowStartInitialShare + ((1 - Pool.SlowStartInitialShare) * Math.Max(0, elapsed));
    }

    public static PoolSnapshot Build(string name, PoolConfig config, IBalancingAlgorithm algorithm, BackendState[] all, long now, long frequency, out bool ramping)
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
            if (!b.Draining && !b.Removed && b.Weight > 0 && b.Health != BackendHealth.Unknown)
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
                if (!b.Draining && !b.Removed && b.Weight > 0 && b.Health != BackendHealth.Unknown)
                {
                    available.Add(b);
                    weights.Add(b.Weight * SlowStartShare(b.SlowStartSince, now, config.SlowStart, frequency));
                }
            }
        }

        return new PoolSnapshot(algorithm, all, [.. available], [.. weights])
        {
            Panic = panic,
            Affinity = config.Affinity is { } affinity ? new AffinityTable(name, affinity, all) : null,
        };
    }
}
