using System.Buffers;
using Microsoft.AspNetCore.Http.Features;

namespace Balancer.Http;

/// <summary>
/// Refuses, before any backend is chosen, the requests Kestrel lets through but a backend could read differently
/// from us (found by the framing corpus, tests/Balancer.Tests/Hardening): CONNECT (Balancer is not a forward proxy),
/// a Connection header naming Content-Length, Transfer-Encoding or Host (stripping it would unframe the request),
/// control characters in header values and non-token header names (RFC 9110 §5.1, §5.5; Kestrel passes VT, FF and
/// DEL, and HttpClient would silently drop a bad name), and a declared Content-Length over the body limit (Kestrel
/// only checks it once the body is read, after YARP has already sent the request head to the backend).
/// </summary>
internal sealed class RequestGuardMiddleware(RequestDelegate next)
{
    // RFC 9110 §5.6.2 tchar.
    private static readonly SearchValues<char> s_token =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    // CTLs other than HTAB, and DEL (field-value = VCHAR / obs-text / SP / HTAB).
    private static readonly SearchValues<char> s_controls = SearchValues.Create(
        "\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000A\u000B\u000C\u000D\u000E\u000F"
        + "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\u007F");

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (HttpMethods.IsConnect(request.Method))
        {
            return Refuse(context, StatusCodes.Status405MethodNotAllowed, "405 Method Not Allowed: CONNECT is not proxied.\n");
        }

        foreach (var listed in request.Headers.Connection)
        {
            // A framing header named in Connection would be stripped as hop-by-hop and leave the body unframed.
            if (listed is not null && NamesFramingHeader(listed))
            {
                return Refuse(context, StatusCodes.Status400BadRequest, "400 Bad Request: Connection names a framing header.\n");
            }
        }

        foreach (var (name, values) in request.Headers)
        {
            if (name.Length == 0 || name.AsSpan().ContainsAnyExcept(s_token))
            {
                return Refuse(context, StatusCodes.Status400BadRequest, "400 Bad Request: a header name is not a token.\n");
            }

            foreach (var value in values)
            {
                if (value is not null && value.AsSpan().ContainsAny(s_controls))
                {
                    return Refuse(context, StatusCodes.Status400BadRequest, "400 Bad Request: a header value holds a control character.\n");
                }
            }
        }

        var limit = context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
        if (request.ContentLength > limit)
        {
            return Refuse(context, StatusCodes.Status413PayloadTooLarge, "413 Payload Too Large: the body is over this listener's limit.\n");
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

    private static Task Refuse(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        // The request body (if any) is not read: close rather than try to find the next request after it.
        context.Response.Headers.Connection = "close";
        return context.Response.WriteAsync(body);
    }
}
