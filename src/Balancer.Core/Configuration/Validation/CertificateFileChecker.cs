using Balancer.Core.Configuration.Binding;
using Balancer.Core.Tls;

namespace Balancer.Core.Configuration.Validation;

/// <summary>
/// Loads the certificate, key and CA files the <c>tls</c> blocks name, as the running balancer will. A file that
/// cannot be read gets <c>severity</c> (a warning for <c>balancer check</c> on another host); a file that is read
/// but wrong (no certificate, a key that does not match, expired) is always an error.
/// </summary>
internal static class CertificateFileChecker
{
    /// <summary>Days before expiry from which a certificate draws a warning.</summary>
    public const int ExpiryWarningDays = 14;

    /// <summary>Checks every certificate file of <paramref name="config"/>.</summary>
    public static void Check(BalancerConfig config, string baseDirectory, ConfigErrorSeverity severity, ConfigDiagnostics diagnostics)
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var (name, listener) in config.Listeners)
        {
            var certificates = listener.Tls?.Certificates ?? [];
            for (var i = 0; i < certificates.Count; i++)
            {
                var path = ConfigPath.Item(ConfigPath.Child(ConfigPath.Child(ConfigPath.Child("listeners", name), "tls"), "certificates"), i);
                CheckServerCertificate(certificates[i], path, baseDirectory, now, severity, diagnostics);
            }
        }

        foreach (var (name, pool) in config.Pools)
        {
            if (pool.Tls is not { } tls)
            {
                continue;
            }

            var path = ConfigPath.Child(ConfigPath.Child("pools", name), "tls");
            if (tls.CaFile is { } caFile)
            {
                PemCertificateLoader.LoadBundle(Path.GetFullPath(caFile, baseDirectory), "caFile", out var problem);
                Report(problem, path, severity, diagnostics);
            }

            if (tls.ClientCert is { } clientCert)
            {
                using var loaded = Load(clientCert, tls.ClientKey, "clientCert", "clientKey", baseDirectory, now, out var problem);
                Report(problem, path, severity, diagnostics);
            }
        }
    }

    private static void CheckServerCertificate(
        CertificateConfig certificate, string path, string baseDirectory, DateTimeOffset now, ConfigErrorSeverity severity, ConfigDiagnostics diagnostics)
    {
        if (certificate.Cert.Length == 0)
        {
            return;
        }

        using var loaded = Load(certificate.Cert, certificate.Key, "cert", "key", baseDirectory, now, out var problem);
        Report(problem, path, severity, diagnostics);
        if (loaded is null)
        {
            return;
        }

        var certPath = ConfigPath.Child(path, "cert");
        var daysLeft = PemCertificateLoader.DaysLeft(loaded.Leaf, now);
        if (daysLeft < ExpiryWarningDays)
        {
            diagnostics.Report(certPath, $"certificate {certificate.Cert} expires in {daysLeft} days ({loaded.Leaf.NotAfter.ToUniversalTime():yyyy-MM-dd}); renew it", ConfigErrorSeverity.Warning);
        }

        var hosts = certificate.Hosts ?? [];
        for (var j = 0; j < hosts.Count; j++)
        {
            if (!loaded.Covers(hosts[j]))
            {
                var names = loaded.DnsNames.Count == 0 ? "no DNS names" : string.Join(", ", loaded.DnsNames);
                diagnostics.Report(ConfigPath.Item(ConfigPath.Child(path, "hosts"), j), $"certificate {certificate.Cert} is not valid for '{hosts[j]}' (it names {names}); clients will reject it", ConfigErrorSeverity.Warning);
            }
        }
    }

    private static PemCertificate? Load(string cert, string? key, string certField, string keyField, string baseDirectory, DateTimeOffset now, out CertificateProblem? problem)
    {
        var keyPath = key is null ? null : Path.GetFullPath(key, baseDirectory);
        return PemCertificateLoader.Load(Path.GetFullPath(cert, baseDirectory), keyPath, certField, keyField, now, out problem);
    }

    private static void Report(CertificateProblem? problem, string path, ConfigErrorSeverity severity, ConfigDiagnostics diagnostics)
    {
        if (problem is not null)
        {
            diagnostics.Report(ConfigPath.Child(path, problem.Field), problem.Message, problem.Unreadable ? severity : ConfigErrorSeverity.Error);
        }
    }
}
