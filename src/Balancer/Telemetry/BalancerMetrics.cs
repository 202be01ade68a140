using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Balancer.Core.Failover;
using Balancer.Core.Grpc;
using Balancer.Core.Model;

namespace Balancer.Telemetry;

/// <summary>
/// The <c>Balancer</c> meter: every instrument the proxy records, in one place, with dotted names and UCUM units
/// (OpenTelemetry semantic conventions; Kestrel's <c>KestrelMetrics</c> is the model). Per-backend and per-pool counts
/// are observed from the counters of the state that routes (<see cref="BackendState"/>, <see cref="PoolCounters"/>):
/// every known label set is exported from the start at 0, so an alert on <c>increase(…) &gt; 0</c> fires at the first
/// event, and a pool or backend that is gone leaves the exposition with it. The latency histogram, which cannot be
/// observed, lives on one meter per pool (<c>Balancer.Pool.NAME</c>) that is disposed when the pool is retired.
/// </summary>
internal sealed class BalancerMetrics : IDisposable
{
    public const string MeterName = "Balancer";

    /// <summary>Prefix of the per-pool meters that hold the latency histogram.</summary>
    public const string PoolMeterPrefix = "Balancer.Pool.";

    private static readonly double[] s_latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly OwnedMeterFactory _factory;
    private readonly string? _version = typeof(BalancerMetrics).Assembly.GetName().Version?.ToString(3);
    private readonly ConcurrentDictionary<string, Histogram<double>> _latency = new(StringComparer.Ordinal);
    private readonly Counter<long> _reloads;
    private readonly Counter<long> _refused;

    public BalancerMetrics(OwnedMeterFactory factory, Func<PoolRegistry?> pools, Func<FailoverSnapshot?> failover)
    {
        _factory = factory;
        var meter = factory.Create(new MeterOptions(MeterName) { Version = _version });
        _reloads = meter.CreateCounter<long>("balancer.config.reloads", "{reload}", "Config reloads, by result.");
        _refused = meter.CreateCounter<long>("balancer.requests.refused", "{request}", "Requests refused before routing, by listener and reason.");
        meter.CreateObservableCounter("balancer.requests", () => Requests(pools()), "{request}", "Requests proxied, by pool, backend and status class (backend none: answered by Balancer).");
        meter.CreateObservableCounter("balancer.retries", () => PerPool(pools(), p => p.Counters.Retries), "{request}", "Requests retried on another backend after a failed connect.");
        meter.CreateObservableCounter("balancer.health_checks", () => HealthChecks(pools()), "{check}", "Active health probes, by result.");
        meter.CreateObservableCounter("balancer.ejections", () => Ejections(pools()), "{ejection}", "Backends marked down, by cause (active or passive).");
        meter.CreateObservableCounter("balancer.grpc.calls", () => GrpcCalls(pools()), "{call}", "gRPC calls proxied, by pool, backend and grpc-status name (grpc_code; backend none: ended by Balancer).");
        meter.CreateObservableCounter("balancer.upgrades", () => Each(pools(), b => b.Upgrades, http: true), "{connection}", "Requests that became upgraded connections (WebSocket), kept out of balancer.request.duration.");
        meter.CreateObservableGauge("balancer.requests.in_flight", () => Each(pools(), b => b.InFlight), "{request}", "Requests or connections in flight per backend.");
        meter.CreateObservableGauge("balancer.backend.healthy", () => Each(pools(), b => b.Health == BackendHealth.Up ? 1 : 0), "{backend}", "1 when the backend takes traffic by health, else 0.");
        meter.CreateObservableGauge("balancer.backend.draining", () => Each(pools(), b => b.Draining || b.Removed ? 1 : 0), "{backend}", "1 while the backend drains.");
        meter.CreateObservableCounter("balancer.backend.handled", () => Each(pools(), b => b.Requests), "{request}", "Requests (L7) or connections (L4) handed to each backend.");
        meter.CreateObservableCounter("balancer.backend.failures", () => Each(pools(), b => b.Failures), "{request}", "Requests or connections that failed at each backend.");
        meter.CreateObservableCounter("balancer.tcp.bytes", () => TcpBytes(pools()), "By", "Bytes proxied by TCP listeners, by direction (in = client to backend).");
        FailoverMetrics.Register(meter, failover);
        Meter = meter;
    }

