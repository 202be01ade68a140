namespace Balancer.Core.Model;

/// <summary>
/// Counts work in flight against a cap, lock-free: the check and the count are one atomic step, so concurrent
/// entries never overshoot (a circuit breaker in Envoy's sense, not a queue: a full gate refuses at once).
/// </summary>
public sealed class InFlightGate
{
    private int _count;

    /// <summary>Work in flight right now.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Counts one more unless <paramref name="max"/> are already in flight (0 = no limit); false when full.</summary>
    public bool TryEnter(int max) => TryIncrement(ref _count, max);

    /// <summary>Counts the end of work that <see cref="TryEnter"/> let in.</summary>
    public void Exit() => Interlocked.Decrement(ref _count);

    /// <summary>Increments <paramref name="counter"/> unless it has reached <paramref name="max"/> (0 = no limit).</summary>
    internal static bool TryIncrement(ref int counter, int max)
    {
        if (max <= 0)
        {
            Interlocked.Increment(ref counter);
            return true;
        }

        var current = Volatile.Read(ref counter);
        while (current < max)
        {
            var seen = Interlocked.CompareExchange(ref counter, current + 1, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }

        return false;
    }
}
