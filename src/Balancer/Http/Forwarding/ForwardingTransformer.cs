using Balancer.Tls;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Transforms;

namespace Balancer.Http.Forwarding;

/// <summary>
/// YARP's side of a route's <see cref="ForwardingPlan"/>: the request YARP sends is built from the plan alone (none of
/// YARP's own header copying or transforms), and the response it copies is finished by it. YARP keeps one per route,
/// rebuilt on every reload (<see cref="ForwardingTransformBuilder"/>); the lean forwarder reads the same plan from it.
/// </summary>
internal sealed class ForwardingTransformer(ForwardingPlan plan, ListenerTls? tls, TimeProvider time) : HttpTransformer
{
    public ForwardingPlan Plan { get; } = plan;

    public override ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        var head = new RequestMessageHead(httpContext, proxyRequest, destinationPrefix);
        Plan.WriteHead(httpContext, ref head);
        if (!Plan.Path.IsNone)
        {
            proxyRequest.RequestUri = RequestUtilities.MakeDestinationAddress(destinationPrefix, Plan.PathFor(httpContext.Request), httpContext.Request.QueryString);
        }

        return default;
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        // The base copies the backend's headers less the fixed hop-by-hop set (the one HopByHopHeaders holds).
        var copy = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        if (proxyResponse is not null)
        {
            var connection = proxyResponse.Headers.NonValidated.TryGetValues("Connection", out var values) ? new StringValues(values.ToString()) : default;
            Plan.FinishResponse(httpContext.Response, connection);
            ChunkedRelayBody.OnResponse(httpContext); // the backend's trailers reach an HTTP/1.1 client too
            if (httpContext.Features.Get<ProxyAttempt>() is { } attempt)
            {
                attempt.ResponseHeadersReceived(time);
            }
        }

        if (tls is not null)
        {
            Hsts.Apply(httpContext.Response, tls); // on Balancer's own 502/504 too: YARP calls this with no response then
        }

        return copy;
    }

    /// <summary>Puts the plan's headers on YARP's outgoing request: content headers on its content, as YARP's helpers do.</summary>
    private readonly ref struct RequestMessageHead(HttpContext context, HttpRequestMessage request, string destinationPrefix) : IOutgoingHead
    {
        public void Host(string? value) => request.Headers.Host = value;

        public void Header(string name, StringValues values)
        {
            var added = values.Count == 1 ? request.Headers.TryAddWithoutValidation(name, values.ToString()) : request.Headers.TryAddWithoutValidation(name, (IEnumerable<string>)values);
            if (!added)
            {
                // A content header (Content-Type, say): YARP's helper puts it on the request's content, giving a
                // bodyless request an empty one (which it alone may create).
                RequestTransform.AddHeader(new RequestTransformContext { HttpContext = context, ProxyRequest = request, DestinationPrefix = destinationPrefix }, name, values);
            }
        }
    }
}
