using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Balancer.Tests.Common;

namespace Balancer.Tests.Tls;

public sealed class HttpsListenerTests
{
    [Fact]
    public async Task Handshake_BySniName_ServesExactWildcardOrDefaultCertificate()
    {
        using var certs = new TestCertificates();
        await using var backend = await TestBackend.StartAsync("b1");
        var fallback = certs.Create("fallback", "fallback.test");
        var exact = certs.Create("exact", "a.example.com");
        var wildcard = certs.Create("wildcard", "*.example.org");
        var tls = TlsConfigs.Certificates(fallback, exact, wildcard);
        await using var balancer = await TestBalancer.StartAsync(TlsConfigs.Https(backend.ConfigAddress, tls));
        var address = balancer.ListenerAddress;

        Assert.Equal("CN=exact", await TlsTestClient.ServedSubjectAsync(address, "a.example.com"));
        Assert.Equal("CN=exact", await TlsTestClient.ServedSubjectAsync(address, "A.Example.COM"));
        Assert.Equal("CN=wildcard", await TlsTestClient.ServedSubjectAsync(address, "www.example.org"));
        // A wildcard stands for one label only (RFC 6125 section 6.4.3).
        Assert.Equal("CN=fallback", await TlsTestClient.ServedSubjectAsync(address, "a.b.example.org"));
        Assert.Equal("CN=fallback", await TlsTestClient.ServedSubjectAsync(address, "unknown.test"));
        Assert.Equal("CN=fallback", await TlsTestClient.ServedSubjectAsync(address, serverName: null));
    }

    [Fact]
    public async Task Handshake_ExplicitDefaultAndHosts_UsesThem()
    {
        using var certs = new TestCertificates();
        await using var backend = await TestBackend.StartAsync("b1");
        var first = certs.Create("first", "first.test");
        var second = certs.Create("second", "second.test", "other.test");
        var tls = $$"""
            { "default": 1, "certificates": [
                { "cert": "{{first.Cert}}", "key": "{{first.Key}}" },
                { "cert": "{{second.Cert}}", "key": "{{second.Key}}", "hosts": ["other.test"] } ] }
            """;
        await using var balancer = await TestBalancer.StartAsync(TlsConfigs.Https(backend.ConfigAddress, tls));

        Assert.Equal("CN=second", await TlsTestClient.ServedSubjectAsync(balancer.ListenerAddress, null));
        Assert.Equal("CN=first", await TlsTestClient.ServedSubjectAsync(balancer.ListenerAddress, "first.test"));
        Assert.Equal("CN=second", await TlsTestClient.ServedSubjectAsync(balancer.ListenerAddress, "other.test"));
    }

