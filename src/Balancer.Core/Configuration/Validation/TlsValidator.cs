using System.Text.RegularExpressions;
using Balancer.Core.Configuration.Binding;

namespace Balancer.Core.Configuration.Validation;

/// <summary>Checks the shape of the <c>tls</c> blocks and <c>redirectToHttps</c>; the files they name are checked by <see cref="CertificateFileChecker"/>.</summary>
internal static partial class TlsValidator
{
    /// <summary>Checks a listener's <c>tls</c> and <c>redirectToHttps</c>.</summary>
    public static void CheckListener(ListenerConfig listener, string path, ConfigDiagnostics diagnostics)
    {
        var http = listener.Protocol == ListenerProtocols.Http;
        if (listener.RedirectToHttps is { } port)
        {
            var redirectPath = ConfigPath.Child(path, "redirectToHttps");
            if (!http || listener.Tls is not null)
            {
                diagnostics.Report(redirectPath, "redirectToHttps is for a cleartext http listener (one without 'tls')");
            }

            PoolValidator.CheckRange(diagnostics, redirectPath, "redirectToHttps", port, 1, 65535);
        }

        if (listener.Tls is not { } tls)
        {
            return;
        }

        var tlsPath = ConfigPath.Child(path, "tls");
        if (!http)
        {
            diagnostics.Report(tlsPath, "'tls' is for http listeners; a tcp listener passes TLS through to its backends untouched");
            return;
        }

        CheckCertificates(tls, tlsPath, diagnostics);
        if (tls.Hsts is { } hsts && !HstsValue().IsMatch(hsts))
        {
            diagnostics.Report(ConfigPath.Child(tlsPath, "hsts"), $"'{hsts}' is not a Strict-Transport-Security value; write e.g. \"max-age=31536000; includeSubDomains\" (RFC 6797 section 6.1)");
        }

        CheckCipherSuites(tls, tlsPath, diagnostics);
    }

    /// <summary>Each name must be an IANA cipher suite name .NET knows; an empty list would offer nothing.</summary>
    private static void CheckCipherSuites(ListenerTlsConfig tls, string tlsPath, ConfigDiagnostics diagnostics)
    {
        if (tls.CipherSuites is not { } suites)
        {
            return;
        }

        var path = ConfigPath.Child(tlsPath, "cipherSuites");
        if (suites.Count == 0)
        {
            diagnostics.Report(path, "an empty list offers no cipher suite; leave 'cipherSuites' out for the defaults");
        }

        for (var i = 0; i < suites.Count; i++)
        {
            if (!TlsCipherSuiteNames.IsKnown(suites[i]))
            {
                diagnostics.Report(ConfigPath.Item(path, i), $"'{suites[i]}' is not a cipher suite name; write IANA names such as TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 (OpenSSL names like ECDHE-ECDSA-CHACHA20-POLY1305 are not accepted)");
            }
        }
    }

    /// <summary>Checks a pool's <c>tls</c>: only http pools reach backends over TLS.</summary>
    public static void CheckPool(PoolConfig pool, string path, PoolUse use, ConfigDiagnostics diagnostics)
    {
        if (pool.Tls is not { } tls)
        {
            return;
        }

        var tlsPath = ConfigPath.Child(path, "tls");
        if (use == PoolUse.Tcp)
        {
            diagnostics.Report(tlsPath, "'tls' is for the https:// backends of http pools; a tcp pool passes bytes through untouched");
        }
        else if (!pool.Backends.Any(b => b.Address.StartsWith("https://", StringComparison.OrdinalIgnoreCase)))
        {
            diagnostics.Report(tlsPath, "no backend of this pool is https://, so 'tls' has no effect", ConfigErrorSeverity.Warning);
        }

        if (tls.ServerName is { } name && !AddressSyntax.IsDnsName(name))
        {
            diagnostics.Report(ConfigPath.Child(tlsPath, "serverName"), $"'{name}' is not a host name");
        }

        if (tls.ClientKey is not null && tls.ClientCert is null)
        {
            diagnostics.Report(ConfigPath.Child(tlsPath, "clientKey"), "clientKey needs clientCert, the certificate it belongs to");
        }

        if (tls.InsecureSkipVerify)
        {
            diagnostics.Report(ConfigPath.Child(tlsPath, "insecureSkipVerify"), "backend certificates are not verified: anyone on the path can read and change this traffic", ConfigErrorSeverity.Warning);
        }
    }

    private static void CheckCertificates(ListenerTlsConfig tls, string tlsPath, ConfigDiagnostics diagnostics)
    {
        var certificatesPath = ConfigPath.Child(tlsPath, "certificates");
        if (tls.Certificates.Count == 0)
        {
            diagnostics.Report(certificatesPath, "an https listener needs at least one certificate");
        }
        else if (tls.Default < 0 || tls.Default >= tls.Certificates.Count)
        {
            diagnostics.Report(ConfigPath.Child(tlsPath, "default"), $"default must be the index of a certificate, 0-{tls.Certificates.Count - 1}, got {tls.Default}");
        }

        // A name may be claimed once: with two certificates for it, which one is served would be a guess.
        var claimed = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < tls.Certificates.Count; i++)
        {
            var hostsPath = ConfigPath.Child(ConfigPath.Item(certificatesPath, i), "hosts");
            var hosts = tls.Certificates[i].Hosts ?? [];
            for (var j = 0; j < hosts.Count; j++)
            {
                var host = hosts[j];
                var name = host.StartsWith("*.", StringComparison.Ordinal) ? host[2..] : host;
                if (!AddressSyntax.IsDnsName(name))
                {
                    diagnostics.Report(ConfigPath.Item(hostsPath, j), $"'{host}' is not a host name; use 'example.com' or '*.example.com'");
                }
                else if (!claimed.TryAdd(host, i) && claimed[host] != i)
                {
                    diagnostics.Report(ConfigPath.Item(hostsPath, j), $"host '{host}' is also listed by certificates[{claimed[host]}]");
                }
            }
        }
    }

    [GeneratedRegex(@"^\s*max-age=\d+\s*(;\s*(includeSubDomains|preload)\s*)*$", RegexOptions.IgnoreCase)]
    private static partial Regex HstsValue();
}
