using Balancer.Core.Configuration;

namespace Balancer.Http;

/// <summary>
/// A cleartext listener's <c>redirectToHttps</c>: requests no route matched get a 308 to the same host and path
/// over https (308 keeps the method and body, RFC 9110 section 15.4.9). Routes still win, so an ACME http-01
/// challenge path can be routed to the certificate tool while everything else is redirected.
/// </summary>
internal sealed class HttpsRedirect(ListenerConfig config)
{
    private volatile ListenerConfig _config = config;

    public void Update(ListenerConfig config) => _config = config;

    /// <summary>The fallback endpoint: redirect when configured, else the 404 Kestrel would have sent.</summary>
    public Task Handle(HttpContext context)
    {
        var host = context.Request.Host.Host;
        if (_config.RedirectToHttps is not { } port || string.IsNullOrEmpty(host))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        // HostString.Host keeps an IPv6 address in brackets, so appending the port is safe.
        var authority = port == 443 ? host : $"{host}:{port}";

        var request = context.Request;
        context.Response.StatusCode = StatusCodes.Status308PermanentRedirect;
        context.Response.Headers.Location = $"https://{authority}{request.PathBase}{request.Path}{request.QueryString}";
        return Task.CompletedTask;
    }
}
