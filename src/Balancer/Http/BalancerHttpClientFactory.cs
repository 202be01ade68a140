using Yarp.ReverseProxy.Forwarder;

namespace Balancer.Http;

/// <summary>
/// The HTTP clients YARP uses towards backends. A bounded connect timeout makes a dead or
/// black-holed backend fail fast (and be ejected and retried elsewhere) instead of after the
/// OS's minutes-long SYN retries; SocketsHttpHandler's default is infinite.
/// </summary>
internal sealed class BalancerHttpClientFactory : ForwarderHttpClientFactory
{
    /// <summary>How long a connect to a backend may take (HAProxy's <c>timeout connect</c>).</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        handler.ConnectTimeout = ConnectTimeout;
    }
}
