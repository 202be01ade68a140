using Microsoft.Net.Http.Headers;

namespace Balancer.Http.Routing;

/// <summary>
/// Runs once routing has chosen a route: counts the request against it, and answers for a route with <c>redirect</c>
/// or <c>respond</c> (HAProxy's <c>http-request redirect</c>/<c>return</c>, NGINX's <c>return</c>) without reaching
/// any backend; every other request goes on to the proxy.
/// </summary>
internal sealed class RouteAnswerMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<RoutePlan>() is not { } plan)
        {
            return next(context);
        }

        plan.Stats.OnRequest();
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
