namespace Balancer.Tls;

/// <summary>
/// Puts the listener's <c>Strict-Transport-Security</c> on every answer of an https listener as it starts: the
/// backend's responses on either forwarder and every answer Balancer writes itself (its 502/503/504, the request guard's
/// refusals, a 404 for no route). Kestrel's own refusals (a malformed request) are sent before any middleware runs.
/// </summary>
internal sealed class HstsMiddleware
{
    private readonly RequestDelegate _next;
    private readonly ListenerTls _tls;
    private readonly Func<object, Task> _apply; // one delegate for all requests: OnStarting then allocates nothing

    public HstsMiddleware(RequestDelegate next, ListenerTls tls)
    {
        _next = next;
        _tls = tls;
        _apply = state =>
        {
            Hsts.Apply(((HttpContext)state).Response, _tls);
            return Task.CompletedTask;
        };
    }

    public Task InvokeAsync(HttpContext context)
    {
        if (_tls.Hsts is not null)
        {
            context.Response.OnStarting(_apply, context);
        }

        return _next(context);
    }
}
