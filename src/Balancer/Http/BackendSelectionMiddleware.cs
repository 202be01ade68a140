using Balancer.Core.Configuration;
using Balancer.Core.Grpc;
using Balancer.Core.LoadBalancing;
using Balancer.Core.Model;
using Balancer.Hosting;
using Balancer.Http.Forwarding;
using Balancer.Http.Grpc;
using Balancer.Http.Http1;
using Balancer.Http.Routing;
using Balancer.Http.Traffic;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Balancer.Http;

/// <summary>
/// Runs in YARP's proxy pipeline in place of its load balancing: asks the core pool for a backend, counts the request
/// in flight, and hands it to a forwarder — the lean one (<see cref="Http1Forwarder"/>) for what it can carry to a
/// plain-http backend, YARP's for the rest, both applying the route's <see cref="ForwardingPlan"/>. How each attempt
/// went goes to <see cref="AttemptReport"/>, whether to try another backend (after a failed connect, or an idempotent
/// request the backend closed on before answering) is <see cref="ProxyRetries"/>' call, and the finished request goes
/// to <see cref="ProxyTelemetry"/>.
/// </summary>
internal sealed class BackendSelectionMiddleware(
    RequestDelegate next, ProxyServices services, ListenerName listener, Http1Forwarder lean, IProxyStateLookup clusters, ILogger<BackendSelectionMiddleware> logger)
{
    private static readonly ForwardedFor s_noProxies = new([]);
    private readonly PoolRegistry _pools = services.Pools;
    private readonly TimeProvider _time = services.Time;
    private readonly AttemptReport _report = new(services.Time, logger);
    private readonly ProxyRetries _retries = new(logger);

    public Task InvokeAsync(HttpContext context)
    {
        var proxy = context.GetReverseProxyFeature();
        // Set by ForwardingTransformBuilder on every route; without it nothing may bypass YARP.
        var plan = (proxy.Route.Transformer as ForwardingTransformer)?.Plan;
        if (services.WarmUp.Claim(context) is { } warmUp)
        {
            return WarmUpAsync(context, proxy, plan, warmUp);
        }

        // The route's rate limit was checked before (RouteAnswerMiddleware): a refused request made no split choice.
        var cluster = proxy.Route.Cluster!;
        if (context.GetEndpoint()?.Metadata.GetMetadata<RoutePlan>() is { Split: { } split } routePlan
            && PoolSplit.Choose(context, routePlan, split, _pools, clusters) is { } side)
        {
            // A weighted split: YARP forwards with the chosen side's cluster (its client and request settings).
            context.ReassignProxyRequest(side);
            proxy = context.GetReverseProxyFeature();
            cluster = side;
        }

        var pool = _pools.Get(cluster.ClusterId);
        if (pool is null)
        {
            return ProxyResponses.Unavailable(context);
        }

        // Circuit breaking (Envoy's max_pending_requests): over the pool's cap, refuse at once rather than queue.
        if (!pool.Requests.TryEnter(pool.Config.MaxPendingRequests))
        {
            // Answered by Balancer without a backend, as /metrics counts it (backend "none").
            pool.Counters.Unrouted.Count(StatusCodes.Status503ServiceUnavailable);
            pool.Refused.Record(StatusCodes.Status503ServiceUnavailable, generated: true, duration: null);
            return ProxyResponses.Unavailable(context, ProxyResponses.PoolFullBody);
        }

        return ProxyAsync(context, proxy, cluster, pool, plan, TrafficPolicy.Read(context, pool.Snapshot, plan?.ForwardedFor ?? s_noProxies));
    }

    /// <summary>
    /// Picks a backend, forwards, and retries on another after a failed connect; one async frame for all of it
    /// (each frame that waits for the backend costs an allocation and a continuation hop per request).
    /// </summary>
    private async Task ProxyAsync(HttpContext context, IReverseProxyFeature proxy, ClusterState cluster, Pool pool, ForwardingPlan? plan, PickRequest pick)
    {
        var attempt = new ProxyAttempt { RequestStartedAt = _time.GetTimestamp() };
        context.Features.Set(attempt);
        using var activity = ProxyTelemetry.Start(listener.Value, pool.Name);
        try
        {
            var leanFits = LeanFits(context, pool, plan);
            var grpc = !leanFits && GrpcCall.Is(context.Request);
            BackendState? failed = null;
            for (var tryNumber = 1; ; tryNumber++)
            {
                var snapshot = pool.Snapshot;
                var (backend, destination) = PickAndStart(snapshot, cluster, pool, pick, failed, attempt);
                if (backend is null || destination is null)
                {
                    if (failed is null)
                    {
                        // Backends there, but all at maxRequestsPerBackend: say so, so nobody hunts for a health problem.
                        var saturated = pool.Config.MaxRequestsPerBackend > 0 && snapshot.Available.Length > 0;
                        attempt.GrpcStatus = grpc ? GrpcStatusCodes.Unavailable : GrpcStatusCodes.None;
                        await ProxyResponses.Unavailable(context, saturated ? ProxyResponses.SaturatedBody : ProxyResponses.UnavailableBody);
                        return;
                    }

                    // The retry found nobody else to try: report the failure of the attempt made.
                    context.Response.StatusCode = StatusCodes.Status502BadGateway;
                    break;
                }

                // DestinationState is its own one-element list: no allocation to narrow YARP's choice.
                proxy.AvailableDestinations = destination;
                attempt.Start(backend, _time.GetTimestamp());
                var error = ForwarderError.None;
                try
                {
                    attempt.Forwarder = ForwarderKind.Lean;
                    if (!leanFits || lean.PoolFor(backend) is not { } http1 || await lean.ForwardAsync(context, plan!, http1, attempt) is not { } leanError)
                    {
                        attempt.Forwarder = ForwarderKind.Yarp;
                        await next(context);
                        error = context.Features.Get<IForwarderErrorFeature>()?.Error ?? ForwarderError.None;
                        await ChunkedRelayBody.FinishAsync(context, error);
                        if (grpc)
                        {
                            error = GrpcCall.Settle(context, error, attempt);
                        }
                    }
                    else
                    {
                        error = leanError;
                    }
                }
                finally
                {
                    _report.Finished(backend, attempt, error);
                }

                attempt.Error = error;
                var failure = _report.ReportHealth(context, pool, backend, error, attempt.GrpcStatus);
                if (error == ForwarderError.None)
                {
                    return;
                }

                if (!_retries.TryAgain(context, pool, backend, error, failure, tryNumber, attempt))
                {
                    break;
                }

                failed = backend;
            }

            if (grpc && !context.Response.HasStarted)
            {
                // Balancer answers UNAVAILABLE; CANCELLED stays when the client went away first (its deadline, or it
                // gave up): not the backend's fault.
                attempt.GrpcStatus = attempt.GrpcStatus == GrpcStatusCodes.Cancelled ? GrpcStatusCodes.Cancelled : GrpcStatusCodes.Unavailable;
            }

            await ProxyResponses.GatewayError(context);
        }
        finally
        {
            ProxyTelemetry.RequestFinished(context, services, listener.Value, pool, attempt, activity);
            pool.Requests.Exit();
        }
    }

    /// <summary>An HTTP/2 pool goes through YARP's forwarder, whose client speaks h2; the lean one speaks HTTP/1.1 only.</summary>
    private static bool LeanFits(HttpContext context, Pool? pool, ForwardingPlan? plan) =>
        pool?.Config.HttpVersion != HttpVersions.Http2 && plan is not null && Http1Forwarder.CanForward(context, plan);

    /// <summary>
    /// The start-up warm-up's request (<see cref="ProxyWarmUp"/>): through the forwarder the route's pool uses, to the
    /// warm-up's sink in place of a backend; no pick, no counter, no health report.
    /// </summary>
    private async Task WarmUpAsync(HttpContext context, IReverseProxyFeature proxy, ForwardingPlan? plan, ProxyWarmUp.Target sink)
    {
        var attempt = new ProxyAttempt { RequestStartedAt = _time.GetTimestamp() };
        context.Features.Set(attempt);
        attempt.Start(sink.Backend, _time.GetTimestamp());
        attempt.Forwarder = ForwarderKind.Lean;
        if (LeanFits(context, _pools.Get(proxy.Route.Cluster!.ClusterId), plan) && lean.PoolFor(sink.Backend) is { } http1
            && await lean.ForwardAsync(context, plan!, http1, attempt) is not null)
        {
            return;
        }

        attempt.Forwarder = ForwarderKind.Yarp;
        proxy.AvailableDestinations = sink.Destination;
        await next(context);
    }

    /// <summary>
    /// A backend below its in-flight cap, already counted in flight, with its YARP destination; nulls when none
    /// (<see cref="RequestPicker"/>: affinity cookie, hash key, algorithm). After a failed connect the failed one is
    /// avoided. One YARP does not know yet (a reload adds it to the core a moment before the listener's YARP config, and
    /// its first probe may pass in between) is given back; a cookie or a hash key would name it again and a load-aware
    /// algorithm offer that idle one again and again, so the others are then tried in turn. The attempt carries the
    /// affinity cookie the response must set.
    /// </summary>
    internal static (BackendState? Backend, DestinationState? Destination) PickAndStart(
        PoolSnapshot snapshot, ClusterState cluster, Pool pool, in PickRequest pick, BackendState? failed, ProxyAttempt attempt)
    {
        var maxPerBackend = pool.Config.MaxRequestsPerBackend;
        var backend = RequestPicker.PickAndStart(snapshot, pool.Counters, pick, maxPerBackend, failed, pool.Requests.Count - 1, out var affinity);
        if (backend is null)
        {
            return (null, null);
        }

        if (cluster.Destinations.TryGetValue(backend.Address, out var destination))
        {
            attempt.SetCookie = affinity is AffinityOutcome.Assigned or AffinityOutcome.Replaced ? snapshot.Affinity!.SetCookie(backend) : null;
            return (backend, destination);
        }

        backend.OnFinished(failed: false); // its request count keeps this one phantom start; rare and harmless
        foreach (var other in snapshot.Available)
        {
            if (other != failed && other != backend && cluster.Destinations.TryGetValue(other.Address, out destination) && other.TryStart(maxPerBackend))
            {
                attempt.SetCookie = snapshot.Affinity?.SetCookie(other);
                return (other, destination);
            }
        }

        return (null, null);
    }
}
