using System.Security.Cryptography.X509Certificates;

namespace Balancer.Core.Tls;

/// <summary>A certificate with its private key and the intermediates that followed it in its PEM file.</summary>
/// <param name="Leaf">The certificate served, holding its private key.</param>
/// <param name="Intermediates">The rest of the chain, sent after the leaf.</param>
public sealed record PemCertificate(X509Certificate2 Leaf, X509Certificate2Collection Intermediates) : IDisposable
{
    /// <summary>The DNS names of the subject alternative name extension (RFC 5280 section 4.2.1.6).</summary>
    public IReadOnlyList<string> DnsNames { get; } =
        Leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(e => e.EnumerateDnsNames()).ToList();

    /// <summary>True when this certificate is valid for <paramref name="host"/>: an exact name, or a <c>*.</c> name covering one label.</summary>
    public bool Covers(string host) => DnsNames.Any(name => SniName.Matches(name, host));

    /// <summary>Releases the key; only for a certificate that was loaded to be checked, never one a listener may still serve.</summary>
    public void Dispose()
    {
        Leaf.Dispose();
        foreach (var intermediate in Intermediates)
        {
            intermediate.Dispose();
        }
    }
}
