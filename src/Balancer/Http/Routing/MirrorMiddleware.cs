using Balancer.Hosting;
using Balancer.Core.Routing;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy;

namespace Balancer.Http.Routing;

/// <summary>
/// In the proxy pipeline of a mirrored route: samples the request (<see cref="MirrorPolicy"/>), takes a copy as the
/// route forwards it, and hands it to the listener's <see cref="MirrorDispatcher"/> — a body-less request at once, one
/// with a body once the forwarder has read it through a <see cref="BodyTee"/>. Nothing here waits on the shadow pool
/// or changes what the primary request sends or gets.
/// </summary>
internal sealed class MirrorMiddleware(RequestDelegate next, MirrorDispatcher dispatcher, IProxyStateLookup clusters, ProxyServices services)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<RoutePlan>() is not { Mirror: { } mirror } plan || services.WarmUp.Claim(context) is not null)
        {
            return next(context);
        }

        var request = context.Request;
        switch (mirror.Decide(Random.Shared.NextDouble(), request.ContentLength))
        {
            case MirrorDecision.Skip:
                return next(context);
            case MirrorDecision.TooLarge:
                plan.Stats.OnMirror(MirrorOutcome.TooLarge);
                return next(context);
        }

        if (!clusters.TryGetCluster(mirror.Pool, out var cluster))
        {
            plan.Stats.OnMirror(MirrorOutcome.Dropped); // a reload is swapping the pool out
            return next(context);
        }

        var copy = MirrorCopy.Capture(context, plan.Forwarding, plan.Stats, mirror.Pool, cluster.Model.HttpClient);
        if (request.ContentLength == 0 || context.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false })
        {
            copy.SetBody(ReadOnlyMemory<byte>.Empty);
            dispatcher.Enqueue(copy);
            return next(context);
        }

        return WithBodyAsync(context, copy, mirror.MaxBodySize);
    }

    private async Task WithBodyAsync(HttpContext context, MirrorCopy copy, int cap)
    {
        var request = context.Request;
        var original = request.Body;
        var tee = new BodyTee(original, cap, request.ContentLength);
        request.Body = tee;
        try
        {
            await next(context);
        }
        finally
        {
            request.Body = original;
            if (tee.OverCap)
            {
                MirrorDispatcher.Drop(copy, MirrorOutcome.TooLarge);
            }
            else if (tee.Complete)
            {
                copy.SetBody(tee.Copy);
                dispatcher.Enqueue(copy);
            }
            else
            {
                MirrorDispatcher.Drop(copy, MirrorOutcome.Dropped); // the primary did not read the body to its end
            }
        }
    }
}
