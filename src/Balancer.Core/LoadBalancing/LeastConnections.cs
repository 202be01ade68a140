using Balancer.Core.Model;

namespace Balancer.Core.LoadBalancing;

/// <summary>
/// Weighted least connections (NGINX's <c>least_conn</c>): the backend with the fewest requests
/// in flight per unit of effective weight. Ties go to the backend met first in a scan that
/// starts at the next turn of a smooth weighted round-robin schedule, as NGINX breaks ties by
/// weighted round-robin: equal idle backends share evenly and weights hold even when every
/// backend is idle (a client sending one request at a time sees all counts at zero).
/// </summary>
/// <remarks>
/// The scan reads every available backend's counter, O(n) per pick, without a lock; a counter
/// that changes under the scan only makes one choice slightly stale, which the next corrects.
/// </remarks>
internal sealed class LeastConnections : IBalancingAlgorithm
{
    private uint _next = uint.MaxValue;

    public string Name => BalancingAlgorithms.LeastConnections;

    public object? Prepare(BackendState[] available, double[] weights) => RoundRobin.Schedule(weights);

    public BackendState Pick(PoolSnapshot snapshot)
    {
        var available = snapshot.Available;
        var weights = snapshot.Weights;
        var schedule = (int[])snapshot.AlgorithmData!;
        var turn = Interlocked.Increment(ref _next);
        var i = schedule[turn % (uint)schedule.Length];
        var best = i;
        double bestInFlight = available[i].InFlight;
        for (var step = 1; step < available.Length; step++)
        {
            if (++i == available.Length)
            {
                i = 0;
            }

            // inI / wI < inBest / wBest, multiplied out; strict, so ties keep the earlier one.
            double inFlight = available[i].InFlight;
            if (inFlight * weights[best] < bestInFlight * weights[i])
            {
                best = i;
                bestInFlight = inFlight;
            }
        }

        return available[best];
    }
}