    [Fact]
    public async Task Request_OverHttp2WithAlpn_ReachesBackendWithForwardedProtoHttps()
    {
        using var certs = new TestCertificates();
        await using var backend = await TestBackend.StartAsync("b1");
        await using var balancer = await TestBalancer.StartAsync(TlsConfigs.Https(backend.ConfigAddress, TlsConfigs.Certificates(certs.Create("site", "site.test"))));
        using var client = TlsTestClient.CreateHttpClient(certs.Authority, HttpVersion.Version20, "site.test");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"https://{balancer.ListenerAddress}/headers")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Headers.Host = "site.test"; // SocketsHttpHandler sends the Host header as SNI

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpVersion.Version20, response.Version);
        using var headers = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("https", headers.RootElement.GetProperty("X-Forwarded-Proto").GetString());
    }

    [Fact]
    public async Task Hsts_Configured_AddedToHttpsResponses()
    {
        using var certs = new TestCertificates();
        await using var backend = await TestBackend.StartAsync("b1");
        var site = certs.Create("site", "site.test");
        var tls = $$"""{ "hsts": "max-age=31536000; includeSubDomains", "certificates": [ { "cert": "{{site.Cert}}", "key": "{{site.Key}}" } ] }""";
        await using var balancer = await TestBalancer.StartAsync(TlsConfigs.Https(backend.ConfigAddress, tls));
        using var client = TlsTestClient.CreateHttpClient(certs.Authority, HttpVersion.Version11, "site.test");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"https://{balancer.ListenerAddress}/");
        request.Headers.Host = "site.test";

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("max-age=31536000; includeSubDomains", Assert.Single(response.Headers.GetValues("Strict-Transport-Security")));
    }

    [Fact]
    public async Task RedirectToHttps_PlainRequest_PermanentRedirectKeepingHostPathAndQuery()
    {
        using var certs = new TestCertificates();
        await using var backend = await TestBackend.StartAsync("b1");
        var json = TlsConfigs.Https(backend.ConfigAddress, TlsConfigs.Certificates(certs.Create("site", "site.test")), TlsConfigs.Plain("\"redirectToHttps\": 8443"));
        await using var balancer = await TestBalancer.StartAsync(json);
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://{balancer.Server.State.BoundListeners["plain"]}/a/b?c=d");
        request.Headers.Host = "site.test";

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.PermanentRedirect, response.StatusCode);
        Assert.Equal("https://site.test:8443/a/b?c=d", response.Headers.Location?.ToString());
        Assert.Equal(0, backend.Requests);
    }

    [Fact]
    public async Task StatusAndExpiryGauge_HttpsListener_ListItsCertificates()
    {
        using var certs = new TestCertificates();
        await using var backend = await TestBackend.StartAsync("b1");
        await using var balancer = await TestBalancer.StartAsync(TlsConfigs.Https(backend.ConfigAddress, TlsConfigs.Certificates(certs.Create("site", "site.test", "*.site.test"))));
        using var admin = new HttpClient { BaseAddress = balancer.AdminAddress };

        using var status = JsonDocument.Parse(await admin.GetStringAsync("/status"));

        var certificate = Assert.Single(status.RootElement.GetProperty("certificates").EnumerateArray());
        Assert.Equal("web", certificate.GetProperty("listener").GetString());
        Assert.Equal("CN=site", certificate.GetProperty("subject").GetString());
        Assert.Equal(["site.test", "*.site.test"], certificate.GetProperty("sans").EnumerateArray().Select(e => e.GetString()));
        Assert.InRange(certificate.GetProperty("daysLeft").GetInt32(), 88, 90);
        var expiry = Assert.Single(balancer.Server.State.Certificates.ExpiryMeasurements());
        Assert.Equal(DateTimeOffset.Parse(certificate.GetProperty("notAfter").GetString()!, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeSeconds(), expiry.Value);
        Assert.Equal([new("listener", "web"), new("subject", "CN=site")], expiry.Tags.ToArray());
    }

    [Fact]
    public async Task Metrics_HttpsListener_ExpiryGaugePerCertificate()
    {
        using var certs = new TestCertificates();
        await using var backend = await TestBackend.StartAsync("b1");
        // A subject no other test serves: every Balancer in this test process shares the meter.
        var site = certs.Create("expiry-gauge", "gauge.test");
        await using var balancer = await TestBalancer.StartAsync(TlsConfigs.Https(backend.ConfigAddress, TlsConfigs.Certificates(site)));
        using var admin = new HttpClient { BaseAddress = balancer.AdminAddress };
        var notAfter = new DateTimeOffset(X509CertificateLoader.LoadCertificateFromFile(site.Cert).NotAfter.ToUniversalTime()).ToUnixTimeSeconds();

        var metrics = await admin.GetStringAsync("/metrics");

        var line = Assert.Single(metrics.Split('\n'), l => l.StartsWith("balancer_tls_certificate_expiry_seconds{", StringComparison.Ordinal) && l.Contains("CN=expiry-gauge", StringComparison.Ordinal));
        Assert.Equal("balancer_tls_certificate_expiry_seconds{listener=\"web\",subject=\"CN=expiry-gauge\"}", line[..line.IndexOf(' ', StringComparison.Ordinal)]);
        Assert.Equal(notAfter, double.Parse(line[(line.IndexOf(' ', StringComparison.Ordinal) + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }
}
