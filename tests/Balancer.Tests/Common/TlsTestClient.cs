using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Balancer.Tests.Common;

/// <summary>Raw TLS connections to a listener, to see which certificate it serves for an SNI name.</summary>
public static class TlsTestClient
{
    /// <summary>Opens a TLS connection to <paramref name="address"/> sending SNI <paramref name="serverName"/> (null: none) and accepting any certificate.</summary>
    public static async Task<SslStream> ConnectAsync(string address, string? serverName, string alpn = "http/1.1")
    {
        var colon = address.LastIndexOf(':');
        var tcp = new TcpClient();
        await tcp.ConnectAsync(address[..colon], int.Parse(address[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        var ssl = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            // An IP address as target host sends no SNI extension (RFC 6066 section 3 forbids literal addresses).
            TargetHost = serverName ?? "127.0.0.1",
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
            ApplicationProtocols = [new SslApplicationProtocol(alpn)],
        });
        return ssl;
    }

    /// <summary>The subject of the certificate served for <paramref name="serverName"/>.</summary>
    public static async Task<string> ServedSubjectAsync(string address, string? serverName)
    {
        await using var ssl = await ConnectAsync(address, serverName);
        return new X509Certificate2(ssl.RemoteCertificate!).Subject;
    }

    /// <summary>An HTTP client for https://<paramref name="address"/> that trusts <paramref name="authority"/> and speaks <paramref name="version"/>.</summary>
    public static HttpClient CreateHttpClient(X509Certificate2 authority, Version version, string? host = null)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate is X509Certificate2 leaf && TestCertificates.ChainsTo(leaf, authority) && (host is null || leaf.MatchesHostname(host)),
            },
        };
        return new HttpClient(handler) { DefaultRequestVersion = version, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact, Timeout = TimeSpan.FromSeconds(30) };
    }
}
