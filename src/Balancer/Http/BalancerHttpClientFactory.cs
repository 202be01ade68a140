using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Balancer.Core.Tls;
using Balancer.Hosting;
using Balancer.Tls;
using Yarp.ReverseProxy.Forwarder;

namespace Balancer.Http;

/// <summary>
/// The HTTP clients YARP uses towards backends. A bounded connect timeout makes a dead or
/// black-holed backend fail fast (and be ejected and retried elsewhere) instead of after the
/// OS's minutes-long SYN retries; SocketsHttpHandler's default is infinite. Trace context is left to the
/// forwarding plan. A pool's <c>tls</c>
/// block sets how its https:// backends are verified and which client certificate is shown.
/// </summary>
internal sealed class BalancerHttpClientFactory(ProxyServices services) : ForwarderHttpClientFactory
{
    /// <summary>How long a connect to a backend may take (HAProxy's <c>timeout connect</c>).</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    private readonly ILogger _logger = services.Logs.CreateLogger("Balancer.Tls");

    /// <summary>A changed pool <c>tls</c> block needs a new client: YARP alone only compares its own HTTP client settings.</summary>
    protected override bool CanReuseOldClient(ForwarderHttpClientContext context) =>
        base.CanReuseOldClient(context) && BackendTlsMetadata.Read(context.OldMetadata) == BackendTlsMetadata.Read(context.NewMetadata);

    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        handler.ConnectTimeout = ConnectTimeout;
        // The trace context sent is the route's ForwardingPlan's, as on the lean path: HttpClient must not replace it
        // (YARP's propagator would, with a span of its own, and whenever any HttpClient listener exists in the process).
        handler.ActivityHeadersPropagator = null;
        if (BackendTlsMetadata.Read(context.NewMetadata) is not { } tls)
        {
            return; // system trust store, the backend address's host name
        }

        handler.SslOptions.EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
        var authorities = tls.CaFile is null ? null : LoadAuthorities(context.ClusterId, tls.CaFile);
        handler.SslOptions.RemoteCertificateValidationCallback = new BackendCertificateValidator(context.ClusterId, tls, authorities, _logger).Validate;
        if (tls.ClientCert is { } clientCert)
        {
            var now = services.Time.GetUtcNow();
            var pem = PemCertificateLoader.Load(services.ResolveFile(clientCert), tls.ClientKey is null ? null : services.ResolveFile(tls.ClientKey), "clientCert", "clientKey", now, out var problem);
            if (pem is null)
            {
                TlsLog.BackendTlsFileFailed(_logger, context.ClusterId, $"client certificate not loaded, connecting without one: {problem!.Message}");
                return;
            }

            handler.SslOptions.ClientCertificateContext = SslStreamCertificateContext.Create(pem.Leaf, pem.Intermediates, offline: true);
        }
    }

    /// <summary>The pool's CA certificates; empty (so every backend is refused, never trusted by mistake) when the file is bad.</summary>
    private X509Certificate2Collection LoadAuthorities(string pool, string caFile)
    {
        if (PemCertificateLoader.LoadBundle(services.ResolveFile(caFile), "caFile", out var problem) is { } authorities)
        {
            return authorities;
        }

        TlsLog.BackendTlsFileFailed(_logger, pool, $"caFile not loaded, every backend certificate will be refused: {problem!.Message}");
        return [];
    }
}
