using Balancer.Core.Model;

namespace Balancer.Core.LoadBalancing;

/// <summary>
/// Consistent hashing (HAProxy's <c>hash-type consistent</c>, NGINX's <c>hash … consistent</c>, Envoy's Maglev): a
/// request key picks its backend through a <see cref="MaglevTable"/>, so the same key reaches the same backend on every
/// Balancer with the same backends, and a change of the backend set moves about 1/N of the keys. A request without
/// its key is balanced by smooth weighted round-robin (<see cref="Pick"/>).
/// </summary>
/// <remarks>
/// Bounded loads (Mirrokni, Thorup, Zadimoghaddam, "Consistent Hashing with Bounded Loads", SODA 2018; HAProxy's
/// <c>hash-balance-factor</c>): with factor c, a backend may hold at most ⌈c × (m + 1) × w / W⌉ of the m requests in
/// flight, w / W being its share of the weight; a fuller one is passed over for the next backend in the key's probe
/// sequence, the following slots of the table. So one hot key spills onto a few neighbours instead of melting its
/// backend, and every other key stays put.
/// </remarks>
internal sealed class ConsistentHash : IBalancingAlgorithm
{
    private uint _next = uint.MaxValue;
    private Prepared? _last; // written under the pool's writer lock only, as Prepare is called

    public string Name => BalancingAlgorithms.Hash;

    /// <summary>
    /// Builds the table on the control path; a snapshot rebuilt for a change that leaves the available backends and
    /// their weights as they were (a backend down that was not available anyway, a drain undone before it counted)
    /// keeps the table it has, so a flapping backend outside the set costs no rebuild.
    /// </summary>
    public object? Prepare(BackendState[] available, double[] weights)
    {
        if (_last is { } last && last.Available.AsSpan().SequenceEqual(available) && last.Weights.AsSpan().SequenceEqual(weights))
        {
            return last;
        }

        _last = new Prepared(new MaglevTable(available, weights), RoundRobin.Schedule(weights), available, weights);
        return _last;
    }

    /// <summary>Round-robin, for requests that carry no key.</summary>
    public BackendState Pick(PoolSnapshot snapshot)
    {
        var schedule = ((Prepared)snapshot.AlgorithmData!).Schedule;
        var turn = Interlocked.Increment(ref _next);
        return snapshot.Available[schedule[turn % (uint)schedule.Length]];
    }

    /// <summary>
    /// The backend for key <paramref name="hash"/>, passing over <paramref name="avoid"/> and, when
    /// <paramref name="balanceFactor"/> is above zero, backends over their bounded load given <paramref name="inFlight"/>
    /// requests in the pool besides this one. When every probed backend is over, the least loaded of them by weight.
    /// </summary>
    internal static BackendState? PickByKey(PoolSnapshot snapshot, ulong hash, double balanceFactor, int inFlight, BackendState? avoid)
    {
        var table = ((Prepared)snapshot.AlgorithmData!).Table;
        var available = snapshot.Available;
        var weights = snapshot.Weights;
        // Probing a few times the pool size finds a backend under its bound unless nearly all are over it.
        var steps = Math.Min(table.Size, (available.Length * 4) + 4);
        var capacity = balanceFactor * (Math.Max(0, inFlight) + 1) / snapshot.TotalWeight;
        BackendState? best = null;
        var bestLoad = double.MaxValue;
        for (var step = 0; step < steps; step++)
        {
            var i = table.Lookup(hash, step);
            var candidate = available[i];
            if (candidate == avoid)
            {
                continue;
            }

            var load = candidate.InFlight;
            if (balanceFactor <= 0 || load < Math.Ceiling(capacity * weights[i]))
            {
                return candidate;
            }

            if (load / weights[i] < bestLoad)
            {
                best = candidate;
                bestLoad = load / weights[i];
            }
        }

        return best;
    }

    private sealed record Prepared(MaglevTable Table, int[] Schedule, BackendState[] Available, double[] Weights);
}
