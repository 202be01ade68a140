using Balancer.Core.Model;

namespace Balancer.Core.History;

/// <summary>The counters of a backend (or of a pool's refusals) read at one moment; subtract two to get a sample's growth.</summary>
/// <param name="Started">Requests or connections handed to the backend (for a pool's refusals: answered without one).</param>
/// <param name="Failures">Requests or connections the backend failed: refused, reset or timed out, retried elsewhere or not.</param>
/// <param name="Backend5xx">5xx answers from the backend.</param>
/// <param name="ProxyErrors">502, 503 and 504 answers Balancer made.</param>
/// <param name="Limited">429 answers.</param>
internal readonly record struct TrafficCounts(long Started, long Failures, long Backend5xx, long ProxyErrors, long Limited)
{
    /// <summary>Requests (or connections) handed to <paramref name="backend"/> and what became of them, now.</summary>
    public static TrafficCounts Of(BackendState backend) =>
        new(backend.Requests, backend.Failures, backend.Traffic.Backend5xx, backend.Traffic.ProxyErrors, backend.Traffic.Limited);

    /// <summary>Answers <paramref name="pool"/> gave without a backend, now.</summary>
    public static TrafficCounts Of(Pool pool)
    {
        var unrouted = pool.Counters.Unrouted;
        long answers = 0;
        for (var i = 0; i < StatusClassCounts.Names.Length; i++)
        {
            answers += unrouted[i];
        }

        return new(answers, 0, 0, pool.Refused.ProxyErrors, pool.Refused.Limited);
    }

    public static TrafficCounts operator +(TrafficCounts a, TrafficCounts b) =>
        new(a.Started + b.Started, a.Failures + b.Failures, a.Backend5xx + b.Backend5xx, a.ProxyErrors + b.ProxyErrors, a.Limited + b.Limited);

    public static TrafficCounts operator -(TrafficCounts a, TrafficCounts b) =>
        new(a.Started - b.Started, a.Failures - b.Failures, a.Backend5xx - b.Backend5xx, a.ProxyErrors - b.ProxyErrors, a.Limited - b.Limited);
}
