using System.Diagnostics;
using Balancer.Core.Grpc;
using Balancer.Core.Model;
using Balancer.Hosting;
using Balancer.Telemetry;
using Microsoft.AspNetCore.Http.Features;

namespace Balancer.Http;

/// <summary>Telemetry of one proxied request: its span when a tracer samples it, then metrics and the dashboard's counters always, and the access log when on.</summary>
internal static class ProxyTelemetry
{
    /// <summary>The request's span (its trace context is what the forwarders pass on); null unless a tracer listens.</summary>
    public static Activity? Start(string listener, string pool) =>
        BalancerActivities.Source.StartActivity("proxy")?.SetTag("balancer.listener", listener).SetTag("balancer.pool", pool);

    public static void RequestFinished(HttpContext context, ProxyServices services, string listener, Pool pool, ProxyAttempt attempt, Activity? activity)
    {
        var status = context.Response.StatusCode;
        var backend = attempt.Backend?.Address ?? "none";
        var elapsed = services.Time.GetElapsedTime(attempt.RequestStartedAt);
        var forwarder = attempt.Backend is null ? null : Name(attempt.Forwarder);
        // A WebSocket (HTTP/1.1 upgrade, or RFC 8441 CONNECT over HTTP/2) lives as long as the conversation: no latency.
        var upgraded = status == StatusCodes.Status101SwitchingProtocols
            || (status == StatusCodes.Status200OK && context.Features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true });
        var grpcStatus = attempt.GrpcStatus;
        services.Metrics.RequestFinished(pool, attempt.Backend, status, elapsed.TotalSeconds, upgraded, grpcStatus);
        // The dashboard's one-second history: whose the answer was, and its duration.
        (attempt.Backend?.Traffic ?? pool.Refused).Record(
            status, generated: attempt.Backend is null || attempt.Error != Yarp.ReverseProxy.Forwarder.ForwarderError.None, upgraded || attempt.Backend is null ? null : elapsed);
        if (activity is not null)
        {
            activity.SetTag("balancer.backend", backend).SetTag("http.response.status_code", status).SetTag("balancer.retries", attempt.Retries)
                .SetTag("balancer.forwarder", forwarder);
            if (grpcStatus != GrpcStatusCodes.None)
            {
                activity.SetTag("rpc.grpc.status_code", grpcStatus); // OpenTelemetry RPC semantic conventions
            }

            if (status >= 500 || grpcStatus > GrpcStatusCodes.Ok)
            {
                activity.SetStatus(ActivityStatusCode.Error);
            }
        }

        if (services.AccessLog is { } log)
        {
            var request = context.Request;
            log.Write(new AccessLogEntry(
                services.Time.GetUtcNow(), context.Connection.RemoteIpAddress?.ToString(), listener, request.Method, request.Path.Value ?? "/",
                pool.Name, attempt.Backend?.Address, status, request.ContentLength ?? 0, context.Response.ContentLength ?? 0, elapsed, attempt.Retries, forwarder, grpcStatus));
        }
    }

    private static string Name(ForwarderKind kind) => kind == ForwarderKind.Lean ? "lean" : "yarp";
}