    /// <summary>The process's meter factory: Balancer's meters and every web host's.</summary>
    public OwnedMeterFactory Factory => _factory;

    /// <summary>The <c>Balancer</c> meter.</summary>
    public Meter Meter { get; }

    /// <summary>
    /// One finished proxied request: counted by status class on its backend (or the pool's, when Balancer answered
    /// without one), a gRPC call also by its <c>grpc-status</c>, its time in the pool's latency histogram unless the connection was upgraded (a WebSocket's
    /// lifetime is no latency: it is counted in <c>balancer.upgrades</c> instead).
    /// </summary>
    public void RequestFinished(Pool pool, BackendState? backend, int status, double seconds, bool upgraded, int grpcStatus = GrpcStatusCodes.None)
    {
        (backend?.Responses ?? pool.Counters.Unrouted).Count(status);
        if (grpcStatus != GrpcStatusCodes.None)
        {
            (backend?.GrpcCalls ?? pool.Counters.GrpcUnrouted).Count(grpcStatus);
        }

        if (upgraded)
        {
            backend?.OnUpgraded();
            return;
        }

        var latency = _latency.TryGetValue(pool.Name, out var histogram) ? histogram : Latency(pool.Name);
        latency.Record(seconds, new KeyValuePair<string, object?>("pool", pool.Name), new("backend", backend?.Address ?? "none"));
    }

    /// <summary>A pool a reload removed is gone: its latency series leave the exposition (its counters already have).</summary>
    public void PoolRetired(string pool)
    {
        _latency.TryRemove(pool, out _);
        _factory.Dispose(PoolMeterPrefix + pool);
    }

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

    /// <summary>Exports both reload results at 0; called once the meter provider listens (a measurement before is lost).</summary>
    public void Listening()
    {
        _reloads.Add(0, new KeyValuePair<string, object?>("result", "applied"));
        _reloads.Add(0, new KeyValuePair<string, object?>("result", "rejected"));
    }

    public void Reloaded(bool applied) => _reloads.Add(1, new KeyValuePair<string, object?>("result", applied ? "applied" : "rejected"));

    /// <summary>Adds the gauge of served certificates' expiry, in unix seconds, tagged with listener and subject.</summary>
    public void ObserveCertificateExpiry(Func<IEnumerable<Measurement<long>>> expiries) =>
        Meter.CreateObservableGauge("balancer.tls.certificate.expiry", expiries, "s", "When each served certificate expires (unix time).");

    public void Dispose() => _factory.Dispose();

