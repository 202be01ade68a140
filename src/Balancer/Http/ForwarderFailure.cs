using System.Net.Sockets;
using Balancer.Health;
using Yarp.ReverseProxy.Forwarder;

namespace Balancer.Http;

/// <summary>
/// What a failed forward means for the pick that made it: whose fault it was, whether the request
/// ever reached the backend, and whether it may be sent to another one.
/// </summary>
internal static class ForwarderFailure
{
    /// <summary>Errors that say the backend (not the client) failed the request.</summary>
    public static bool IsBackendFault(ForwarderError error) => error is ForwarderError.Request
        or ForwarderError.RequestTimedOut
        or ForwarderError.RequestBodyDestination
        or ForwarderError.ResponseHeaders
        or ForwarderError.ResponseBodyDestination
        or ForwarderError.UpgradeRequestDestination
        or ForwarderError.UpgradeResponseDestination;

    /// <summary>
    /// Says why a request never reached the backend (refused, reset or timed-out connect), or
    /// null when it did or the client was the one that failed.
    /// </summary>
    public static string? ConnectFailure(HttpContext context, ForwarderError error)
    {
        if (error is not (ForwarderError.Request or ForwarderError.RequestTimedOut))
        {
            return null;
        }

        var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case SocketException socket:
                    return ProbeErrors.Describe(socket.SocketErrorCode);
                case TimeoutException:
                    return "connect timeout";
                case HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } when e.InnerException is null:
                    return "connection failed";
            }
        }

        return null;
    }

    /// <summary>
    /// Only a request that never reached the backend is retried: its method is idempotent
    /// (RFC 9110 §9.2.2) and it has no body that may have been consumed.
    /// </summary>
    public static bool CanRetry(HttpContext context)
    {
        var request = context.Request;
        var hasBody = request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0;
        return !context.Response.HasStarted && !hasBody && IsIdempotent(request.Method);
    }

    private static bool IsIdempotent(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method)
        || HttpMethods.IsTrace(method) || HttpMethods.IsPut(method) || HttpMethods.IsDelete(method);
}
