using Balancer.Core.History;
using Balancer.Core.Model;
using Balancer.Hosting;
using Balancer.Tcp;

namespace Balancer.Admin;

/// <summary>
/// Samples the pools and <c>tcp</c> listeners into <see cref="RuntimeState.History"/> once a second, whether or not a
/// dashboard is open (it must show the last 15 minutes when one opens). A tick that finds the previous one still
/// running is skipped; <see cref="TrafficSampler"/> ignores one that comes too early.
/// </summary>
internal sealed class HistorySampler : IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly TrafficSampler _sampler;
    private readonly PoolRegistry _pools;
    private readonly ListenerSet _listeners;
    private readonly object _running = new();
    private readonly ITimer _timer;

    public HistorySampler(TrafficHistory history, PoolRegistry pools, ListenerSet listeners, TimeProvider time)
    {
        _sampler = new TrafficSampler(history, time);
        _pools = pools;
        _listeners = listeners;
        Tick(); // the levels of the first second, at once
        _timer = time.CreateTimer(_ => Tick(), null, Interval, Interval);
    }

    public void Tick()
    {
        if (!Monitor.TryEnter(_running))
        {
            return;
        }

        try
        {
            var tcp = _listeners.Snapshot.OfType<TcpListenerHost>().Select(l => KeyValuePair.Create(l.Name, l.Counters)).ToList();
            _sampler.Sample(_pools.Pools, tcp);
        }
        finally
        {
            Monitor.Exit(_running);
        }
    }

    public void Dispose() => _timer.Dispose();
}
