using System.Diagnostics;
using Balancer.Core.Grpc;
using Balancer.Hosting;
using Balancer.Telemetry;

namespace Balancer.Http;

/// <summary>Records one finished proxied request: metrics always, the span and the access log when on.</summary>
internal static class ProxyTelemetry
{
    public static void RequestFinished(HttpContext context, ProxyServices services, string listener, string pool, ProxyAttempt attempt, Activity? activity)
    {
        var status = context.Response.StatusCode;
        var backend = attempt.Backend?.Address ?? "none";
        var elapsed = services.Time.GetElapsedTime(attempt.RequestStartedAt);
        services.Metrics.RequestFinished(pool, backend, status, elapsed.TotalSeconds);
        var grpcStatus = attempt.GrpcStatus;
        if (grpcStatus != GrpcStatusCodes.None)
        {
            services.Metrics.GrpcCallFinished(pool, backend, grpcStatus);
        }

        if (activity is not null)
        {
            activity.SetTag("balancer.backend", backend).SetTag("http.response.status_code", status).SetTag("balancer.retries", attempt.Retries);
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
                pool, attempt.Backend?.Address, status, request.ContentLength ?? 0, context.Response.ContentLength ?? 0, elapsed, attempt.Retries, grpcStatus));
        }
    }
}
