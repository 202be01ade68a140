using Balancer.Core.Grpc;
using Balancer.Core.Model;

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

    /// <summary>How a gRPC call ended (<c>grpc-status</c>); <see cref="GrpcStatusCodes.None"/> for other requests.</summary>
    public int GrpcStatus { get; set; } = GrpcStatusCodes.None;
}
