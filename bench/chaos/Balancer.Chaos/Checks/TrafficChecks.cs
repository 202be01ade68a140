using Balancer.Chaos.Backends;
using Balancer.Chaos.Steps;

namespace Balancer.Chaos.Checks;

/// <summary>
/// The invariants checked after each step has converged: routing agrees with <c>/status</c> (counted at the
/// backends), probes that pass mean healthy, <c>/metrics</c> agrees with <c>/status</c> and with the backends.
/// </summary>
internal sealed class TrafficChecks(BalancerUnderTest balancer, IReadOnlyList<BackendProcess> backends, StepExecutor executor, ChaosSettings settings, Violations violations)
{
    private readonly CountLedger _ledger = new();

    public CountLedger Ledger => _ledger;

    /// <summary>
    /// Over a quiet window: a backend shown healthy, not draining and of weight above 0 receives requests; any other
    /// receives none; and nothing changes in /status without a step.
    /// </summary>
    public async Task RoutingAsync(int step, TimeSpan window, double rate)
    {
        var before = await balancer.StatusAsync();
        var counts = backends.Select(b => b.Counters.Read(SharedCounters.Slot.Requests)).ToArray();
        await Task.Delay(window);
        var delta = backends.Select((b, i) => b.Counters.Read(SharedCounters.Slot.Requests) - counts[i]).ToArray();
        var after = await balancer.StatusAsync();
        foreach (var b in backends)
        {
            var was = before.Find(b.Address);
            var now = after.Find(b.Address);
            // A removed backend is forgotten once drained: the one change that needs no step.
            if (Shape(was) != Shape(now) && !(was is { Removed: true } && now is null))
            {
                violations.Add(step, $"{b.Name} changed with no step: {Shape(was)} → {Shape(now)} ({now?.HealthReason})");
                continue;
            }

            var eligible = now is { Healthy: true, Draining: false, Removed: false, Weight: > 0 };
            var received = delta[b.Index];
            if (!eligible && received > 0)
            {
                violations.Add(step, $"{b.Name} shown {Shape(now)} but received {received} new requests in {window.TotalMilliseconds:0} ms");
            }
            else if (eligible && received == 0 && ExpectedShare(after, now!) * rate * window.TotalSeconds >= 5 && !Starved(after, b.Index))
            {
                violations.Add(step, $"{b.Name} shown {Shape(now)} but received no request in {window.TotalMilliseconds:0} ms");
            }
        }
    }

    /// <summary>A backend whose last <c>rise</c> probes passed, all after its last health change, is shown healthy.</summary>
    public void ProbesMeanHealthy(int step, StatusView status)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var b in backends)
        {
            if (status.Find(b.Address) is not { Healthy: false, Removed: false } view || view.HealthChangedAt is not { } changed)
            {
                continue;
            }

            var passes = b.Counters.Probes().Reverse().TakeWhile(p => p.Passed && p.UnixMs > changed.ToUnixTimeMilliseconds()).ToList();
            if (passes.Count >= settings.Rise && now - passes[settings.Rise - 1].UnixMs > ChaosSettings.Slack.TotalMilliseconds)
            {
                violations.Add(step, $"{b.Name} answered {passes.Count} passing probes since it went down ({view.HealthReason}) but is shown unhealthy");
            }
        }
    }

    /// <summary>
    /// <c>/metrics</c> says what <c>/status</c> says, and both what the backends counted (within 1 %). Counters grow
    /// while they are read, so each is read between two reads of the other: /metrics between two /status, the
    /// backends' counts around /status.
    /// </summary>
    public async Task MetricsAsync(int step)
    {
        var arrivedBefore = ReadArrived();
        var status = await balancer.StatusAsync();
        var arrivedAfter = ReadArrived();
        var metrics = await balancer.MetricsAsync();
        var later = await balancer.StatusAsync();
        foreach (var b in backends)
        {
            var view = status.Find(b.Address);
            var label = $"backend=\"{b.Address}\"";
            if (view is not null && later.Find(b.Address) is { } next)
            {
                if (view.Healthy == next.Healthy && view.Draining == next.Draining)
                {
                    Compare(step, b.Name, "balancer_backend_healthy", metrics.Sum("balancer_backend_healthy", label), view.Healthy ? 1 : 0, view.Healthy ? 1 : 0);
                    Compare(step, b.Name, "balancer_backend_draining", metrics.Sum("balancer_backend_draining", label), view.Draining ? 1 : 0, view.Draining ? 1 : 0);
                }

                if (next.Requests >= view.Requests)
                {
                    var tolerance = Math.Max(1, next.Requests / 100.0);
                    Compare(step, b.Name, "balancer_backend_handled_total", metrics.Sum("balancer_backend_handled_total", label), view.Requests - tolerance, next.Requests + tolerance);
                }
            }

            if (_ledger.Check(b.Name, view, arrivedBefore[b.Index], arrivedAfter[b.Index]) is { } difference)
            {
                violations.Add(step, difference);
            }
        }
    }

    private long[] ReadArrived() => [.. backends.Select(b => b.Counters.Read(SharedCounters.Slot.Requests))];

    private void Compare(int step, string backend, string series, double? metric, double low, double high)
    {
        if (metric is null || metric < low || metric > high)
        {
            violations.Add(step, $"{backend}: /metrics {series} {(metric is null ? "missing" : $"{metric}")}, /status says {(low == high ? $"{low}" : $"{low:0}–{high:0}")}");
        }
    }

    private static string Shape(BackendView? view) => view is null ? "absent"
        : $"{(view.Removed ? "removed" : view.Healthy ? "healthy" : "unhealthy")}{(view.Draining ? " draining" : "")} weight {view.Weight}";

    private static double ExpectedShare(StatusView status, BackendView view)
    {
        var total = status.Backends.Where(b => b is { Healthy: true, Draining: false, Removed: false }).Sum(b => b.Weight);
        return total == 0 ? 0 : view.Weight / (double)total;
    }

    /// <summary>
    /// response-time may rightly send nothing to a slow backend, and for a while after it became fast again: its
    /// latency estimate stays above the fast ones' until the 1 % of picks it explores with bring it down (30 s
    /// allowed: 3 decay times). The others must still send it requests: least-connections and power-of-two see its
    /// in-flight count fall back to 0 between answers, whatever their latency (one that never does has lost a count).
    /// </summary>
    private bool Starved(StatusView status, int index) => status.Algorithm is "response-time" && executor.SlowWithin(index, 30_000);
}
