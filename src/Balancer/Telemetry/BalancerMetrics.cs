using System.Diagnostics.Metrics;
using Balancer.Core.Failover;
using Balancer.Core.Model;
using Balancer.Core.RateLimiting;

namespace Balancer.Telemetry;

/// <summary>
/// The <c>Balancer</c> meter: every instrument the proxy records, in one place, with dotted
/// names and UCUM units (OpenTelemetry semantic conventions; Kestrel's <c>KestrelMetrics</c>
/// is the model). Hot-path methods pass tags as structs, so recording allocates nothing.
/// </summary>
internal sealed class BalancerMetrics : IDisposable
{
    public const string MeterName = "Balancer";

    private readonly Meter _meter;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _requestDuration;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _healthChecks;
    private readonly Counter<long> _ejections;
    private readonly Counter<long> _reloads;
    private readonly Counter<long> _refused;
    private readonly Func<PoolRegistry?> _pools;

    public BalancerMetrics(Func<PoolRegistry?> pools, Func<FailoverSnapshot?> failover)
    {
        _pools = pools;
        _meter = new Meter(MeterName, typeof(BalancerMetrics).Assembly.GetName().Version?.ToString(3));
        _requests = _meter.CreateCounter<long>("balancer.requests", "{request}", "Requests proxied, by pool, backend and status class.");
        _requestDuration = _meter.CreateHistogram<double>(
            "balancer.request.duration", "s", "Time from picking a backend to the end of the proxied request.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        _retries = _meter.CreateCounter<long>("balancer.retries", "{request}", "Requests retried on another backend after a failed connect.");
        _healthChecks = _meter.CreateCounter<long>("balancer.health_checks", "{check}", "Active health probes, by result.");
        _ejections = _meter.CreateCounter<long>("balancer.ejections", "{ejection}", "Backends marked down, by cause (active or passive).");
        _reloads = _meter.CreateCounter<long>("balancer.config.reloads", "{reload}", "Config reloads, by result.");
        _refused = _meter.CreateCounter<long>("balancer.requests.refused", "{request}", "Requests refused before routing, by listener and reason.");
        _meter.CreateObservableGauge("balancer.requests.in_flight", () => Each(pools(), b => b.InFlight), "{request}", "Requests or connections in flight per backend.");
        _meter.CreateObservableGauge("balancer.backend.healthy", () => Each(pools(), b => b.Health == BackendHealth.Up ? 1 : 0), "{backend}", "1 when the backend takes traffic by health, else 0.");
        _meter.CreateObservableGauge("balancer.backend.draining", () => Each(pools(), b => b.Draining || b.Removed ? 1 : 0), "{backend}", "1 while the backend drains.");
        _meter.CreateObservableCounter("balancer.backend.handled", () => Each(pools(), b => b.Requests), "{request}", "Requests (L7) or connections (L4) handed to each backend.");
        _meter.CreateObservableCounter("balancer.backend.failures", () => Each(pools(), b => b.Failures), "{request}", "Requests or connections that failed at each backend.");
        _meter.CreateObservableCounter("balancer.tcp.bytes", () => TcpBytes(pools()), "By", "Bytes proxied by TCP listeners, by direction (in = client to backend).");
        _meter.CreateObservableGauge("balancer.failover.state", () => FailoverState(failover()), "{state}", "1 for the state this node is in (master, backup, fault, init).");
        _meter.CreateObservableGauge<int>("balancer.failover.priority", () => failover() is { } f ? [new Measurement<int>(f.EffectivePriority)] : [], "{priority}", "Priority advertised now, after tracking.");
        _meter.CreateObservableCounter<long>("balancer.failover.transitions", () => failover() is { } f ? [new Measurement<long>(f.Transitions)] : [], "{transition}", "Failover state changes.");
        _meter.CreateObservableCounter("balancer.failover.rejected_packets", () => Rejected(failover()), "{packet}", "Peer datagrams dropped, by reason.");
    }

    public void RequestFinished(string pool, string backend, int status, double seconds)
    {
        var statusClass = status switch
        {
            < 200 => "1xx",
            < 300 => "2xx",
            < 400 => "3xx",
            < 500 => "4xx",
            _ => "5xx",
        };
        _requests.Add(1, new("pool", pool), new("backend", backend), new("status_class", statusClass));
        _requestDuration.Record(seconds, new KeyValuePair<string, object?>("pool", pool), new("backend", backend));
    }

    public void Retried(string pool) => _retries.Add(1, new KeyValuePair<string, object?>("pool", pool));

    public void HealthChecked(string pool, string backend, bool passed) =>
        _healthChecks.Add(1, new("pool", pool), new("backend", backend), new("result", passed ? "pass" : "fail"));

    public void Ejected(string pool, string backend, string cause) =>
        _ejections.Add(1, new("pool", pool), new("backend", backend), new("cause", cause));

    /// <summary>One request refused before routing, by Kestrel or the request guard.</summary>
    public void RequestRefused(string listener, string reason) =>
        _refused.Add(1, new KeyValuePair<string, object?>("listener", listener), new("reason", reason));

    /// <summary>Exports every refusal reason of <paramref name="listener"/> at 0, so an alert on its increase fires at the first one.</summary>
    public void ListenerStarted(string listener)
    {
        foreach (var reason in RefusalReasons.All)
        {
            _refused.Add(0, new KeyValuePair<string, object?>("listener", listener), new("reason", reason));
        }
    }

    public void Reloaded(bool applied) => _reloads.Add(1, new KeyValuePair<string, object?>("result", applied ? "applied" : "rejected"));

    /// <summary>Adds the gauge of served certificates' expiry, in unix seconds, tagged with listener and subject.</summary>
    public void ObserveCertificateExpiry(Func<IEnumerable<Measurement<long>>> expiries) =>
        _meter.CreateObservableGauge("balancer.tls.certificate.expiry", expiries, "s", "When each served certificate expires (unix time).");

    /// <summary>
    /// Adds the affinity, hashing and rate limit instruments (issue #21), read from the state that decides: the pools'
    /// counters and each route's rate limit table (its count carried across reloads that change the limit).
    /// </summary>
    public void ObserveTrafficPolicies(RateLimitRegistry rateLimits)
    {
        _meter.CreateObservableCounter("balancer.backend.affine_requests", () => Each(_pools(), b => b.AffineRequests), "{request}", "Requests sent to each backend because their affinity cookie named it (a draining backend keeps getting them).");
        _meter.CreateObservableCounter("balancer.affinity.replaced", () => EachPool(_pools(), p => p.Counters.AffinityReplaced), "{request}", "Requests whose affinity cookie named a backend down, removed, full or failed: re-picked and the cookie replaced.");
        _meter.CreateObservableCounter("balancer.hash.fallbacks", () => EachPool(_pools(), p => p.Counters.HashFallbacks), "{request}", "Requests to a hash pool without the hash key, balanced by round-robin.");
        _meter.CreateObservableCounter("balancer.requests.rate_limited", () => EachRoute(rateLimits, t => t.Limited), "{request}", "Requests answered 429 by each route's rate limit, before any backend.");
        _meter.CreateObservableGauge("balancer.rate_limit.keys", () => EachRoute(rateLimits, t => (long)t.TrackedKeys), "{key}", "Keys (clients) each route's rate limit tracks now; at most its maxKeys.");
    }

    public void Dispose() => _meter.Dispose();

    private static IEnumerable<Measurement<long>> EachPool(PoolRegistry? pools, Func<Pool, long> value) =>
        pools is null ? [] : pools.Pools.Values.Where(p => p.Config.Affinity is not null || p.Config.Algorithm == Core.LoadBalancing.BalancingAlgorithms.Hash)
            .Select(p => new Measurement<long>(value(p), new KeyValuePair<string, object?>("pool", p.Name)));

    private static IEnumerable<Measurement<long>> EachRoute(RateLimitRegistry rateLimits, Func<RateLimitTable, long> value) =>
        rateLimits.Tables.Select(t => new Measurement<long>(value(t.Value), new KeyValuePair<string, object?>("route", t.Key)));

    private static IEnumerable<Measurement<long>> TcpBytes(PoolRegistry? pools)
    {
        foreach (var m in Each(pools, b => b.BytesIn))
        {
            yield return new Measurement<long>(m.Value, [.. m.Tags, new("direction", "in")]);
        }

        foreach (var m in Each(pools, b => b.BytesOut))
        {
            yield return new Measurement<long>(m.Value, [.. m.Tags, new("direction", "out")]);
        }
    }

    private static IEnumerable<Measurement<int>> FailoverState(FailoverSnapshot? snapshot)
    {
        if (snapshot is null)
        {
            yield break;
        }

        foreach (var state in Enum.GetValues<Core.Failover.FailoverState>())
        {
            yield return new Measurement<int>(state == snapshot.State ? 1 : 0, new KeyValuePair<string, object?>("state", state.ToString().ToLowerInvariant()));
        }
    }

    private static IEnumerable<Measurement<long>> Rejected(FailoverSnapshot? snapshot) =>
        snapshot is null ? [] : snapshot.RejectedPackets.Select(r => new Measurement<long>(r.Value, new KeyValuePair<string, object?>("reason", r.Key)));

    private static IEnumerable<Measurement<T>> Each<T>(PoolRegistry? pools, Func<BackendState, T> value)
        where T : struct
    {
        if (pools is null)
        {
            yield break;
        }

        foreach (var pool in pools.Pools.Values)
        {
            foreach (var b in pool.Snapshot.All)
            {
                yield return new Measurement<T>(value(b), new("pool", pool.Name), new("backend", b.Address));
            }
        }
    }
}
