using Balancer.Http.Grpc;

namespace Balancer.Http;

/// <summary>
/// The answers Balancer itself gives a proxied request it could not carry: short plain-text bodies saying why, marked
/// <c>Cache-Control: no-cache</c> — an error of the moment is never to be cached (HAProxy's error pages say the same).
/// A gRPC call gets the same reason as a trailers-only UNAVAILABLE that its client can read (<see cref="GrpcCall"/>).
/// </summary>
internal static class ProxyResponses
{
    public const string UnavailableBody = "503 Service Unavailable: no healthy backend.\n";
    public const string SaturatedBody = "503 Service Unavailable: every backend is at its request limit.\n";
    public const string PoolFullBody = "503 Service Unavailable: the pool is at its request limit.\n";
    private const string BadGatewayBody = "502 Bad Gateway: the backend could not be reached.\n";
    private const string GatewayTimeoutBody = "504 Gateway Timeout: the backend did not answer in time.\n";

    /// <summary>503 with <c>Retry-After</c>: no backend can take the request now.</summary>
    public static Task Unavailable(HttpContext context, string body = UnavailableBody)
    {
        if (GrpcCall.Is(context.Request))
        {
            return GrpcCall.UnavailableAsync(context, body);
        }

        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = "1";
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers.CacheControl = "no-cache";
        return context.Response.WriteAsync(body);
    }

    /// <summary>The body of the 502 or 504 a failed forward left, unless the response had started (then it was aborted).</summary>
    public static Task GatewayError(HttpContext context)
    {
        if (context.Response.HasStarted)
        {
            return Task.CompletedTask;
        }

        var timedOut = context.Response.StatusCode == StatusCodes.Status504GatewayTimeout;
        if (GrpcCall.Is(context.Request))
        {
            return GrpcCall.UnavailableAsync(context, timedOut ? GatewayTimeoutBody : BadGatewayBody);
        }

        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers.CacheControl = "no-cache";
        return context.Response.WriteAsync(timedOut ? GatewayTimeoutBody : BadGatewayBody);
    }
}
