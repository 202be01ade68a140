using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Balancer.Core.Configuration;

namespace Balancer.Tls;

/// <summary>
/// Verifies a backend's certificate against a pool's <c>tls</c> block: a chain to the pool's own CA file
/// (<see cref="X509ChainTrustMode.CustomRootTrust"/>) or to the system store, and the name: <c>serverName</c> when
/// set, else the host of the backend's address. A rejection is logged with its reason.
/// </summary>
internal sealed class BackendCertificateValidator(string pool, BackendTlsConfig tls, X509Certificate2Collection? authorities, ILogger logger)
{
    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (tls.InsecureSkipVerify)
        {
            return true;
        }

        var reason = certificate is null ? "the backend sent no certificate" : Problem(certificate, chain, errors);
        if (reason is null)
        {
            return true;
        }

        TlsLog.BackendCertificateRejected(logger, pool, (sender as SslStream)?.TargetHostName ?? "?", reason);
        return false;
    }

    private string? Problem(X509Certificate certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        var leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        if (tls.ServerName is { } name ? !leaf.MatchesHostname(name) : errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return $"certificate {leaf.Subject} is not valid for {tls.ServerName ?? "the backend's host name"}";
        }

        if (authorities is null)
        {
            return errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors)
                ? $"certificate {leaf.Subject} is not trusted by the system store: {Describe(chain)}"
                : null;
        }

        if (authorities.Count == 0)
        {
            return $"the pool's caFile {tls.CaFile} could not be loaded";
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(authorities);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            // The intermediates the backend sent, so a CA file may hold only the root.
            foreach (var element in chain.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return custom.Build(leaf) ? null : $"certificate {leaf.Subject} does not chain to caFile {tls.CaFile}: {Describe(custom)}";
    }

    private static string Describe(X509Chain? chain) =>
        chain is null || chain.ChainStatus.Length == 0 ? "chain error" : string.Join(", ", chain.ChainStatus.Select(s => s.Status));
}
