using System.Security.Authentication;
using Yarp.ReverseProxy.Forwarder;

namespace Balancer.Tls;

/// <summary>Tells a failed TLS handshake with a backend apart from other forwarding errors, so the 502 is logged with why.</summary>
internal static class BackendTlsFailure
{
    /// <summary>The handshake failure behind this request's forwarding error, or null when it was something else.</summary>
    public static string? Describe(HttpContext context)
    {
        for (var e = context.Features.Get<IForwarderErrorFeature>()?.Exception; e is not null; e = e.InnerException)
        {
            if (e is AuthenticationException)
            {
                // e.g. "The remote certificate is invalid because of errors in the certificate chain: UntrustedRoot"
                return $"certificate validation failed: {e.Message}";
            }
        }

        return null;
    }
}
