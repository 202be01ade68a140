using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Transforms;

namespace Balancer.Http;

/// <summary>
/// Drops the headers a sender names in its <c>Connection</c> header: they are hop-by-hop
/// (RFC 9110 §7.6.1) and must not be forwarded, in either direction. YARP strips the fixed
/// hop-by-hop set but not these.
/// </summary>
internal static class ConnectionHeaderTransform
{
    public static ValueTask OnRequest(RequestTransformContext context)
    {
        var connection = context.HttpContext.Request.Headers.Connection;
        if (NamesHeaders(connection))
        {
            foreach (var name in Names(connection))
            {
                // YARP may copy the client's headers after the transforms run: its helper removes the
                // header whether or not the copy has happened (a bare ProxyRequest.Headers.Remove did
                // not, and "Connection: keep-alive, X-A" let X-A through — found by the framing corpus).
                RequestTransform.RemoveHeader(context, name);
                context.ProxyRequest.Content?.Headers.Remove(name);
            }
        }

        return ValueTask.CompletedTask;
    }

    public static ValueTask OnResponse(ResponseTransformContext context)
    {
        // HttpClient has already split this header into its tokens.
        if (context.ProxyResponse?.Headers.Connection is { Count: > 0 } connection)
        {
            foreach (var name in connection)
            {
                if (IsRemovable(name))
                {
                    context.HttpContext.Response.Headers.Remove(name);
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Whether a <c>Connection</c> header may name headers to strip; false for the common "keep-alive"/"close",
    /// so that nothing is split on the hot path.
    /// </summary>
    public static bool NamesHeaders(StringValues connection) =>
        connection.Count > 1 || (connection.Count == 1 && IsRemovable(connection[0]!));

    /// <summary>Removes from <paramref name="headers"/> every header <paramref name="connection"/> names.</summary>
    public static void RemoveNamed(IHeaderDictionary headers, StringValues connection)
    {
        foreach (var name in Names(connection))
        {
            headers.Remove(name);
        }
    }

    /// <summary>The header names a <c>Connection</c> header lists (RFC 9110 §7.6.1), without its options.</summary>
    public static IEnumerable<string> Names(StringValues connection)
    {
        foreach (var value in connection)
        {
            foreach (var token in (value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (IsRemovable(token))
                {
                    yield return token;
                }
            }
        }
    }

    /// <summary>Connection options that are not header names (keep-alive, close) or that YARP handles itself (upgrade).</summary>
    private static bool IsRemovable(string token) =>
        !token.Equals("keep-alive", StringComparison.OrdinalIgnoreCase)
        && !token.Equals("close", StringComparison.OrdinalIgnoreCase)
        && !token.Equals("upgrade", StringComparison.OrdinalIgnoreCase);
}
