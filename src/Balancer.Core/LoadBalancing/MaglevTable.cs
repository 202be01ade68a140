using System.Text;
using Balancer.Core.Model;

namespace Balancer.Core.LoadBalancing;

/// <summary>
/// The Maglev lookup table (Eisenbud et al., "Maglev: A Fast and Reliable Software Network Load Balancer", NSDI 2016,
/// section 3.4): each backend walks its own permutation of the table's slots, taking the next free one in turn, so every
/// backend holds a near-equal share and removing one moves only the keys it held (plus a few), about 1/N.
/// </summary>
/// <remarks>
/// Weights: a backend takes a turn in a round once its credit, its weight over the largest weight, adds up to one
/// (the paper's weighted variant: heavier backends take turns more often), so shares follow weights. Permutations come from
/// <see cref="StableHash"/> of the address, and backends take turns in address order, so two Balancers with the same
/// backends build the same table whatever order config or reloads listed them in. Built on the control path only.
/// </remarks>
public sealed class MaglevTable
{
    /// <summary>The smallest table: the paper's default size; at least 100 slots per backend keeps shares within ~1 %.</summary>
    internal const int MinSize = 65537;

    private const ulong OffsetSeed = 0x6D61676C65762D6F; // "maglev-o"
    private const ulong SkipSeed = 0x6D61676C65762D73;   // "maglev-s"

    private readonly int[] _slots;

    /// <summary>Builds the table for <paramref name="backends"/> (parallel to <paramref name="weights"/>, all above zero).</summary>
    public MaglevTable(BackendState[] backends, double[] weights)
    {
        var size = NextPrime(Math.Max(MinSize, backends.Length * 100L));
        _slots = new int[size];
        Array.Fill(_slots, -1);
        var order = Enumerable.Range(0, backends.Length).OrderBy(i => backends[i].Address, StringComparer.Ordinal).ToArray();
        var offset = new long[backends.Length];
        var skip = new long[backends.Length];
        var next = new long[backends.Length];
        var credit = new double[backends.Length];
        var maxWeight = weights.Max();
        foreach (var i in order)
        {
            var address = Encoding.UTF8.GetBytes(backends[i].Address);
            offset[i] = (long)(StableHash.Hash(address, OffsetSeed) % (ulong)size);
            skip[i] = (long)(StableHash.Hash(address, SkipSeed) % (ulong)(size - 1)) + 1;
        }

        var filled = 0;
        while (true)
        {
            foreach (var i in order)
            {
                credit[i] += weights[i] / maxWeight;
                if (credit[i] < 1 - 1e-9)
                {
                    continue;
                }

                credit[i] -= 1;
                // skip < size and size is prime, so the walk visits every slot: a free one is always found.
                long slot;
                do
                {
                    slot = (offset[i] + (next[i]++ * skip[i])) % size;
                }
                while (_slots[slot] >= 0);

                _slots[slot] = i;
                if (++filled == size)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Slots in the table (a prime).</summary>
    public int Size => _slots.Length;

    /// <summary>The index (into the backends it was built from) of the backend holding the slot of <paramref name="hash"/>, <paramref name="step"/> slots on.</summary>
    public int Lookup(ulong hash, int step = 0) => _slots[(int)((hash + (ulong)step) % (ulong)_slots.Length)];

    private static int NextPrime(long atLeast)
    {
        for (var n = atLeast | 1; ; n += 2)
        {
            var prime = true;
            for (long d = 3; d * d <= n; d += 2)
            {
                if (n % d == 0)
                {
                    prime = false;
                    break;
                }
            }

            if (prime)
            {
                return checked((int)n);
            }
        }
    }
}
