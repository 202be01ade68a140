using Balancer.Hosting;
using Balancer.Http.Traffic;
using Microsoft.Net.Http.Headers;

namespace Balancer.Http.Routing;

/// <summary>
/// Runs once routing has chosen a route: counts the request against it, refuses it with 429 when it is over the
/// route's rate limit, and answers for a route with <c>redirect</c> or <c>respond</c> (HAProxy's <c>http-request
/// redirect</c>/<c>return</c>, NGINX's <c>return</c>) without reaching any backend; every other request goes on to the proxy.
/// <para>The rate limit comes first, for every kind of route: as HAProxy's <c>http-request deny</c> placed before its
/// redirect and NGINX's <c>limit_req</c> (its preaccess phase, before any content handler), a refused request gets no
/// redirect or fixed answer, and on a forwarding route no split choice, affinity cookie, mirrored copy or backend.</para>
/// </summary>
internal sealed class RouteAnswerMiddleware(RequestDelegate next, ProxyServices services)
{
    private readonly ulong _seed = services.RateLimits.Seed;

    public Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<RoutePlan>() is not { } plan)
        {
            return next(context);
        }

        if (services.WarmUp.Claim(context) is not null)
        {
            return plan.Answers ? AnswerAsync(context, plan) : next(context); // counted nowhere, never refused
        }

        plan.Stats.OnRequest();
        if (plan.RateLimit is { } limit && !TrafficPolicy.Admit(context, limit, plan.Forwarding.ForwardedFor, _seed, out var retryAfter))
        {
            return ProxyResponses.TooManyRequests(context, retryAfter);
        }

        return plan.Answers ? AnswerAsync(context, plan) : next(context);
    }

    private static Task AnswerAsync(HttpContext context, RoutePlan plan)
    {
        var request = context.Request;
        var response = context.Response;
        response.StatusCode = plan.AnswerStatus;
        if (plan.Redirect is { } redirect)
        {
            var path = (request.PathBase + request.Path).ToUriComponent();
            response.Headers.Location = redirect.Expand(path, request.QueryString.ToUriComponent(), request.Host.Value ?? "");
            response.ContentLength = 0;
            return Task.CompletedTask;
        }

        if (plan.AnswerStatus is 204 or 304)
        {
            return Task.CompletedTask; // RFC 9110 §8.6: no Content-Length (nor body) on these
        }

        response.ContentLength = plan.AnswerBody.Length;
        response.Headers[HeaderNames.ContentType] = plan.AnswerContentType;
        return plan.AnswerBody.Length == 0 || HttpMethods.IsHead(request.Method)
            ? Task.CompletedTask
            : response.Body.WriteAsync(plan.AnswerBody).AsTask();
    }
}
