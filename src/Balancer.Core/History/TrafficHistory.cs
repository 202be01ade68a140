namespace Balancer.Core.History;

/// <summary>
/// The last <see cref="Capacity"/> samples (15 minutes at one a second) of every pool, backend and <c>tcp</c> listener,
/// kept in process for the dashboard: bounded rings of floats, written by one <see cref="TrafficSampler"/> and read by
/// any number of admin requests without a lock. A sample's values are written before its number is published, and
/// readers stay one slot clear of the one being overwritten.
/// </summary>
public sealed class TrafficHistory
{
    /// <summary>15 minutes of one sample a second.</summary>
    public const int DefaultCapacity = 900;

    private readonly long[] _times;
    private long _count;
    private IReadOnlyDictionary<string, PoolHistory> _pools = new Dictionary<string, PoolHistory>();
    private IReadOnlyDictionary<string, ListenerHistory> _listeners = new Dictionary<string, ListenerHistory>();

    /// <summary>Creates an empty history of <paramref name="capacity"/> samples.</summary>
    public TrafficHistory(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 2);
        Capacity = capacity;
        _times = new long[capacity];
    }

    /// <summary>Samples kept.</summary>
    public int Capacity { get; }

    /// <summary>Samples taken so far; the latest is number <c>Count - 1</c>.</summary>
    public long Count => Volatile.Read(ref _count);

    /// <summary>The pools sampled last, by name.</summary>
    public IReadOnlyDictionary<string, PoolHistory> Pools => Volatile.Read(ref _pools);

    /// <summary>The <c>tcp</c> listeners sampled last, by name.</summary>
    public IReadOnlyDictionary<string, ListenerHistory> Listeners => Volatile.Read(ref _listeners);

    /// <summary>The oldest sample that may be read when <paramref name="count"/> samples have been published.</summary>
    public long FirstReadable(long count) => Math.Max(0, count - Capacity + 1);

    /// <summary>When sample <paramref name="sequence"/> was taken, in Unix milliseconds.</summary>
    public long TimeAt(long sequence) => Volatile.Read(ref _times[sequence % Capacity]);

    internal void SetTime(long sequence, long unixMilliseconds) => Volatile.Write(ref _times[sequence % Capacity], unixMilliseconds);

    internal void Publish(long count) => Volatile.Write(ref _count, count);

    internal void SetPools(IReadOnlyDictionary<string, PoolHistory> pools) => Volatile.Write(ref _pools, pools);

    internal void SetListeners(IReadOnlyDictionary<string, ListenerHistory> listeners) => Volatile.Write(ref _listeners, listeners);

    internal Series NewSeries() => new(Capacity);
}
