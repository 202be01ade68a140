using System.Net.Security;
using System.Security.Authentication;
using Balancer.Core.Tls;

namespace Balancer.Tls;

/// <summary>One loaded server certificate: the handshake options built once (chain included) and what /status shows.</summary>
internal sealed class ServedCertificate(PemCertificate pem, string file, SslProtocols protocols, CipherSuitesPolicy? ciphers, bool ocspStapling)
{
    // ALPN: h2, then http/1.1 (RFC 7301 section 3.2: the server picks by its own preference).
    private static readonly List<SslApplicationProtocol> s_alpn = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11];

    /// <summary>
    /// The options of every handshake that serves this certificate, shared and never changed after this (Kestrel's own
    /// SNI selector shares its options the same way). The context is built once: SslStream sends the chain without
    /// rebuilding it, and on Linux caches its OpenSSL SSL_CTX in it (while TLS resumption is allowed, the default, and no
    /// cipher suites are set: with <c>cipherSuites</c> .NET builds a context per handshake and resumes no session).
    /// Built online, the context staples OCSP on Linux: when the chain (its root included, from the file or the system
    /// store) names an http OCSP responder, it fetches a response in the background and refreshes it before it expires;
    /// online, it may also fetch an intermediate the file lacks.
    /// </summary>
    public SslServerAuthenticationOptions Options { get; } = new()
    {
        ServerCertificateContext = SslStreamCertificateContext.Create(pem.Leaf, pem.Intermediates, offline: !ocspStapling),
        EnabledSslProtocols = protocols,
        ApplicationProtocols = s_alpn,
        CipherSuitesPolicy = ciphers,
        ClientCertificateRequired = false,
    };

    public PemCertificate Pem { get; } = pem;

    /// <summary>The certificate file, as the config names it.</summary>
    public string File { get; } = file;

    public string Subject => Pem.Leaf.Subject;

    public DateTimeOffset NotAfter => Pem.Leaf.NotAfter.ToUniversalTime();
}
