using System.Text.RegularExpressions;
using Balancer.Hosting;
using Balancer.Tests.Common;

namespace Balancer.Tests.Tls;

public sealed class CertificateCheckTests
{
    [Fact]
    public async Task Check_KeyDoesNotMatchCertificate_ErrorAtTheKeyNamingBothFiles()
    {
        using var certs = new TestCertificates();
        var (path, cert, key) = WriteMismatchedConfig(certs);

        var (exitCode, _, stderr) = await BalancerProcess.RunAsync("check", "--config", path);

        Assert.Equal(1, exitCode);
        var expected = $"listeners.web.tls.certificates[0].key: key {key} does not match certificate {cert}";
        Assert.Matches($@"^{Regex.Escape(path)}:\d+:\d+ {Regex.Escape(expected)}$", stderr.Trim());
    }

    [Fact]
    public async Task Check_ExpiredCertificate_Error()
    {
        using var certs = new TestCertificates();
        var expired = certs.Write(certs.Issue("old", ["site.test"], DateTimeOffset.UtcNow.AddHours(-1)), "old");
        var path = WriteConfig(certs, TlsConfigs.Certificates(expired));

        var (exitCode, _, stderr) = await BalancerProcess.RunAsync("check", "--config", path);

        Assert.Equal(1, exitCode);
        Assert.Contains($"listeners.web.tls.certificates[0].cert: certificate {expired.Cert} (CN=old) expired on", stderr);
    }

    [Fact]
    public async Task Check_ExpiresSoonOrWrongHost_WarnsAndPasses()
    {
        using var certs = new TestCertificates();
        var soon = certs.Write(certs.Issue("soon", ["site.test"], DateTimeOffset.UtcNow.AddDays(5)), "soon");
        var tls = $$"""{ "certificates": [ { "cert": "{{soon.Cert}}", "key": "{{soon.Key}}", "hosts": ["site.test", "other.test"] } ] }""";
        var path = WriteConfig(certs, tls);

        var (exitCode, stdout, stderr) = await BalancerProcess.RunAsync("check", "--config", path);

        Assert.True(exitCode == 0, stderr);
        Assert.Contains($"listeners.web.tls.certificates[0].cert: warning: certificate {soon.Cert} expires in 4 days", stderr);
        Assert.Contains("listeners.web.tls.certificates[0].hosts[1]: warning: certificate", stderr);
        Assert.Contains("is not valid for 'other.test' (it names site.test)", stderr);
        Assert.Contains("valid", stdout);
    }

    [Fact]
    public async Task Check_CertificateFileMissing_OnlyWarns()
    {
        using var certs = new TestCertificates();
        var path = WriteConfig(certs, TlsConfigs.Certificates(("/no/such/site.pem", "/no/such/site.key")));

        var (exitCode, _, stderr) = await BalancerProcess.RunAsync("check", "--config", path);

        Assert.True(exitCode == 0, stderr);
        Assert.Contains("listeners.web.tls.certificates[0].cert: warning: cannot read /no/such/site.pem", stderr);
    }

    [Fact]
    public async Task Start_KeyDoesNotMatchCertificate_RefusesNamingTheFile()
    {
        using var certs = new TestCertificates();
        var (path, cert, key) = WriteMismatchedConfig(certs);

        var error = await Assert.ThrowsAsync<StartupException>(() => TestBalancer.StartAtAsync(path));

        Assert.Contains($"listeners.web.tls.certificates[0].key: key {key} does not match certificate {cert}", error.Message);
    }

    /// <summary>A config whose certificate comes with the key of another certificate.</summary>
    private static (string Path, string Cert, string Key) WriteMismatchedConfig(TestCertificates certs)
    {
        var site = certs.Create("site", "site.test");
        var other = certs.Create("other", "site.test");
        return (WriteConfig(certs, TlsConfigs.Certificates((site.Cert, other.Key))), site.Cert, other.Key);
    }

    private static string WriteConfig(TestCertificates certs, string tls)
    {
        var path = Path.Combine(certs.Directory, "balancer.json");
        File.WriteAllText(path, TlsConfigs.Https("http://127.0.0.1:9", tls));
        return path;
    }
}
