using Balancer.Core.Model;
using Balancer.Telemetry;
using Yarp.ReverseProxy.Forwarder;

namespace Balancer.Http;

/// <summary>
/// Whether a failed attempt is tried again on another backend: only when the request never reached the backend (a
/// failed connect), the pool allows more tries, and the request can be sent again (<see cref="ForwarderFailure.CanRetry"/>).
/// A retry is logged and counted, and the failed attempt's answer is cleared for the next one.
/// </summary>
internal sealed class ProxyRetries(ILogger logger)
{
    /// <summary>True when the request should go to another backend after <paramref name="tryNumber"/> tries failed with <paramref name="failure"/>.</summary>
    public bool TryAgain(HttpContext context, Pool pool, BackendState backend, string? failure, int tryNumber, ProxyAttempt attempt)
    {
        if (failure is null || tryNumber >= Math.Max(1, pool.Config.Retries) || !ForwarderFailure.CanRetry(context))
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
