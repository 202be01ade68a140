using System.Collections.Frozen;
using System.Net.Security;
using System.Security.Authentication;
using Balancer.Core.Configuration;
using Balancer.Core.Configuration.Validation;
using Balancer.Core.Tls;

namespace Balancer.Tls;

/// <summary>
/// An immutable SNI → certificate map of one listener: exact names first, then <c>*.</c> wildcards (one label,
/// RFC 6125 section 6.4.3), then the default. A reload builds a new table and swaps one reference, so a
/// handshake looks up without a lock and an open connection keeps the certificate it was given.
/// </summary>
internal sealed class CertificateTable
{
    private readonly FrozenDictionary<string, ServedCertificate> _exact;
    private readonly FrozenDictionary<string, ServedCertificate>.AlternateLookup<ReadOnlySpan<char>> _wildcards;

    private CertificateTable(IReadOnlyList<ServedCertificate> certificates, ServedCertificate fallback, ListenerTlsConfig config)
    {
        Certificates = certificates;
        Default = fallback;
        var exact = new Dictionary<string, ServedCertificate>(StringComparer.OrdinalIgnoreCase);
        var wildcards = new Dictionary<string, ServedCertificate>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < certificates.Count; i++)
        {
            // Hosts left out of the config are the names on the certificate itself.
            foreach (var host in config.Certificates[i].Hosts ?? certificates[i].Pem.DnsNames)
            {
                var target = host.StartsWith("*.", StringComparison.Ordinal) ? wildcards : exact;
                target.TryAdd(host.StartsWith("*.", StringComparison.Ordinal) ? host[2..] : host, certificates[i]);
            }
        }

        _exact = exact.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        _wildcards = wildcards.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Every certificate, in config order.</summary>
    public IReadOnlyList<ServedCertificate> Certificates { get; }

    /// <summary>Served for an unknown or absent SNI name.</summary>
    public ServedCertificate Default { get; }

    /// <summary>The certificate for SNI name <paramref name="serverName"/> (null or empty when the client sent none).</summary>
    public ServedCertificate Select(string? serverName)
    {
        if (string.IsNullOrEmpty(serverName))
        {
            return Default;
        }

        if (_exact.TryGetValue(serverName, out var exact))
        {
            return exact;
        }

        return SniName.Parent(serverName) is { IsEmpty: false } parent && _wildcards.TryGetValue(parent, out var wildcard) ? wildcard : Default;
    }

    /// <summary>
    /// Loads every certificate of <paramref name="config"/>; null with one line per problem when any fails, each
    /// starting with <paramref name="where"/> (e.g. <c>balancer.json: listeners.web.tls</c>).
    /// </summary>
    public static CertificateTable? Load(ListenerTlsConfig config, string where, Func<string, string> resolve, DateTimeOffset now, out List<string> errors)
    {
        errors = [];
        var certificates = new List<ServedCertificate>();
        var protocols = config.MinVersion == TlsVersions.Tls13 ? SslProtocols.Tls13 : SslProtocols.Tls12 | SslProtocols.Tls13;
        var ciphers = CipherPolicy(config.CipherSuites);
        for (var i = 0; i < config.Certificates.Count; i++)
        {
            var certificate = config.Certificates[i];
            var pem = PemCertificateLoader.Load(
                resolve(certificate.Cert), certificate.Key is null ? null : resolve(certificate.Key), "cert", "key", now, out var problem);
            if (pem is null)
            {
                errors.Add($"{where}.certificates[{i}].{problem!.Field}: {problem.Message}");
                continue;
            }

            certificates.Add(new ServedCertificate(pem, certificate.Cert, protocols, ciphers, config.OcspStapling));
        }

        return errors.Count > 0 || certificates.Count == 0 ? null : new CertificateTable(certificates, certificates[Math.Clamp(config.Default, 0, certificates.Count - 1)], config);
    }

    /// <summary>
    /// The configured suites; TLS 1.3 keeps its defaults unless some are named (on Linux a policy without TLS 1.3 suites
    /// would leave TLS 1.3 with none). Null when none are configured: .NET's list, or the system OpenSSL policy's.
    /// </summary>
    private static CipherSuitesPolicy? CipherPolicy(IReadOnlyList<string>? names)
    {
        if (names is null || OperatingSystem.IsWindows())
        {
            return null; // Windows takes the suites from its own policy only (Balancer runs on Linux)
        }

        var suites = names.Select(TlsCipherSuiteNames.Parse).OfType<TlsCipherSuite>().ToList();
        if (!suites.Any(s => s.ToString().StartsWith("TLS_AES_", StringComparison.Ordinal) || s.ToString().StartsWith("TLS_CHACHA20_", StringComparison.Ordinal)))
        {
            suites.AddRange([TlsCipherSuite.TLS_AES_256_GCM_SHA384, TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256, TlsCipherSuite.TLS_AES_128_GCM_SHA256]);
        }

        return new CipherSuitesPolicy(suites);
    }

    /// <summary>Handshake options for a connection asking for <paramref name="serverName"/>: those of its certificate, allocated once.</summary>
    public SslServerAuthenticationOptions OptionsFor(string? serverName) => Select(serverName).Options;
}
