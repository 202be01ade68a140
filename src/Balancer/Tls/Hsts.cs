using Yarp.ReverseProxy.Transforms;

namespace Balancer.Tls;

/// <summary>
/// Adds <c>Strict-Transport-Security</c> to responses of an https listener (RFC 6797 section 7.1: only over
/// secure transport). It replaces any value the backend sent, so one place, the listener, decides the policy.
/// </summary>
internal static class Hsts
{
    public static ValueTask Apply(ResponseTransformContext context, ListenerTls tls)
    {
        Apply(context.HttpContext.Response, tls);
        return ValueTask.CompletedTask;
    }

    /// <summary>Sets the listener's <c>Strict-Transport-Security</c>, replacing a backend's.</summary>
    public static void Apply(HttpResponse response, ListenerTls tls)
    {
        if (tls.Hsts is { } value)
        {
            response.Headers.StrictTransportSecurity = value;
        }
    }
}
