using System.Net;
using Balancer.Core.LoadBalancing;

namespace Balancer.Core.Model;

/// <summary>
/// The live state of one backend of one pool: counters updated lock-free on the hot path,
/// health and drain flags written by control code, which then refreshes the pool snapshot.
/// </summary>
public sealed class BackendState
{
    private int _inFlight;
    private long _requests;
    private long _failures;
    private long _bytesIn;
    private long _bytesOut;
    private long _affineRequests;
    private long _upgrades;
    private long _probesPassed;
    private long _probesFailed;
    private long _ejectionsActive;
    private long _ejectionsPassive;

    /// <summary>Current streak of 5xx responses, counted lock-free by passive health checking.</summary>
    internal int Consecutive5xx;

    /// <summary>Creates the state of a backend known by its pool and address.</summary>
    public BackendState(string pool, string address, int weight, TimeProvider time, TimeSpan decayTime)
    {
        Pool = pool;
        Address = address;
        EndPoint = IPEndPoint.TryParse(address, out var endPoint) && endPoint.Port != 0 ? endPoint : null;
        Weight = weight;
        ConfiguredWeight = weight;
        Latency = new PeakEwma(time, decayTime);
    }

    /// <summary>The pool this backend belongs to.</summary>
    public string Pool { get; }

    /// <summary>The backend's address as configured; with <see cref="Pool"/> it identifies the backend.</summary>
    public string Address { get; }

    /// <summary>
    /// <see cref="Address"/> as an endpoint when it is a literal <c>ip:port</c> (a TCP pool's usual form),
    /// parsed once so that opening an L4 connection neither parses nor resolves it; null otherwise.
    /// </summary>
    public IPEndPoint? EndPoint { get; }

    /// <summary>The weight in effect (0 takes no new traffic): <see cref="WeightOverride"/> when set, else <see cref="ConfiguredWeight"/>.</summary>
    public int Weight { get; internal set; }

    /// <summary>The weight the config gives the backend; a reload changes it.</summary>
    public int ConfiguredWeight { get; internal set; }

    /// <summary>
    /// A weight set at run time (the admin API), in effect until a reload changes this backend's weight or removes it
    /// (HAProxy's <c>set server weight</c>); null when none.
    /// </summary>
    public int? WeightOverride { get; internal set; }

    /// <summary>What health checking says; only <see cref="BackendHealth.Up"/> takes new traffic.</summary>
    public BackendHealth Health { get; internal set; }

    /// <summary>Why <see cref="Health"/> last changed, for logs and /status.</summary>
    public string? HealthReason { get; internal set; }

    /// <summary>When <see cref="Health"/> last changed (<see cref="TimeProvider.GetUtcNow"/>).</summary>
    public DateTimeOffset? HealthChangedAt { get; internal set; }

    /// <summary>True while the backend takes no new traffic but finishes what it has.</summary>
    public bool Draining { get; internal set; }

    /// <summary>True once a reload removed the backend: it takes no new traffic and is forgotten when drained.</summary>
    public bool Removed { get; internal set; }

    /// <summary>When a reload removed the backend (<see cref="TimeProvider.GetTimestamp"/>).</summary>
    internal long RemovedAt { get; set; }

    /// <summary>Added to a running pool: its first transition to up starts slow start.</summary>
    internal bool SlowStartOnFirstUp { get; set; }

    /// <summary>Timestamp (<see cref="TimeProvider.GetTimestamp"/>) when slow start began; null when not ramping.</summary>
    public long? SlowStartSince { get; internal set; }

    /// <summary>Requests (L7) or connections (L4) in flight right now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Requests or connections handed to this backend since it was added.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Requests or connections that failed at this backend (could not connect, reset, timed out).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Bytes received from clients and sent to this backend (L4; HAProxy's <c>bin</c>).</summary>
    public long BytesIn => Interlocked.Read(ref _bytesIn);

    /// <summary>Bytes received from this backend and sent to clients (L4; HAProxy's <c>bout</c>).</summary>
    public long BytesOut => Interlocked.Read(ref _bytesOut);

    /// <summary>Requests sent here because their affinity cookie named this backend (a draining one keeps getting them).</summary>
    public long AffineRequests => Interlocked.Read(ref _affineRequests);

    /// <summary>Responses this backend gave, by status class (L7).</summary>
    public StatusClassCounts Responses { get; } = new();

    /// <summary>gRPC calls this backend ended, by <c>grpc-status</c>.</summary>
    public GrpcStatusCounts GrpcCalls { get; } = new();

    /// <summary>Requests that became upgraded connections (WebSocket): counted here, kept out of the latency histogram.</summary>
    public long Upgrades => Interlocked.Read(ref _upgrades);

    /// <summary>Active health probes that passed.</summary>
    public long ProbesPassed => Interlocked.Read(ref _probesPassed);

    /// <summary>Active health probes that failed.</summary>
    public long ProbesFailed => Interlocked.Read(ref _probesFailed);

    /// <summary>Times active probes marked this backend down.</summary>
    public long EjectionsActive => Interlocked.Read(ref _ejectionsActive);

    /// <summary>Times live traffic (a failed connect, a 5xx streak) ejected this backend.</summary>
    public long EjectionsPassive => Interlocked.Read(ref _ejectionsPassive);

    /// <summary>Counts a request whose connection was upgraded (101, or an RFC 8441 CONNECT answered 200).</summary>
    public void OnUpgraded() => Interlocked.Increment(ref _upgrades);

    /// <summary>Counts one active probe.</summary>
    public void OnProbed(bool passed) => Interlocked.Increment(ref passed ? ref _probesPassed : ref _probesFailed);

    /// <summary>Counts one transition to down, by its cause.</summary>
    public void OnEjected(bool passive) => Interlocked.Increment(ref passive ? ref _ejectionsPassive : ref _ejectionsActive);

    /// <summary>Counts a request that followed its affinity cookie here.</summary>
    public void OnAffine() => Interlocked.Increment(ref _affineRequests);

    /// <summary>Answers by kind and their durations, for the dashboard's history.</summary>
    public TrafficCounters Traffic { get; } = new();

    /// <summary>Peak-EWMA response-time estimate used by the response-time algorithm.</summary>
    public PeakEwma Latency { get; }

    /// <summary>Counts a request or connection that starts at this backend.</summary>
    public void OnStarted()
    {
        Interlocked.Increment(ref _inFlight);
        Interlocked.Increment(ref _requests);
    }

    /// <summary>
    /// Like <see cref="OnStarted"/>, but only while fewer than <paramref name="maxInFlight"/> are in flight
    /// (0 = no limit); the check and the count are one atomic step, so concurrent starts never overshoot.
    /// </summary>
    public bool TryStart(int maxInFlight)
    {
        if (!InFlightGate.TryIncrement(ref _inFlight, maxInFlight))
        {
            return false;
        }

        Interlocked.Increment(ref _requests);
        return true;
    }

    /// <summary>Counts bytes a connection carried from a client to this backend.</summary>
    public void AddBytesIn(long count) => Interlocked.Add(ref _bytesIn, count);

    /// <summary>Counts bytes a connection carried from this backend to a client.</summary>
    public void AddBytesOut(long count) => Interlocked.Add(ref _bytesOut, count);

    /// <summary>Counts the end of a request or connection; <paramref name="failed"/> when the backend failed it.</summary>
    public void OnFinished(bool failed)
    {
        Interlocked.Decrement(ref _inFlight);
        if (failed)
        {
            Interlocked.Increment(ref _failures);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Pool} {Address}";
}
