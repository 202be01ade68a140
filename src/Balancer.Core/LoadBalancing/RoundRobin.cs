using Balancer.Core.Model;

namespace Balancer.Core.LoadBalancing;

/// <summary>
/// Smooth weighted round-robin (NGINX's <c>ngx_http_upstream_get_peer</c>): weights 5,1,1 give
/// a a b a c a a, spreading the heavy backend's turns instead of bunching them.
/// </summary>
/// <remarks>
/// NGINX runs the algorithm under a lock on every pick. We run it once per snapshot in
/// <see cref="Prepare"/> to build the schedule, and picks walk it with one interlocked counter:
/// no lock, no allocation, and the same order.
/// </remarks>
internal sealed class RoundRobin : IBalancingAlgorithm
{
    /// <summary>Longest schedule we build; larger weight sums are scaled down (ratios kept within rounding).</summary>
    internal const int MaxSchedule = 8192;

    private uint _next = uint.MaxValue;

    public string Name => BalancingAlgorithms.RoundRobin;

    public object? Prepare(BackendState[] available, double[] weights) => Schedule(weights);

    public BackendState Pick(PoolSnapshot snapshot)
    {
        var schedule = (int[])snapshot.AlgorithmData!;
        var turn = Interlocked.Increment(ref _next);
        return snapshot.Available[schedule[turn % (uint)schedule.Length]];
    }

    /// <summary>One full smooth weighted round-robin cycle of indices into <paramref name="weights"/>.</summary>
    internal static int[] Schedule(double[] weights) => BuildSchedule(Integerize(weights));

    /// <summary>Turns effective weights into small integers with the same ratios (tenths kept for slow start).</summary>
    internal static int[] Integerize(double[] weights)
    {
        var ints = new int[weights.Length];
        var integral = true;
        foreach (var w in weights)
        {
            integral &= w == Math.Floor(w);
        }

        var scale = integral ? 1.0 : 10.0;
        long sum = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            ints[i] = Math.Max(1, (int)Math.Round(weights[i] * scale));
            sum += ints[i];
        }

        var gcd = ints.Aggregate(0, Gcd);
        for (var i = 0; i < ints.Length; i++)
        {
            ints[i] /= gcd;
        }

        sum /= gcd;
        if (sum > MaxSchedule)
        {
            var factor = (double)MaxSchedule / sum;
            for (var i = 0; i < ints.Length; i++)
            {
                ints[i] = Math.Max(1, (int)(ints[i] * factor));
            }
        }

        return ints;
    }

    /// <summary>Runs NGINX's smooth weighted selection for one full cycle.</summary>
    internal static int[] BuildSchedule(int[] weights)
    {
        var total = weights.Sum();
        var current = new int[weights.Length];
        var schedule = new int[total];
        for (var turn = 0; turn < total; turn++)
        {
            var best = 0;
            for (var i = 0; i < weights.Length; i++)
            {
                current[i] += weights[i];
                if (current[i] > current[best])
                {
                    best = i;
                }
            }

            current[best] -= total;
            schedule[turn] = best;
        }

        return schedule;
    }

    private static int Gcd(int a, int b) => b == 0 ? a : Gcd(b, a % b);
}
