using Balancer.Core.Model;
using Balancer.Tls;
using Yarp.ReverseProxy.Forwarder;

namespace Balancer.Http;

/// <summary>
/// Tells a backend how one attempt on it went, whichever forwarder carried it: its in-flight count and latency, and
/// passive health — a connect that failed ejects it at once (before the next probe), a response feeds the 5xx count.
/// </summary>
internal sealed class AttemptReport(TimeProvider time, ILogger logger)
{
    /// <summary>Ends the attempt on its backend; runs whether or not forwarding threw.</summary>
    public void Finished(BackendState backend, ProxyAttempt attempt, ForwarderError error)
    {
        var backendFault = ForwarderFailure.IsBackendFault(error);
        if (!attempt.LatencyRecorded && backendFault)
        {
            // No response headers: count the time spent as a (slow) sample anyway.
            backend.Latency.Observe(time.GetElapsedTime(attempt.StartedAt));
        }

        backend.OnFinished(backendFault);
    }

    /// <summary>
    /// Reports the attempt to passive health (a gRPC call by its <paramref name="grpcStatus"/> as well); returns why the
    /// request never reached the backend, or null when it did.
    /// </summary>
    public string? ReportHealth(HttpContext context, Pool pool, BackendState backend, ForwarderError error, int grpcStatus)
    {
        if (error == ForwarderError.None)
        {
            pool.Health.OnResponse(backend, context.Response.StatusCode, grpcStatus);
            return null;
        }

        if (BackendTlsFailure.Describe(context) is { } tlsFailure)
        {
            TlsLog.BackendTlsFailed(logger, pool.Name, backend.Address, tlsFailure);
        }

        var failure = ForwarderFailure.ConnectFailure(context, error);
        if (failure is not null)
        {
            pool.Health.OnConnectFailure(backend, failure);
        }

        return failure;
    }
}
