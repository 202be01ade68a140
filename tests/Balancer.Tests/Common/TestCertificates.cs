using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Balancer.Tests.Common;

/// <summary>
/// A throw-away ECDSA P-256 certificate authority for one test, issuing server certificates written as PEM
/// (certificate, key) into a temp folder that is deleted on dispose.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private readonly ECDsa _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestCertificates(string name = "Balancer Test CA")
    {
        var request = new CertificateRequest($"CN={name}", _caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        Authority = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        Directory = System.IO.Directory.CreateTempSubdirectory("balancer-tls-").FullName;
        CaFile = Path.Combine(Directory, "ca.pem");
        File.WriteAllText(CaFile, Authority.ExportCertificatePem());
    }

    /// <summary>The CA certificate, with its key.</summary>
    public X509Certificate2 Authority { get; }

    /// <summary>The folder the PEM files are written to.</summary>
    public string Directory { get; }

    /// <summary>The CA certificate as a PEM file.</summary>
    public string CaFile { get; }

    /// <summary>
    /// A certificate for <paramref name="dnsNames"/> signed by this CA, with its private key; for TLS servers, or
    /// with <paramref name="forClients"/> for TLS clients (extended key usage clientAuth instead of serverAuth).
    /// </summary>
    public X509Certificate2 Issue(string commonName, string[] dnsNames, DateTimeOffset? notAfter = null, bool forClients = false)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var name in dnsNames)
        {
            names.AddDnsName(name);
        }

        request.CertificateExtensions.Add(names.Build());
        // id-kp-serverAuth and id-kp-clientAuth (RFC 5280 section 4.2.1.12).
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(forClients ? "1.3.6.1.5.5.7.3.2" : "1.3.6.1.5.5.7.3.1")], false));
        var serial = RandomNumberGenerator.GetBytes(12);
        var notBefore = DateTimeOffset.UtcNow.AddDays(-1);
        using var issued = request.Create(Authority, notBefore, notAfter ?? DateTimeOffset.UtcNow.AddDays(90), serial);
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>Writes <paramref name="certificate"/> to <c>{name}.pem</c> and its key to <c>{name}.key</c>; returns both paths.</summary>
    public (string Cert, string Key) Write(X509Certificate2 certificate, string name)
    {
        var cert = Path.Combine(Directory, $"{name}.pem");
        var key = Path.Combine(Directory, $"{name}.key");
        WriteAtomically(cert, certificate.ExportCertificatePem());
        WriteAtomically(key, certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        return (cert, key);
    }

    /// <summary>Issues a certificate and writes it: <see cref="Issue"/> then <see cref="Write"/>.</summary>
    public (string Cert, string Key) Create(string name, params string[] dnsNames) => Write(Issue(name, dnsNames), name);

    /// <summary>True when <paramref name="certificate"/> chains to <paramref name="authority"/> alone (no system roots, no revocation check).</summary>
    public static bool ChainsTo(X509Certificate2 certificate, X509Certificate2 authority)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    public void Dispose()
    {
        _caKey.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    /// <summary>Write-to-temp then rename, as certbot and editors do, so a reader never sees half a file.</summary>
    private static void WriteAtomically(string path, string text)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }
}
