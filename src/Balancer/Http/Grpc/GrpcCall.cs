using Balancer.Core.Grpc;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;

namespace Balancer.Http.Grpc;

/// <summary>
/// What the proxy does differently for a gRPC call (grpc/grpc doc/PROTOCOL-HTTP2.md): a call Balancer cannot place
/// gets a gRPC error a client can read, and its outcome is the <c>grpc-status</c> of its trailers. (YARP's forwarder
/// itself exempts a gRPC stream over HTTP/2 from the listener's body size and minimum data rate, as Grpc.AspNetCore
/// does: a stream may last hours and pause for minutes; gRPC bounds each message at the receiving end instead.)
/// </summary>
internal static class GrpcCall
{
    /// <summary>The header and trailer carrying a call's status code.</summary>
    public const string StatusField = "grpc-status";

    /// <summary>The header and trailer carrying a call's status message (percent-encoded).</summary>
    public const string MessageField = "grpc-message";

    private const string ContentType = "application/grpc";

    /// <summary>A gRPC call: content type <c>application/grpc</c>, alone or with a <c>+format</c> or parameters (not gRPC-Web).</summary>
    public static bool Is(HttpRequest request)
    {
        var type = request.ContentType.AsSpan();
        return type.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase)
            && (type.Length == ContentType.Length || type[ContentType.Length] is '+' or ';');
    }

    /// <summary>
    /// Ends the call with a trailers-only response (HTTP 200, <c>grpc-status</c> 14 UNAVAILABLE and a
    /// <c>grpc-message</c> in the one HEADERS frame, END_STREAM): a gRPC client reads its status and message, where a
    /// 502 or 503 would only give it "Received http2 header with status: 502". The message is the reason of one of the
    /// proxy's plain-text error bodies (printable ASCII without <c>%</c>): <c>balancer: no healthy backend</c>.
    /// </summary>
    public static Task UnavailableAsync(HttpContext context, string body)
    {
        var response = context.Response;
        response.Clear();
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        response.Headers[StatusField] = "14"; // GrpcStatusCodes.Unavailable
        var reason = body.AsSpan(body.IndexOf(": ", StringComparison.Ordinal) + 2).TrimEnd(".\n");
        response.Headers[MessageField] = string.Concat("balancer: ", reason);
        return response.CompleteAsync();
    }

    /// <summary>
    /// Records how a proxied call ended in <paramref name="attempt"/> and returns the forwarder's error as it counts for
    /// the backend. A call whose backend sent a <c>grpc-status</c> ended properly, even when YARP also reports a request
    /// body error: a server may answer before it has read the whole request (an early error, a stream it wants no more
    /// of) and reset the rest with NO_ERROR (RFC 9113 §8.1), and that is not the backend failing.
    /// </summary>
    public static ForwarderError Settle(HttpContext context, ForwarderError error, ProxyAttempt attempt)
    {
        if (TryReadStatus(context, out var status))
        {
            attempt.GrpcStatus = status;
            return error is ForwarderError.RequestBodyDestination or ForwarderError.RequestBodyCanceled or ForwarderError.RequestBodyClient
                ? ForwarderError.None
                : error;
        }

        // No status: CANCELLED when the client went away first (its deadline, or it gave up); else what a client makes
        // of the HTTP status (UNKNOWN for a 200 without status: a stream reset midway).
        attempt.GrpcStatus = error != ForwarderError.None && !ForwarderFailure.IsBackendFault(error) ? GrpcStatusCodes.Cancelled
            : context.Response.StatusCode == StatusCodes.Status200OK ? GrpcStatusCodes.Unknown
            : GrpcStatusCodes.FromHttpStatus(context.Response.StatusCode);
        return error;
    }

    /// <summary>The <c>grpc-status</c> of the response's trailers, or of a trailers-only response's headers.</summary>
    private static bool TryReadStatus(HttpContext context, out int status)
    {
        // Not SupportsTrailers(): it says false once the response is complete and its trailers read-only, as they are now.
        if ((context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers is { } trailers && trailers.TryGetValue(StatusField, out var value) && value.Count > 0)
            || (context.Response.Headers.TryGetValue(StatusField, out value) && value.Count > 0))
        {
            status = GrpcStatusCodes.ParseField(value[0]);
            return true;
        }

        status = GrpcStatusCodes.None;
        return false;
    }
}
