namespace Balancer.Core.Model;

/// <summary>
/// Pool-wide event counts of affinity and hashing, kept across snapshots and reloads; /status and /metrics read them.
/// Each is counted only on its (rare) event, never on every request.
/// </summary>
public sealed class PoolCounters
{
    private long _affinityReplaced;
    private long _hashFallbacks;
    private long _retries;

    /// <summary>Requests whose affinity cookie named a backend that was down, removed or full, so it was re-picked and replaced.</summary>
    public long AffinityReplaced => Interlocked.Read(ref _affinityReplaced);

    /// <summary>Requests to a <c>hash</c> pool that carried no key and were balanced by round-robin.</summary>
    public long HashFallbacks => Interlocked.Read(ref _hashFallbacks);

    /// <summary>Requests retried on another backend after a failed connect.</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Responses Balancer gave for this pool without a backend (503 with nobody to take it, 502 after the tries).</summary>
    public StatusClassCounts Unrouted { get; } = new();

    /// <summary>gRPC calls Balancer ended for this pool without a backend (UNAVAILABLE: nobody to take them, or unreachable).</summary>
    public GrpcStatusCounts GrpcUnrouted { get; } = new();

    /// <summary>Counts one retry.</summary>
    public void OnRetried() => Interlocked.Increment(ref _retries);

    /// <summary>Counts one replaced affinity cookie.</summary>
    public void OnAffinityReplaced() => Interlocked.Increment(ref _affinityReplaced);

    /// <summary>Counts one request without a hash key.</summary>
    public void OnHashFallback() => Interlocked.Increment(ref _hashFallbacks);
}
