using Balancer.Core.LoadBalancing;
using Balancer.Core.Model;
using Balancer.Hosting;
using Balancer.Http.Http1;
using Balancer.Telemetry;
using Balancer.Tls;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Balancer.Http;

/// <summary>
/// Runs in YARP's proxy pipeline in place of its load balancing: asks the core pool for a
/// backend, hands YARP that one destination, counts the request in flight, and retries on
/// another backend when the first could not be reached before anything was sent. Requests the lean forwarder can
/// carry to a plain-http backend go through it instead of YARP's (<see cref="Http1Forwarder"/>).
/// </summary>
internal sealed class BackendSelectionMiddleware(
    RequestDelegate next, ProxyServices services, ListenerName listener, Http1Forwarder forwarder, ILogger<BackendSelectionMiddleware> logger)
{
    private readonly PoolRegistry _pools = services.Pools;
    private readonly TimeProvider _time = services.Time;

    private const string BadGatewayBody = "502 Bad Gateway: the backend could not be reached.\n";
    private const string GatewayTimeoutBody = "504 Gateway Timeout: the backend did not answer in time.\n";
    private const string UnavailableBody = "503 Service Unavailable: no healthy backend.\n";
    private const string SaturatedBody = "503 Service Unavailable: every backend is at its request limit.\n";
    private const string PoolFullBody = "503 Service Unavailable: the pool is at its request limit.\n";

    public Task InvokeAsync(HttpContext context)
    {
        var proxy = context.GetReverseProxyFeature();
        var cluster = proxy.Route.Cluster!;
        var pool = _pools.Get(cluster.ClusterId);
        services.Routes.Get(proxy.Route.Config.RouteId)?.OnRequest();
        if (pool is null)
        {
            return RespondUnavailable(context);
        }

        // Circuit breaking (Envoy's max_pending_requests): over the pool's cap, refuse at once rather than queue.
        if (!pool.Requests.TryEnter(pool.Config.MaxPendingRequests))
        {
            // Answered by Balancer without a backend, as /metrics counts it (backend "none").
            pool.Counters.Unrouted.Count(StatusCodes.Status503ServiceUnavailable);
            pool.Refused.Record(StatusCodes.Status503ServiceUnavailable, generated: true, duration: null);
            return RespondUnavailable(context, PoolFullBody);
        }

        return ProxyAsync(context, proxy, cluster, pool);
    }

    /// <summary>
    /// Picks a backend, forwards, and retries on another after a failed connect; one async frame for all of it
    /// (each frame that waits for the backend costs an allocation and a continuation hop per request).
    /// </summary>
    private async Task ProxyAsync(HttpContext context, IReverseProxyFeature proxy, ClusterState cluster, Pool pool)
    {
        var attempt = new ProxyAttempt { RequestStartedAt = _time.GetTimestamp() };
        context.Features.Set(attempt);
        // Only allocated when a tracer listens (OTLP configured and this request sampled).
        using var activity = BalancerActivities.Source.StartActivity("proxy");
        activity?.SetTag("balancer.listener", listener.Value).SetTag("balancer.pool", pool.Name);
        try
        {
            var tries = Math.Max(1, pool.Config.Retries);
            var lean = forwarder.CanForward(context);
            BackendState? failed = null;
            for (var tryNumber = 1; ; tryNumber++)
            {
                var snapshot = pool.Snapshot;
                var (backend, destination) = PickAndStart(snapshot, cluster, pool.Config.MaxRequestsPerBackend, failed);
                if (backend is null || destination is null)
                {
                    if (failed is null)
                    {
                        // Backends there, but all at maxRequestsPerBackend: say so, so nobody hunts for a health problem.
                        var saturated = pool.Config.MaxRequestsPerBackend > 0 && snapshot.Available.Length > 0;
                        await RespondUnavailable(context, saturated ? SaturatedBody : UnavailableBody);
                        return;
                    }

                    // The retry found nobody else to try: report the failure of the attempt made.
                    context.Response.StatusCode = StatusCodes.Status502BadGateway;
                    break;
                }

                // DestinationState is its own one-element list: no allocation to narrow YARP's choice.
                proxy.AvailableDestinations = destination;
                attempt.Backend = backend;
                attempt.StartedAt = _time.GetTimestamp();
                attempt.LatencyRecorded = false;
                var error = ForwarderError.None;
                try
                {
                    if (!lean || forwarder.PoolFor(backend) is not { } http1 || await forwarder.ForwardAsync(context, http1, attempt) is not { } leanError)
                    {
                        await next(context);
                        error = context.Features.Get<IForwarderErrorFeature>()?.Error ?? ForwarderError.None;
                        await ChunkedRelayBody.FinishAsync(context, error);
                    }
                    else
                    {
                        error = leanError;
                    }
                }
                finally
                {
                    var backendFault = ForwarderFailure.IsBackendFault(error);
                    if (!attempt.LatencyRecorded && backendFault)
                    {
                        // No response headers: count the time spent as a (slow) sample anyway.
                        backend.Latency.Observe(_time.GetElapsedTime(attempt.StartedAt));
                    }

                    backend.OnFinished(backendFault);
                }

                attempt.Error = error;
                var failure = error == ForwarderError.None ? null : ForwarderFailure.ConnectFailure(context, error);
                if (error != ForwarderError.None && BackendTlsFailure.Describe(context) is { } tlsFailure)
                {
                    TlsLog.BackendTlsFailed(logger, pool.Name, backend.Address, tlsFailure);
                }

                if (failure is not null)
                {
                    // Passive health: eject at once, before the next probe notices.
                    pool.Health.OnConnectFailure(backend, failure);
                }
                else if (error == ForwarderError.None)
                {
                    pool.Health.OnResponse(backend, context.Response.StatusCode);
                }

                if (error == ForwarderError.None)
                {
                    return;
                }

                if (tryNumber < tries && failure is not null && ForwarderFailure.CanRetry(context))
                {
                    Log.RetryingRequest(logger, pool.Name, backend.Address, tryNumber);
                    attempt.Retries++;
                    pool.Counters.OnRetried();
                    failed = backend;
                    context.Features.Set<IForwarderErrorFeature>(null);
                    context.Response.Clear();
                    continue;
                }

                break;
            }

            if (!context.Response.HasStarted)
            {
                var timedOut = context.Response.StatusCode == StatusCodes.Status504GatewayTimeout;
                context.Response.ContentType = "text/plain; charset=utf-8";
                context.Response.Headers.CacheControl = "no-cache"; // an error of the moment: never cached (HAProxy\'s error pages say the same)
                await context.Response.WriteAsync(timedOut ? GatewayTimeoutBody : BadGatewayBody);
            }
        }
        finally
        {
            ProxyTelemetry.RequestFinished(context, services, listener.Value, pool, attempt, activity);
            pool.Requests.Exit();
        }
    }

    /// <summary>
    /// A backend below its in-flight cap, already counted in flight, with its YARP destination; nulls when none.
    /// After a failed connect the failed one is avoided; one YARP does not know yet (a reload adds it to the core
    /// a moment before YARP) is given back and another tried. Picks are cheap; bound the tries by the pool size.
    /// </summary>
    private static (BackendState? Backend, DestinationState? Destination) PickAndStart(
        PoolSnapshot snapshot, ClusterState cluster, int maxPerBackend, BackendState? failed)
    {
        for (var spin = 0; spin <= snapshot.Available.Length; spin++)
        {
            var backend = ConnectionPicker.PickAndStart(snapshot, maxPerBackend, failed);
            if (backend is null)
            {
                break;
            }

            if (cluster.Destinations.TryGetValue(backend.Address, out var destination))
            {
                return (backend, destination);
            }

            backend.OnFinished(failed: false); // its request count keeps this one phantom start; rare and harmless
        }

        return (null, null);
    }

    private static Task RespondUnavailable(HttpContext context, string body = UnavailableBody)
    {
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = "1";
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers.CacheControl = "no-cache"; // an error of the moment: never cached (HAProxy\'s error pages say the same)
        return context.Response.WriteAsync(body);
    }
}
