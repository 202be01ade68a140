using System.Buffers;
using Balancer.Core.Configuration;
using Balancer.Hosting;
using Balancer.Telemetry;
using Microsoft.AspNetCore.Http.Features;

namespace Balancer.Http;

/// <summary>
/// Refuses, before any backend is chosen, the requests Kestrel lets through but a backend could read differently
/// from us (found by the framing corpus, tests/Balancer.Tests/Hardening): CONNECT (Balancer is not a forward proxy),
/// a Connection header naming Content-Length, Transfer-Encoding or Host (stripping it would unframe the request),
/// control characters in header values and non-token header names (RFC 9110 §5.1, §5.5; Kestrel passes VT, FF and
/// DEL, and HttpClient would silently drop a bad name), and a declared Content-Length over the body limit (Kestrel
/// only checks it once the body is read, after YARP has already sent the request head to the backend).
/// On HTTP/2 it also refuses what RFC 9113 §8.2.2 makes malformed and Kestrel passes (connection-specific fields),
/// and a <c>:path</c> over <c>maxRequestLineSize</c> with the 414 HTTP/1.1 gets. RFC 8441 extended CONNECT with
/// <c>:protocol websocket</c> is proxied (YARP carries it to the backend as an HTTP/1.1 upgrade or over h2).
/// Every refusal is counted per listener and reason (<c>balancer_requests_refused_total</c>).
/// While the node is withdrawn from an ECMP router, it asks clients of the announced addresses to reconnect (<see cref="Announce.ReconnectHint"/>).
/// </summary>
internal sealed class RequestGuardMiddleware(RequestDelegate next, ProxyServices services, ListenerName listener, ListenerLimitsConfig limits)
{
    // RFC 9110 §5.6.2 tchar.
    private static readonly SearchValues<char> s_token =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    // CTLs other than HTAB, and DEL (field-value = VCHAR / obs-text / SP / HTAB).
    private static readonly SearchValues<char> s_controls = SearchValues.Create(
        "\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000A\u000B\u000C\u000D\u000E\u000F"
        + "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\u007F");

    // RFC 9113 §8.2.2: connection-specific fields make an HTTP/2 request malformed (Kestrel refuses Connection and TE
    // itself, with a connection error; it lets these through).
    private static readonly string[] s_connectionSpecific = ["keep-alive", "proxy-connection", "transfer-encoding", "upgrade"];

    private readonly BalancerMetrics _metrics = services.Metrics;
    private readonly Announce.ReconnectHint _reconnect = services.Reconnect;

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (_reconnect.Active)
        {
            _reconnect.Apply(context);
        }

        var http2 = HttpProtocol.IsHttp2(request.Protocol) || HttpProtocol.IsHttp3(request.Protocol);
        if (HttpMethods.IsConnect(request.Method) && !IsWebSocketConnect(context))
        {
            return Refuse(context, StatusCodes.Status405MethodNotAllowed, RefusalReasons.Method, "405 Method Not Allowed: CONNECT is not proxied.\n");
        }

        if (RequestLineLength(context, http2) > limits.MaxRequestLineSize)
        {
            return Refuse(context, StatusCodes.Status414UriTooLong, RefusalReasons.UriTooLong, "414 URI Too Long: the request target is over this listener's limit.\n");
        }

        if (http2)
        {
            foreach (var name in s_connectionSpecific)
            {
                if (request.Headers.ContainsKey(name))
                {
                    return Refuse(context, StatusCodes.Status400BadRequest, RefusalReasons.Http2Malformed, "400 Bad Request: HTTP/2 forbids connection-specific header fields.\n");
                }
            }
        }

        foreach (var listed in request.Headers.Connection)
        {
            // A framing header named in Connection would be stripped as hop-by-hop and leave the body unframed.
            if (listed is not null && NamesFramingHeader(listed))
            {
                return Refuse(context, StatusCodes.Status400BadRequest, RefusalReasons.Framing, "400 Bad Request: Connection names a framing header.\n");
            }
        }

        foreach (var (name, values) in request.Headers)
        {
            if (name.Length == 0 || name.AsSpan().ContainsAnyExcept(s_token))
            {
                return Refuse(context, StatusCodes.Status400BadRequest, RefusalReasons.HeaderName, "400 Bad Request: a header name is not a token.\n");
            }

            foreach (var value in values)
            {
                if (value is not null && value.AsSpan().ContainsAny(s_controls))
                {
                    return Refuse(context, StatusCodes.Status400BadRequest, RefusalReasons.HeaderValue, "400 Bad Request: a header value holds a control character.\n");
                }
            }
        }

        var limit = context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
        if (request.ContentLength > limit)
        {
            return Refuse(context, StatusCodes.Status413PayloadTooLarge, RefusalReasons.BodyTooLarge, ProxyResponses.PayloadTooLargeBody);
        }

        return next(context);
    }

    private static bool NamesFramingHeader(string connection)
    {
        foreach (var range in connection.AsSpan().Split(','))
        {
            var token = connection.AsSpan(range).Trim();
            if (token.Equals("content-length", StringComparison.OrdinalIgnoreCase)
                || token.Equals("transfer-encoding", StringComparison.OrdinalIgnoreCase)
                || token.Equals("host", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The HTTP/1.x request line without its CRLF (method SP target SP version), or an HTTP/2 request's <c>:path</c>: what
    /// <c>maxRequestLineSize</c> bounds (see <see cref="KestrelLimits"/>).
    /// </summary>
    private static int RequestLineLength(HttpContext context, bool http2)
    {
        var request = context.Request;
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget.Length ?? 0;
        return http2 ? target : request.Method.Length + 1 + target + 1 + request.Protocol.Length;
    }

    /// <summary>RFC 8441 §4: a CONNECT with <c>:protocol websocket</c> over HTTP/2, which YARP proxies as a WebSocket.</summary>
    private static bool IsWebSocketConnect(HttpContext context) =>
        context.Features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true } connect
        && string.Equals(connect.Protocol, "websocket", StringComparison.OrdinalIgnoreCase);

    private Task Refuse(HttpContext context, int status, string reason, string body)
    {
        var http1 = HttpProtocol.IsHttp11(context.Request.Protocol) || HttpProtocol.IsHttp10(context.Request.Protocol);
        if (!http1 || status != StatusCodes.Status413PayloadTooLarge)
        {
            // An HTTP/1.x 413 is counted by KestrelRefusalCounter: finishing the request, Kestrel meets the declared
            // length over the limit itself and logs its own 413 for it.
            _metrics.RequestRefused(listener.Value, reason);
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers.CacheControl = "no-cache"; // an error of the moment: never cached (HAProxy\'s error pages say the same)
        if (http1)
        {
            // The request body (if any) is not read: close rather than try to find the next request after it. (HTTP/2
            // has no Connection header: Kestrel resets the stream whose body was left unread, the connection stays.)
            context.Response.Headers.Connection = "close";
        }

        return context.Response.WriteAsync(body);
    }
}
