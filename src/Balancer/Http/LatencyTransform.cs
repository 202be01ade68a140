using Yarp.ReverseProxy.Transforms;

namespace Balancer.Http;

/// <summary>
/// Records each backend's time to response headers, the sample the response-time algorithm
/// wants (a body streamed for minutes says nothing about how busy the backend is).
/// </summary>
internal static class LatencyTransform
{
    public static ValueTask Record(ResponseTransformContext context, TimeProvider time)
    {
        if (context.HttpContext.Features.Get<ProxyAttempt>() is { } attempt && context.ProxyResponse is not null)
        {
            Record(attempt, time);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Records the attempt's time to response headers on its backend.</summary>
    public static void Record(ProxyAttempt attempt, TimeProvider time)
    {
        if (attempt.Backend is { } backend)
        {
            backend.Latency.Observe(time.GetElapsedTime(attempt.StartedAt));
            attempt.LatencyRecorded = true;
        }
    }
}
