using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Balancer.Tests.Common;

namespace Balancer.Tests.Tls;

/// <summary>
/// TLS as documented (#19 items 11, 12): <c>tls.cipherSuites</c> changes what a listener offers, and a certificate whose
/// chain names an OCSP responder gets its response stapled (checked against a local <c>openssl ocsp</c> responder, with
/// <c>openssl s_client -status</c>, as users check it).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class TlsConformanceTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task CipherSuites_ChaCha20Configured_OfferedOnlyThen()
    {
        using var certs = new TestCertificates();
        var site = certs.Create("site", "site.test");
        var chacha = $$"""{ "certificates": [ { "cert": "{{site.Cert}}", "key": "{{site.Key}}" } ], "cipherSuites": [ "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" ] }""";
        await using var configured = await TestBalancer.StartAsync(TlsConfigs.Https("http://127.0.0.1:9", chacha));
        await using var defaults = await TestBalancer.StartAsync(TlsConfigs.Https("http://127.0.0.1:9", TlsConfigs.Certificates(site)));

        Assert.Equal(TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, await NegotiateTls12ChaChaAsync(configured.ListenerAddress));
        // .NET's default list for TLS 1.2 has no ChaCha20 (README, HTTPS): a client that offers only it is refused.
        await Assert.ThrowsAnyAsync<Exception>(() => NegotiateTls12ChaChaAsync(defaults.ListenerAddress));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task OcspStapling_ChainNamesResponder_StapledUnlessTurnedOff(bool stapling)
    {
        var openssl = new[] { "/usr/bin/openssl", "/usr/local/bin/openssl" }.FirstOrDefault(File.Exists);
        if (openssl is null)
        {
            Assert.True(Environment.GetEnvironmentVariable("CI") != "true", "openssl is missing: .ci/run installs it");
            return;
        }

        using var certs = new TestCertificates();
        byte[]? staple = null;
        var asked = 0;
        // The responder: a canned response made by `openssl ocsp` from the CA's index, served on 127.0.0.1 over HTTP
        // (`openssl ocsp -port` would listen on every interface).
        await using var responder = TestTcpServer.Start(async socket =>
        {
            await ReadHeadAsync(socket);
            Interlocked.Increment(ref asked);
            var body = Volatile.Read(ref staple) ?? [];
            await socket.SendAsync(System.Text.Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/ocsp-response\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"));
            await socket.SendAsync(body);
            socket.Shutdown(SocketShutdown.Both);
        });
        using var leaf = IssueWithOcsp(certs, $"http://127.0.0.1:{responder.Port}/");
        var (cert, key) = certs.Write(leaf, "site");
        staple = await CannedResponseAsync(openssl, certs, leaf, cert);
        // The chain file ends with the root: the server needs the issuer to ask about the leaf (fullchain.pem plus root).
        await File.AppendAllTextAsync(cert, "\n" + certs.Authority.ExportCertificatePem() + "\n");
        var tls = $$"""{ "certificates": [ { "cert": "{{cert}}", "key": "{{key}}" } ], "ocspStapling": {{(stapling ? "true" : "false")}} }""";
        await using var balancer = await TestBalancer.StartAsync(TlsConfigs.Https("http://127.0.0.1:9", tls));

        if (stapling)
        {
            await Wait.Until(async () => (await StatusAsync(openssl, balancer.ListenerAddress)).Contains("Cert Status: good", StringComparison.Ordinal), Timeout, "a good OCSP response stapled");
            Assert.Contains("OCSP Response Status: successful", await StatusAsync(openssl, balancer.ListenerAddress), StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains("OCSP response: no response sent", await StatusAsync(openssl, balancer.ListenerAddress), StringComparison.Ordinal);
            Assert.Equal(0, Volatile.Read(ref asked));
        }
    }

    /// <summary>A "good" response for <paramref name="leaf"/>, signed by the CA, as `openssl ocsp` makes one from an index.</summary>
    private static async Task<byte[]> CannedResponseAsync(string openssl, TestCertificates certs, X509Certificate2 leaf, string leafFile)
    {
        var dir = certs.Directory;
        var caKey = Path.Combine(dir, "ca.key");
        await File.WriteAllTextAsync(caKey, certs.Authority.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        var index = Path.Combine(dir, "index.txt");
        await File.WriteAllTextAsync(index, $"V\t{leaf.NotAfter.ToUniversalTime():yyMMddHHmmss}Z\t\t{leaf.SerialNumber}\tunknown\t/CN=site\n");
        var request = Path.Combine(dir, "req.der");
        var response = Path.Combine(dir, "resp.der");
        await RunAsync(openssl, $"ocsp -no_nonce -issuer {certs.CaFile} -cert {leafFile} -reqout {request}");
        await RunAsync(openssl, $"ocsp -index {index} -rsigner {certs.CaFile} -rkey {caKey} -CA {certs.CaFile} -reqin {request} -respout {response} -ndays 1");
        return await File.ReadAllBytesAsync(response);
    }

    private static async Task ReadHeadAsync(Socket socket)
    {
        var head = new List<byte>();
        var buffer = new byte[1024];
        while (head.Count < 16 * 1024)
        {
            var read = await socket.ReceiveAsync(buffer);
            if (read == 0)
            {
                return;
            }

            head.AddRange(buffer.AsSpan(0, read));
            if (System.Text.Encoding.ASCII.GetString([.. head]).Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                return;
            }
        }
    }

    private static async Task<string> RunAsync(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(Timeout).Token);
        Assert.True(process.ExitCode == 0, $"openssl {arguments}: {await output}{await errors}");
        return await output;
    }

    private static async Task<TlsCipherSuite> NegotiateTls12ChaChaAsync(string address)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPEndPoint.Parse(address));
        await using var ssl = new SslStream(tcp.GetStream());
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "site.test",
            EnabledSslProtocols = SslProtocols.Tls12,
            CipherSuitesPolicy = new CipherSuitesPolicy([TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256]),
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        }).WaitAsync(Timeout);
        return ssl.NegotiatedCipherSuite;
    }

    private static X509Certificate2 IssueWithOcsp(TestCertificates certs, string responder)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=site", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("site.test");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509AuthorityInformationAccessExtension([responder], null));
        // A serial OpenSSL writes the same way as .NET (no leading zero byte, high bit clear): the index is looked up by it.
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] = (byte)(0x10 + (serial[0] % 0x60));
        using var issued = request.Create(certs.Authority, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), serial);
        return issued.CopyWithPrivateKey(key);
    }

    private static async Task<string> StatusAsync(string openssl, string address)
    {
        using var client = Process.Start(new ProcessStartInfo(openssl, $"s_client -connect {address} -servername site.test -status")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        client.StandardInput.Close();
        var output = client.StandardOutput.ReadToEndAsync();
        var errors = client.StandardError.ReadToEndAsync();
        await client.WaitForExitAsync(new CancellationTokenSource(Timeout).Token);
        return await output + await errors;
    }
}