    private Histogram<double> Latency(string pool) => _latency.GetOrAdd(pool, name =>
        _factory.Create(new MeterOptions(PoolMeterPrefix + name) { Version = _version }).CreateHistogram(
            "balancer.request.duration", "s", "Time from picking a backend to the end of the proxied request (upgraded connections excluded).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = s_latencyBuckets }));

    private static IEnumerable<Measurement<long>> Requests(PoolRegistry? pools)
    {
        foreach (var m in PerClass(pools, b => b.Responses))
        {
            yield return m;
        }

        foreach (var pool in pools?.Pools.Values ?? [])
        {
            for (var i = 0; i < StatusClassCounts.Names.Length; i++)
            {
                yield return new Measurement<long>(pool.Counters.Unrouted[i], new("pool", pool.Name), new("backend", "none"), new("status_class", StatusClassCounts.Names[i]));
            }
        }
    }

    private static IEnumerable<Measurement<long>> PerClass(PoolRegistry? pools, Func<BackendState, StatusClassCounts> counts)
    {
        foreach (var (pool, b) in Backends(pools, http: true))
        {
            var classes = counts(b);
            for (var i = 0; i < StatusClassCounts.Names.Length; i++)
            {
                yield return new Measurement<long>(classes[i], new("pool", pool.Name), new("backend", b.Address), new("status_class", StatusClassCounts.Names[i]));
            }
        }
    }

    /// <summary>
    /// gRPC calls by status name. A pool that speaks HTTP/2 to its backends (<c>httpVersion</c> 2, gRPC's) exports every
    /// code of every backend from 0 on; any other pool only the codes it has seen, so HTTP/1.1 pools add no series.
    /// </summary>
    private static IEnumerable<Measurement<long>> GrpcCalls(PoolRegistry? pools)
    {
        foreach (var pool in pools?.Pools.Values ?? [])
        {
            var all = pool.Config.HttpVersion == Core.Configuration.HttpVersions.Http2;
            foreach (var (name, counts) in pool.Snapshot.All.Where(b => b.Address.Contains("://", StringComparison.Ordinal))
                .Select(b => (b.Address, b.GrpcCalls)).Append(("none", pool.Counters.GrpcUnrouted)))
            {
                for (var code = 0; code < GrpcStatusCodes.Names.Count; code++)
                {
                    if (all || counts[code] > 0)
                    {
                        yield return new Measurement<long>(counts[code], new("pool", pool.Name), new("backend", name), new("grpc_code", GrpcStatusCodes.Names[code]));
                    }
                }
            }
        }
    }

    private static IEnumerable<Measurement<long>> HealthChecks(PoolRegistry? pools)
    {
        foreach (var (pool, b) in Backends(pools, http: null))
        {
            if (pool.Config.Health is { Probe: not Core.Configuration.ProbeKinds.None })
            {
                yield return new Measurement<long>(b.ProbesPassed, new("pool", pool.Name), new("backend", b.Address), new("result", "pass"));
                yield return new Measurement<long>(b.ProbesFailed, new("pool", pool.Name), new("backend", b.Address), new("result", "fail"));
            }
        }
    }

    private static IEnumerable<Measurement<long>> Ejections(PoolRegistry? pools)
    {
        foreach (var (pool, b) in Backends(pools, http: null))
        {
            yield return new Measurement<long>(b.EjectionsActive, new("pool", pool.Name), new("backend", b.Address), new("cause", "active"));
            yield return new Measurement<long>(b.EjectionsPassive, new("pool", pool.Name), new("backend", b.Address), new("cause", "passive"));
        }
    }

    private static IEnumerable<Measurement<long>> TcpBytes(PoolRegistry? pools)
    {
        foreach (var (pool, b) in Backends(pools, http: false))
        {
            yield return new Measurement<long>(b.BytesIn, new("pool", pool.Name), new("backend", b.Address), new("direction", "in"));
            yield return new Measurement<long>(b.BytesOut, new("pool", pool.Name), new("backend", b.Address), new("direction", "out"));
        }
    }

    private static IEnumerable<Measurement<long>> PerPool(PoolRegistry? pools, Func<Pool, long> value)
    {
        foreach (var pool in pools?.Pools.Values ?? [])
        {
            yield return new Measurement<long>(value(pool), new KeyValuePair<string, object?>("pool", pool.Name));
        }
    }

    private static IEnumerable<Measurement<T>> Each<T>(PoolRegistry? pools, Func<BackendState, T> value, bool? http = null)
        where T : struct
    {
        foreach (var (pool, b) in Backends(pools, http))
        {
            yield return new Measurement<T>(value(b), new("pool", pool.Name), new("backend", b.Address));
        }
    }

    /// <summary>Every backend of every pool; only those of HTTP pools (<c>http://</c>, <c>https://</c>) or of TCP pools when <paramref name="http"/> says.</summary>
    private static IEnumerable<(Pool Pool, BackendState Backend)> Backends(PoolRegistry? pools, bool? http)
    {
        foreach (var pool in pools?.Pools.Values ?? [])
        {
            foreach (var b in pool.Snapshot.All)
            {
                if (http is null || b.Address.Contains("://", StringComparison.Ordinal) == http)
                {
                    yield return (pool, b);
                }
            }
        }
    }
}
