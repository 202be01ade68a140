using Balancer.Core.Model;

namespace Balancer.Core.History;

/// <summary>The series of one pool, and its backends' in the pool's order.</summary>
public sealed class PoolHistory
{
    private BackendHistory[] _backends = [];
    private IReadOnlyDictionary<string, BackendHistory> _byAddress = new Dictionary<string, BackendHistory>();

    internal PoolHistory(Pool source, TrafficHistory history)
    {
        Source = source;
        Name = source.Name;
        Requests = history.NewSeries();
        Backend5xx = history.NewSeries();
        ProxyErrors = history.NewSeries();
        Limited = history.NewSeries();
        P50 = history.NewSeries();
        P99 = history.NewSeries();
        InFlight = history.NewSeries();
        Available = history.NewSeries();
        Named = [("requests", Requests), ("backend5xx", Backend5xx), ("proxyErrors", ProxyErrors), ("limited", Limited), ("p50", P50), ("p99", P99), ("inflight", InFlight), ("available", Available)];
    }

    /// <summary>Every series with the name the dashboard knows it by, in the order it lists them.</summary>
    public IReadOnlyList<(string Name, Series Series)> Named { get; }

    /// <summary>The pool's name.</summary>
    public string Name { get; }

    /// <summary>Requests (or connections) handed to the pool's backends per second, plus those answered without one.</summary>
    public Series Requests { get; }

    /// <summary>5xx answers per second that came from backends.</summary>
    public Series Backend5xx { get; }

    /// <summary>502, 503 and 504 answers per second that Balancer made itself.</summary>
    public Series ProxyErrors { get; }

    /// <summary>429 answers per second.</summary>
    public Series Limited { get; }

    /// <summary>Median request duration of the second, milliseconds (HTTP pools).</summary>
    public Series P50 { get; }

    /// <summary>99th percentile request duration of the second, milliseconds (HTTP pools).</summary>
    public Series P99 { get; }

    /// <summary>Requests or connections in flight at the sample.</summary>
    public Series InFlight { get; }

    /// <summary>Backends taking new traffic at the sample.</summary>
    public Series Available { get; }

    /// <summary>The backends sampled last, in the pool's order.</summary>
    public IReadOnlyList<BackendHistory> Backends => Volatile.Read(ref _backends);

    /// <summary>A backend's history by address; null when it was not in the last sample.</summary>
    public BackendHistory? Backend(string address) => Volatile.Read(ref _byAddress).GetValueOrDefault(address);

    /// <summary>The pool sampled (a pool removed and added back by reloads is a new one).</summary>
    internal Pool Source { get; }

    /// <summary>The pool's backends array at the last sample: while it is the same, so is the membership.</summary>
    internal object? LastMembers { get; set; }

    /// <summary>The pool's own refusals at the last sample.</summary>
    internal TrafficCounts PreviousRefused { get; set; }

    internal void SetBackends(BackendHistory[] backends)
    {
        Volatile.Write(ref _byAddress, backends.ToDictionary(b => b.Address, StringComparer.Ordinal));
        Volatile.Write(ref _backends, backends);
    }
}
