using System.Net;
using Balancer.Tests.Common;

namespace Balancer.Tests.Tls;

public sealed class BackendTlsTests
{
    [Fact]
    public async Task HttpsBackend_CertificateFromPoolCa_Proxied()
    {
        using var certs = new TestCertificates();
        await using var backend = await TestBackend.StartAsync("secure", certificate: certs.Issue("backend", ["backend.test"]));
        var pool = $$"""{ "caFile": "{{certs.CaFile}}", "serverName": "backend.test" }""";
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.PoolConfig("round-robin", $"\"tls\": {pool},", (backend.ConfigAddress, 1)));
        using var client = balancer.CreateClient();

        using var response = await client.GetAsync("/hello");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("secure /hello", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task HttpsBackend_RequiresClientCertificate_PoolClientCertPresented()
    {
        using var certs = new TestCertificates();
        await using var backend = await TestBackend.StartAsync("secure", certificate: certs.Issue("backend", ["backend.test"]), clientAuthority: certs.Authority);
        var client = certs.Write(certs.Issue("balancer", ["balancer.test"], forClients: true), "client");
        var pool = $$"""{ "caFile": "{{certs.CaFile}}", "serverName": "backend.test", "clientCert": "{{client.Cert}}", "clientKey": "{{client.Key}}" }""";
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.PoolConfig("round-robin", $"\"tls\": {pool},", (backend.ConfigAddress, 1)));
        using var http = balancer.CreateClient();

        using var response = await http.GetAsync("/hello");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("CN=balancer", Assert.Single(response.Headers.GetValues("X-Client-Certificate")));
    }

    [Fact]
    public async Task HttpsBackend_RequiresClientCertificateNoneConfigured_BadGateway()
    {
        using var certs = new TestCertificates();
        await using var backend = await TestBackend.StartAsync("secure", certificate: certs.Issue("backend", ["backend.test"]), clientAuthority: certs.Authority);
        var pool = $$"""{ "caFile": "{{certs.CaFile}}", "serverName": "backend.test" }""";
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.PoolConfig("round-robin", $"\"tls\": {pool},", (backend.ConfigAddress, 1)));
        using var http = balancer.CreateClient();

        using var response = await http.GetAsync("/hello");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(0, backend.Requests);
    }

    [Fact]
    public async Task HttpsBackend_NotTrustedBySystemStore_BadGatewayAndLogSaysWhy()
    {
        using var certs = new TestCertificates();
        await using var backend = await TestBackend.StartAsync("secure", certificate: certs.Issue("backend", ["backend.test"]));
        var logs = new LogSink();
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.SinglePoolConfig("round-robin", (backend.ConfigAddress, 1)), logSink: logs);
        using var client = balancer.CreateClient();

        using var response = await client.GetAsync("/hello");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(0, backend.Requests);
        Assert.Contains(logs.Lines, l => l.Contains(backend.ConfigAddress, StringComparison.Ordinal) && l.Contains("certificate validation failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HttpsBackend_SignedByAnotherCa_BadGatewayAndLogNamesCaFile()
    {
        using var certs = new TestCertificates();
        using var stranger = new TestCertificates("Stranger CA");
        await using var backend = await TestBackend.StartAsync("secure", certificate: stranger.Issue("backend", ["backend.test"]));
        var pool = $$"""{ "caFile": "{{certs.CaFile}}", "serverName": "backend.test" }""";
        var logs = new LogSink();
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.PoolConfig("round-robin", $"\"tls\": {pool},", (backend.ConfigAddress, 1)), logSink: logs);
        using var client = balancer.CreateClient();

        using var response = await client.GetAsync("/hello");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains(logs.Lines, l => l.Contains("certificate validation failed for backend", StringComparison.Ordinal) && l.Contains($"does not chain to caFile {certs.CaFile}", StringComparison.Ordinal));
        Assert.Contains(logs.Lines, l => l.Contains(backend.ConfigAddress, StringComparison.Ordinal) && l.Contains("certificate validation failed", StringComparison.Ordinal));
    }
}
