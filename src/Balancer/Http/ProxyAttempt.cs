using Balancer.Core.Grpc;
using Balancer.Core.Model;
using Yarp.ReverseProxy.Forwarder;

namespace Balancer.Http;

/// <summary>Which forwarder carried an attempt (access log <c>forwarder</c>, span tag <c>balancer.forwarder</c>).</summary>
internal enum ForwarderKind
{
    /// <summary>YARP's HttpForwarder and HttpClient.</summary>
    Yarp,

    /// <summary>Balancer's own HTTP/1.1 forwarder (Http/Http1).</summary>
    Lean,
}

/// <summary>
/// The backend a request is being sent to and when the attempt began, carried from
/// <see cref="BackendSelectionMiddleware"/> to the forwarders, which record the time to response headers.
/// </summary>
internal sealed class ProxyAttempt
{
    public BackendState? Backend { get; set; }

    public long StartedAt { get; set; }

    public bool LatencyRecorded { get; set; }

    /// <summary>When the request reached the balancer's proxy pipeline.</summary>
    public long RequestStartedAt { get; init; }

    /// <summary>Tries made on other backends after failed connects.</summary>
    public int Retries { get; set; }

    /// <summary>How the last try failed; <see cref="ForwarderError.None"/> when it got an answer from the backend.</summary>
    public ForwarderError Error { get; set; }

    /// <summary>How a gRPC call ended (<c>grpc-status</c>); <see cref="GrpcStatusCodes.None"/> for other requests.</summary>
    public int GrpcStatus { get; set; } = GrpcStatusCodes.None;

    /// <summary>The pool's affinity <c>Set-Cookie</c> the response must carry (a new or replaced cookie); null for none.</summary>
    public string? SetCookie { get; set; }

    /// <summary>The forwarder that carried the last attempt.</summary>
    public ForwarderKind Forwarder { get; set; }

    /// <summary>
    /// Records the time to response headers on the backend: the sample the response-time algorithm wants (a body
    /// streamed for minutes says nothing about how busy the backend is).
    /// </summary>
    public void ResponseHeadersReceived(TimeProvider time)
    {
        if (Backend is { } backend)
        {
            backend.Latency.Observe(time.GetElapsedTime(StartedAt));
            LatencyRecorded = true;
        }
    }

    /// <summary>Begins an attempt on <paramref name="backend"/> at <paramref name="now"/>.</summary>
    public void Start(BackendState backend, long now)
    {
        Backend = backend;
        StartedAt = now;
        LatencyRecorded = false;
    }
}
