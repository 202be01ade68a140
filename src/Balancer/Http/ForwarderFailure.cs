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
    /// Whether the failed request may be sent to another backend. A connection that was never established carried
    /// nothing, so any request may (HAProxy's <c>retry-on conn-failure</c>): its body is still unread. Otherwise only an
    /// idempotent request without a body (RFC 9110 §9.2.2) that got no byte of an answer: reset, or closed before the
    /// response began (a backend killed under it; nginx's <c>proxy_next_upstream error</c>).
    /// </summary>
    public static bool CanRetry(HttpContext context, ForwarderError error, string? connectFailure)
    {
        if (context.Response.HasStarted)
        {
            return false;
        }

        if (NeverConnected(context))
        {
            return true;
        }

        var request = context.Request;
        var hasBody = request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0;
        return !hasBody && IsIdempotent(request.Method) && (connectFailure is not null || EndedBeforeResponse(context, error));
    }

    /// <summary>The connect itself failed (refused, unreachable, timed out): no byte of the request was sent.</summary>
    private static bool NeverConnected(HttpContext context) => context.Features.Get<IForwarderErrorFeature>()?.Exception switch
    {
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } => true,
        OperationCanceledException { InnerException: TimeoutException } => true, // SocketsHttpHandler's ConnectTimeout
        _ => false,
    };

    /// <summary>The backend closed the connection before the first byte of its response.</summary>
    private static bool EndedBeforeResponse(HttpContext context, ForwarderError error) =>
        error == ForwarderError.Request
        && context.Features.Get<IForwarderErrorFeature>()?.Exception is HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded };

    private static bool IsIdempotent(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method)
        || HttpMethods.IsTrace(method) || HttpMethods.IsPut(method) || HttpMethods.IsDelete(method);
}
