using Balancer.Core.Model;
using Yarp.ReverseProxy.Forwarder;

namespace Balancer.Http;

/// <summary>
/// The backend a request is being sent to and when the attempt began, carried from
/// <see cref="BackendSelectionMiddleware"/> to the response transform that records the
/// time to response headers.
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
}
