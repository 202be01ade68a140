using Balancer.Core.Model;
using Balancer.Telemetry;
using Yarp.ReverseProxy.Forwarder;

namespace Balancer.Http;

/// <summary>
/// Whether a failed attempt is tried again on another backend: only when the pool allows more tries and the request can
/// be sent again — it never reached the backend (a failed connect), or it is idempotent, has no body and the backend
/// closed or reset the connection before answering (<see cref="ForwarderFailure.CanRetry"/>).
/// A retry is logged and counted, and the failed attempt's answer is cleared for the next one.
/// </summary>
internal sealed class ProxyRetries(ILogger logger)
{
    /// <summary>
    /// True when the request should go to another backend after <paramref name="tryNumber"/> tries failed with
    /// <paramref name="error"/> (<paramref name="failure"/>: why the connect failed, null when it did not).
    /// </summary>
    public bool TryAgain(HttpContext context, Pool pool, BackendState backend, ForwarderError error, string? failure, int tryNumber, ProxyAttempt attempt)
    {
        if (tryNumber >= Math.Max(1, pool.Config.Retries) || !ForwarderFailure.CanRetry(context, error, failure))
        {
            return false;
        }

        Log.RetryingRequest(logger, pool.Name, backend.Address, tryNumber);
        attempt.Retries++;
        pool.Counters.OnRetried();
        context.Features.Set<IForwarderErrorFeature>(null);
        context.Response.Clear();
        return true;
    }
}
