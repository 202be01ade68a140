using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Balancer.Core.Tls;

/// <summary>What went wrong loading a certificate, and which config field (<c>cert</c> or <c>key</c>) it concerns.</summary>
/// <param name="Field">The field naming the file at fault.</param>
/// <param name="Message">The problem, naming the file.</param>
/// <param name="Unreadable">True when the file could not be read at all (a warning for <c>balancer check</c> on another host).</param>
public sealed record CertificateProblem(string Field, string Message, bool Unreadable = false);

/// <summary>
/// Loads a PEM certificate chain and its private key and checks them the way a TLS server needs them: the key
/// matches the certificate and the certificate is not expired. Used by <c>balancer check</c>, start-up and reloads.
/// </summary>
public static class PemCertificateLoader
{
    /// <summary>Loads <paramref name="certPath"/> with the key in <paramref name="keyPath"/> (or in the cert file when null).</summary>
    public static PemCertificate? Load(string certPath, string? keyPath, string certField, string keyField, DateTimeOffset now, out CertificateProblem? problem)
    {
        if (Read(certPath, certField, out problem) is not { } certText || Parse(certText, certPath, certField, out problem) is not { } chain)
        {
            return null;
        }

        var keyFile = keyPath ?? certPath;
        if ((keyPath is null ? certText : Read(keyFile, keyField, out problem)) is not { } keyText)
        {
            return null;
        }

        if (!keyText.Contains(" PRIVATE KEY-----", StringComparison.Ordinal) || keyText.Contains("ENCRYPTED PRIVATE KEY", StringComparison.Ordinal))
        {
            problem = new CertificateProblem(keyField, $"{keyFile} holds no unencrypted PEM private key ('-----BEGIN PRIVATE KEY-----', RSA or EC)");
            return null;
        }

        X509Certificate2 leaf;
        try
        {
            leaf = X509Certificate2.CreateFromPem(certText, keyText);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            problem = new CertificateProblem(keyField, $"key {keyFile} does not match certificate {certPath}");
            return null;
        }

        if (leaf.NotAfter.ToUniversalTime() < now.UtcDateTime)
        {
            problem = new CertificateProblem(certField, $"certificate {certPath} ({leaf.Subject}) expired on {leaf.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC");
            leaf.Dispose();
            return null;
        }

        // The first PEM block is the leaf; the rest is what clients need to build the chain.
        var intermediates = new X509Certificate2Collection();
        for (var i = 1; i < chain.Count; i++)
        {
            intermediates.Add(chain[i]);
        }

        problem = null;
        return new PemCertificate(leaf, intermediates);
    }

    /// <summary>Loads every certificate of a PEM bundle, such as a CA file; null with <paramref name="problem"/> when there is none.</summary>
    public static X509Certificate2Collection? LoadBundle(string path, string field, out CertificateProblem? problem) =>
        Read(path, field, out problem) is { } text ? Parse(text, path, field, out problem) : null;

    /// <summary>Whole days left before <paramref name="certificate"/> expires.</summary>
    public static int DaysLeft(X509Certificate2 certificate, DateTimeOffset now) =>
        (int)Math.Floor((certificate.NotAfter.ToUniversalTime() - now.UtcDateTime).TotalDays);

    private static X509Certificate2Collection? Parse(string text, string path, string field, out CertificateProblem? problem)
    {
        var chain = new X509Certificate2Collection();
        try
        {
            chain.ImportFromPem(text);
        }
        catch (CryptographicException e)
        {
            problem = new CertificateProblem(field, $"{path} holds a malformed PEM certificate: {e.Message}");
            return null;
        }

        problem = chain.Count == 0 ? new CertificateProblem(field, $"{path} holds no PEM certificate ('-----BEGIN CERTIFICATE-----')") : null;
        return chain.Count == 0 ? null : chain;
    }

    private static string? Read(string path, string field, out CertificateProblem? problem)
    {
        try
        {
            problem = null;
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            problem = new CertificateProblem(field, $"cannot read {path}: {e.Message}", Unreadable: true);
            return null;
        }
    }
}
