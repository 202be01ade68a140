using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Balancer.Tests.Common;

namespace Balancer.Tests.Tls;

public sealed class CertificateReloadTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Renewal_FilesReplaced_NewConnectionsGetNewCertificateOpenOnesKeepWorking()
    {
        using var certs = new TestCertificates();
        await using var backend = await TestBackend.StartAsync("b1");
        var files = certs.Create("old", "site.test");
        await using var balancer = await TestBalancer.StartAsync(TlsConfigs.Https(backend.ConfigAddress, TlsConfigs.Certificates(files)));
        await using var open = await TlsTestClient.ConnectAsync(balancer.ListenerAddress, "site.test");
        Assert.Equal("OK", await GetOverAsync(open));

        certs.Write(certs.Issue("renewed", ["site.test"]), "old");

        await Wait.Until(async () => await TlsTestClient.ServedSubjectAsync(balancer.ListenerAddress, "site.test") == "CN=renewed", s_timeout, "the renewed certificate served");
        Assert.Equal("CN=old", new X509Certificate2(open.RemoteCertificate!).Subject);
        Assert.Equal("OK", await GetOverAsync(open));
    }

    [Fact]
    public async Task Renewal_KeyDoesNotMatch_RejectedNamingTheFileOldCertificateKeepsServing()
    {
        using var certs = new TestCertificates();
        await using var backend = await TestBackend.StartAsync("b1");
        var files = certs.Create("site", "site.test");
        var logs = new LogSink();
        await using var balancer = await TestBalancer.StartAsync(TlsConfigs.Https(backend.ConfigAddress, TlsConfigs.Certificates(files)), logSink: logs);

        // Half a renewal: a new key written next to the old certificate.
        var other = certs.Create("other", "site.test");
        File.Copy(other.Key, files.Key, overwrite: true);

        await Wait.Until(async () => await LastErrorAsync(balancer) is not null, s_timeout, "the bad key rejected");
        Assert.Contains($"listeners.web.tls.certificates[0].key: key {files.Key} does not match certificate {files.Cert}", await LastErrorAsync(balancer));
        Assert.Contains(logs.Lines, l => l.Contains("old certificate keeps serving", StringComparison.Ordinal) && l.Contains(files.Key, StringComparison.Ordinal));
        Assert.Equal("CN=site", await TlsTestClient.ServedSubjectAsync(balancer.ListenerAddress, "site.test"));

        // Completing the renewal fixes it, and the error goes away.
        File.Copy(other.Cert, files.Cert, overwrite: true);
        await Wait.Until(async () => await TlsTestClient.ServedSubjectAsync(balancer.ListenerAddress, "site.test") == "CN=other", s_timeout, "the completed renewal served");

        // File.Copy truncates, then writes: the watcher may also load the half-written certificate once, rejected, and
        // the write's next event loads the whole one. The error clears with that load, not necessarily before the swap.
        await Wait.Until(async () => await LastErrorAsync(balancer) is null, s_timeout, "the error cleared by the completed renewal");
    }

    [Fact]
    public async Task ConfigReload_TlsBlockChanged_AppliedWithoutRebinding()
    {
        using var certs = new TestCertificates();
        await using var backend = await TestBackend.StartAsync("b1");
        var first = certs.Create("first", "site.test");
        var second = certs.Create("second", "site.test");
        await using var balancer = await TestBalancer.StartAsync(TlsConfigs.Https(backend.ConfigAddress, TlsConfigs.Certificates(first)));
        var address = balancer.ListenerAddress;

        await File.WriteAllTextAsync(balancer.ConfigPath, TlsConfigs.Https(backend.ConfigAddress, TlsConfigs.Certificates(second)));

        await Wait.Until(async () => await TlsTestClient.ServedSubjectAsync(address, "site.test") == "CN=second", s_timeout, "the new tls block applied");
        Assert.Equal(address, balancer.ListenerAddress);
    }

    /// <summary>Sends a GET on an open TLS connection and returns the response's reason phrase.</summary>
    private static async Task<string> GetOverAsync(Stream connection)
    {
        await connection.WriteAsync("GET / HTTP/1.1\r\nHost: site.test\r\n\r\n"u8.ToArray());
        var buffer = new byte[4096];
        var read = await connection.ReadAsync(buffer);
        var statusLine = Encoding.ASCII.GetString(buffer, 0, read).Split("\r\n")[0];
        return statusLine["HTTP/1.1 200 ".Length..];
    }

    private static async Task<string?> LastErrorAsync(TestBalancer balancer)
    {
        using var admin = new HttpClient { BaseAddress = balancer.AdminAddress };
        using var status = JsonDocument.Parse(await admin.GetStringAsync("/status"));
        return status.RootElement.GetProperty("config").GetProperty("lastError").GetString();
    }
}
