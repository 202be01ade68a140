using System.Diagnostics;
using Balancer.Core.Model;
using Balancer.Hosting;
using Balancer.Telemetry;

namespace Balancer.Http;

/// <summary>Records one finished proxied request: metrics and the dashboard's counters always, the span and the access log when on.</summary>
internal static class ProxyTelemetry
{
    public static void RequestFinished(HttpContext context, ProxyServices services, string listener, Pool pool, ProxyAttempt attempt, Activity? activity)
    {
        var status = context.Response.StatusCode;
        var backend = attempt.Backend?.Address ?? "none";
        var elapsed = services.Time.GetElapsedTime(attempt.RequestStartedAt);
        services.Metrics.RequestFinished(pool.Name, backend, status, elapsed.TotalSeconds);
        if (attempt.Backend is { } picked)
        {
            picked.Traffic.Record(status, generated: attempt.Error != Yarp.ReverseProxy.Forwarder.ForwarderError.None, elapsed);
        }
        else
        {
            pool.Refused.RecordRefused(status);
        }

        if (activity is not null)
        {
            activity.SetTag("balancer.backend", backend).SetTag("http.response.status_code", status).SetTag("balancer.retries", attempt.Retries);
            if (status >= 500)
            {
                activity.SetStatus(ActivityStatusCode.Error);
            }
        }

        if (services.AccessLog is { } log)
        {
            var request = context.Request;
            log.Write(new AccessLogEntry(
                services.Time.GetUtcNow(), context.Connection.RemoteIpAddress?.ToString(), listener, request.Method, request.Path.Value ?? "/",
                pool.Name, attempt.Backend?.Address, status, request.ContentLength ?? 0, context.Response.ContentLength ?? 0, elapsed, attempt.Retries));
        }
    }
}
