namespace Balancer.Core.Configuration;

/// <summary>One server certificate: PEM files and the host names (SNI) it is served for.</summary>
public sealed record CertificateConfig
{
    /// <summary>PEM file with the certificate, then its intermediates (the full chain, as certbot's <c>fullchain.pem</c>).</summary>
    public string Cert { get; init; } = "";

    /// <summary>PEM file with the unencrypted private key (RSA or ECDSA); null when it is in <see cref="Cert"/>.</summary>
    public string? Key { get; init; }

    /// <summary>SNI names (<c>example.com</c>, <c>*.example.com</c>) served this certificate; null means the DNS names on the certificate.</summary>
    public IReadOnlyList<string>? Hosts { get; init; }

    /// <summary>Compares the host lists by value.</summary>
    public bool Equals(CertificateConfig? other) =>
        other is not null && Cert == other.Cert && Key == other.Key
        && (Hosts is null ? other.Hosts is null : other.Hosts is not null && Hosts.SequenceEqual(other.Hosts));

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Cert, Key, Hosts?.Count);
}
