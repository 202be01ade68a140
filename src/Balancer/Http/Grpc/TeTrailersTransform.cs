using System.Net;
using Yarp.ReverseProxy.Transforms;

namespace Balancer.Http.Grpc;

/// <summary>
/// Passes on <c>te: trailers</c> to backends spoken to over HTTP/2 only (<c>httpVersion</c> 2). YARP drops TE as a
/// hop-by-hop field, but <c>trailers</c> is the one value HTTP/2 allows (RFC 9113 §8.2.2), and gRPC requires it
/// (PROTOCOL-HTTP2.md) so that servers can detect a proxy that would lose their trailers: grpc-java warns without it.
/// </summary>
internal static class TeTrailersTransform
{
    public static ValueTask OnRequest(RequestTransformContext context)
    {
        var proxyRequest = context.ProxyRequest;
        if (proxyRequest.Version == HttpVersion.Version20 && proxyRequest.VersionPolicy == HttpVersionPolicy.RequestVersionExact
            && AcceptsTrailers(context.HttpContext.Request.Headers.TE))
        {
            proxyRequest.Headers.TryAddWithoutValidation("TE", "trailers");
        }

        return ValueTask.CompletedTask;
    }

    private static bool AcceptsTrailers(Microsoft.Extensions.Primitives.StringValues te)
    {
        foreach (var value in te)
        {
            foreach (var range in value.AsSpan().Split(','))
            {
                if (value.AsSpan(range).Trim().Equals("trailers", StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
