namespace Balancer.Chaos.Pair;

/// <summary>
/// Every 10 ms: which live nodes (running, not frozen, link up, started) hold the virtual IP. Two at once is allowed
/// only within the takeover window after an event (a resumed or reconnected master settles a dual-master case with
/// its first advert; a graceful hand-over keeps the address until the successor's second advert, at most 3 advert
/// intervals); longer is a violation, reported once per episode.
/// </summary>
internal sealed class HolderSampler(IReadOnlyList<PairNode> nodes, VipMonitor vips, double windowMs, Action<string> violation) : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private long _lastEvent = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    private Thread? _thread;

    public long Samples { get; private set; }

    /// <summary>Longest time two live nodes held the address together (ms).</summary>
    public long LongestDouble { get; private set; }

    /// <summary>Marks an event (a kill, a start, a freeze, a link change): the takeover window starts again.</summary>
    public void Event() => Interlocked.Exchange(ref _lastEvent, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    /// <summary>Live nodes that hold the address now.</summary>
    public List<PairNode> Holders() => [.. nodes.Where(n => n.Live && vips.Holds(n.Netns))];

    public void Start()
    {
        _thread = new Thread(Loop) { IsBackground = true, Name = "holder sampler" };
        _thread.Start();
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread?.Join();
        _stop.Dispose();
    }

    private void Loop()
    {
        long? since = null;
        var reported = false;
        while (!_stop.IsCancellationRequested)
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var holders = Holders();
            Samples++;
            if (holders.Count > 1)
            {
                since ??= now;
                LongestDouble = Math.Max(LongestDouble, now - since.Value);
                if (!reported && now - Interlocked.Read(ref _lastEvent) > windowMs)
                {
                    reported = true;
                    violation($"{string.Join(" and ", holders.Select(h => h.NodeId))} both hold the virtual IP, for {now - since.Value} ms so far and {now - Interlocked.Read(ref _lastEvent)} ms after the last event (window {windowMs:0} ms)");
                }
            }
            else
            {
                since = null;
                reported = false;
            }

            _stop.Token.WaitHandle.WaitOne(10);
        }
    }
}
