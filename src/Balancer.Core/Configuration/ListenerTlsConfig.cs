namespace Balancer.Core.Configuration;

/// <summary>HTTPS on an <c>http</c> listener: its certificates (chosen by SNI), TLS versions and HSTS.</summary>
public sealed record ListenerTlsConfig
{
    /// <summary>The certificates served, each with the host names it is chosen for.</summary>
    public IReadOnlyList<CertificateConfig> Certificates { get; init; } = [];

    /// <summary>Index in <see cref="Certificates"/> of the one served for an unknown or absent SNI name. Default 0.</summary>
    public int Default { get; init; }

    /// <summary>Lowest TLS version accepted: <c>1.2</c> (the default) or <c>1.3</c>.</summary>
    public string MinVersion { get; init; } = TlsVersions.Tls12;

    /// <summary>Value of the <c>Strict-Transport-Security</c> header added to responses; null (the default) adds none.</summary>
    public string? Hsts { get; init; }

    /// <summary>
    /// Cipher suites offered, by IANA name (<c>TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256</c>); TLS 1.3 suites among
    /// them replace the TLS 1.3 defaults, else those stay. Null (the default): .NET's list, or the system OpenSSL
    /// configuration's <c>CipherString</c> when it sets one.
    /// </summary>
    public IReadOnlyList<string>? CipherSuites { get; init; }

    /// <summary>Staple an OCSP response for certificates whose chain names an OCSP responder (RFC 6066 §8). Default true.</summary>
    public bool OcspStapling { get; init; } = true;

    /// <summary>Compares the certificate lists by value, so an unchanged block is not a change on reload.</summary>
    public bool Equals(ListenerTlsConfig? other) =>
        other is not null && Default == other.Default && MinVersion == other.MinVersion && Hsts == other.Hsts
        && OcspStapling == other.OcspStapling && (CipherSuites ?? []).SequenceEqual(other.CipherSuites ?? [])
        && (CipherSuites is null) == (other.CipherSuites is null) && Certificates.SequenceEqual(other.Certificates);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Certificates.Count, Default, MinVersion, Hsts);
}

/// <summary>TLS versions as they appear in config.</summary>
public static class TlsVersions
{
    /// <summary>TLS 1.2 (RFC 5246) and 1.3.</summary>
    public const string Tls12 = "1.2";

    /// <summary>TLS 1.3 (RFC 8446) only.</summary>
    public const string Tls13 = "1.3";

    /// <summary>Every accepted name.</summary>
    public static readonly string[] All = [Tls12, Tls13];
}
