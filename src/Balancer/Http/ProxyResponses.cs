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
    public const string TooManyRequestsBody = "429 Too Many Requests: over this route's rate limit.\n";
    public const string PoolFullBody = "503 Service Unavailable: the pool is at its request limit.\n";
    private static readonly string[] s_seconds = [.. Enumerable.Range(0, 61).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];
    private const string BadGatewayBody = "502 Bad Gateway: the backend could not be reached.\n";
    private const string GatewayTimeoutBody = "504 Gateway Timeout: the backend did not answer in time.\n";
    public const string PayloadTooLargeBody = "413 Payload Too Large: the body is over this listener's limit.\n";
    private const string BadRequestBodyBody = "400 Bad Request: the request body could not be read.\n";

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

    /// <summary>
    /// 429 (RFC 6585 §4) for a request over its route's rate limit, with <c>Retry-After</c> in whole seconds, rounded up
    /// (RFC 9110 §10.2.3), until its bucket holds a token again.
    /// </summary>
    public static Task TooManyRequests(HttpContext context, TimeSpan retryAfter)
    {
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = RetryAfterSeconds(retryAfter);
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(TooManyRequestsBody);
    }

    /// <summary>
    /// The body of the error a failed forward left, unless the response had started (then it was aborted): 502 or 504 for
    /// the backend, or the client's own fault found while its body streamed on (a chunked body over the listener's limit
    /// is 413, a malformed one 400), so the text says the same as the status.
    /// </summary>
    public static Task GatewayError(HttpContext context)
    {
        if (context.Response.HasStarted)
        {
            return Task.CompletedTask;
        }

        var body = context.Response.StatusCode switch
        {
            StatusCodes.Status504GatewayTimeout => GatewayTimeoutBody,
            StatusCodes.Status413PayloadTooLarge => PayloadTooLargeBody,
            StatusCodes.Status400BadRequest => BadRequestBodyBody,
            _ => BadGatewayBody,
        };
        if (GrpcCall.Is(context.Request))
        {
            return GrpcCall.UnavailableAsync(context, body);
        }

        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers.CacheControl = "no-cache";
        return context.Response.WriteAsync(body);
    }

    // Cached for the usual under-a-minute waits: a refused flood allocates no strings.
    private static string RetryAfterSeconds(TimeSpan wait)
    {
        var seconds = Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds));
        return seconds < s_seconds.Length ? s_seconds[seconds] : seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
