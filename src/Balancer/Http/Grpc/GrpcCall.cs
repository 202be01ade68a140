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
    /// Ends the call with a trailers-only response (HTTP 200, <c>grpc-status</c> and <c>grpc-message</c> in the one
    /// HEADERS frame, END_STREAM): a gRPC client reads its status and message, where a 502 or 503 would only give it
    /// "Received http2 header with status: 502". <paramref name="message"/> must be printable ASCII without <c>%</c>.
    /// </summary>
    public static Task RespondAsync(HttpContext context, int status, string message)
    {
        var response = context.Response;
        response.Clear();
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        response.Headers[StatusField] = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers[MessageField] = message;
        return response.CompleteAsync();
    }

    /// <summary>The gRPC message for one of the proxy's plain-text error bodies: <c>balancer: no healthy backend</c>.</summary>
    public static string MessageOf(string body)
    {
        var reason = body.AsSpan(body.IndexOf(": ", StringComparison.Ordinal) + 2).TrimEnd(".\n");
        return string.Concat("balancer: ", reason);
    }

    /// <summary>
    /// How the call ended: the <c>grpc-status</c> of the trailers (or of a trailers-only response's headers); CANCELLED
    /// when the client went away first; else what a client makes of the HTTP status (UNKNOWN for a 200 without status).
    /// </summary>
    public static int Status(HttpContext context, ForwarderError error)
    {
        var response = context.Response;
        if (response.SupportsTrailers() && context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers is { } trailers
            && trailers.TryGetValue(StatusField, out var trailer) && trailer.Count > 0)
        {
            return GrpcStatusCodes.ParseField(trailer[0]);
        }

        if (response.Headers.TryGetValue(StatusField, out var header) && header.Count > 0)
        {
            return GrpcStatusCodes.ParseField(header[0]);
        }

        if (error != ForwarderError.None && !ForwarderFailure.IsBackendFault(error))
        {
            return GrpcStatusCodes.Cancelled; // the client reset the stream: its deadline, or it gave up
        }

        return response.StatusCode == StatusCodes.Status200OK ? GrpcStatusCodes.Unknown : GrpcStatusCodes.FromHttpStatus(response.StatusCode);
    }
}
