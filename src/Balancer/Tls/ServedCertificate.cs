using System.Net.Security;
using Balancer.Core.Tls;

namespace Balancer.Tls;

/// <summary>One loaded server certificate: the handshake context built once (chain included) and what /status shows.</summary>
internal sealed class ServedCertificate(PemCertificate pem, string file)
{
    /// <summary>Built once per certificate: SslStream then sends the chain without rebuilding it per handshake.</summary>
    public SslStreamCertificateContext Context { get; } = SslStreamCertificateContext.Create(pem.Leaf, pem.Intermediates, offline: true);

    public PemCertificate Pem { get; } = pem;

    /// <summary>The certificate file, as the config names it.</summary>
    public string File { get; } = file;

    public string Subject => Pem.Leaf.Subject;

    public DateTimeOffset NotAfter => Pem.Leaf.NotAfter.ToUniversalTime();
}
