using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Balancer.Hosting;
using Balancer.Tests.Common;
using Microsoft.Extensions.Logging.Abstractions;

namespace Balancer.Tests.Admin;

/// <summary><c>admin.auditLog</c>: a JSON line per admin action and reload, with who made it, to a file that reloads can move.</summary>
public sealed class AuditLogTests
{
    private const string Backend = "http://127.0.0.1:5001";

    private static string Config(string adminFields) =>
        TestBalancer.WithAdmin(TestBalancer.PoolConfig("round-robin", "\"health\": { \"probe\": \"none\" },", (Backend, 1)), adminFields);

    [Fact]
    public async Task AdminActions_WithToken_EachALineWithTheTokensFingerprint()
    {
        const string token = "audit-test-token-0123456789";
        var dir = Directory.CreateTempSubdirectory("balancer-audit-").FullName;
        var tokenFile = Path.Combine(dir, "admin.token");
        await File.WriteAllTextAsync(tokenFile, token + "\n");
        File.SetUnixFileMode(tokenFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var config = Path.Combine(dir, "balancer.json");
        await File.WriteAllTextAsync(config, Config("\"tokenFile\": \"admin.token\", \"auditLog\": \"audit.log\""));
        await using var balancer = await TestBalancer.StartAtAsync(config, watch: false, ownedDir: dir);
        using var admin = new HttpClient { BaseAddress = balancer.AdminAddress };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var audit = new AuditFile(Path.Combine(dir, "audit.log"));

        (await admin.PostAsync("/pools/web/backends/127.0.0.1:5001/drain", null)).EnsureSuccessStatusCode();
        (await admin.PostAsync("/pools/web/backends/127.0.0.1:5001/enable", null)).EnsureSuccessStatusCode();
        (await admin.PostAsync("/reload", null)).EnsureSuccessStatusCode();
        using var unauthorized = await new HttpClient { BaseAddress = balancer.AdminAddress }.PostAsync("/pools/web/backends/127.0.0.1:5001/drain", null);
        var reload = await audit.WaitForAsync("reload");
        var lines = audit.Lines;

        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)))[..16];
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.Equal(["start", "drain", "enable", "reload"], lines.Select(l => l.GetProperty("action").GetString()));
        Assert.All(lines.Skip(1), l => Assert.Equal(fingerprint, l.GetProperty("tokenFingerprint").GetString()));
        Assert.All(lines.Skip(1), l => Assert.Equal("127.0.0.1", l.GetProperty("client").GetString()));
        Assert.Equal("unchanged", reload.GetProperty("result").GetString());
        Assert.Equal(config, reload.GetProperty("target").GetString());
        Assert.DoesNotContain(token, File.ReadAllText(audit.Path), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reload_MovesTheLogToANewFile_AndRefusesOneThatCannotBeOpened()
    {
        await using var balancer = await TestBalancer.StartAsync(Config("\"auditLog\": \"first.log\""), watch: false);
        var dir = Path.GetDirectoryName(balancer.ConfigPath)!;
        using var admin = new HttpClient { BaseAddress = balancer.AdminAddress };

        await File.WriteAllTextAsync(balancer.ConfigPath, Config("\"auditLog\": \"second.log\""));
        (await admin.PostAsync("/reload", null)).EnsureSuccessStatusCode();
        (await admin.PostAsync("/pools/web/backends/127.0.0.1:5001/drain", null)).EnsureSuccessStatusCode();
        await new AuditFile(Path.Combine(dir, "second.log")).WaitForAsync("drain");
        await File.WriteAllTextAsync(balancer.ConfigPath, Config("\"auditLog\": \"no/such/dir/audit.log\""));
        using var refused = await admin.PostAsync("/reload", null);
        var rejected = await new AuditFile(Path.Combine(dir, "second.log")).WaitForAsync("reload", l => l.GetProperty("result").GetString() == "rejected");

        // The reload that moved the log is the new file's first line.
        Assert.Equal(["start"], new AuditFile(Path.Combine(dir, "first.log")).Lines.Select(l => l.GetProperty("action").GetString()));
        Assert.Equal(["reload", "drain", "reload"], new AuditFile(Path.Combine(dir, "second.log")).Lines.Select(l => l.GetProperty("action").GetString()));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("admin.auditLog: the directory of 'no/such/dir/audit.log'", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("does not exist", rejected.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_AuditLogThatCannotBeCreated_RefusedInOneLineNamingIt()
    {
        var dir = Directory.CreateTempSubdirectory("balancer-audit-").FullName;
        try
        {
            // Not even root may create a file in /proc.
            var config = Path.Combine(dir, "balancer.json");
            await File.WriteAllTextAsync(config, Config("\"auditLog\": \"/proc/balancer-audit.log\""));

            var failure = await Assert.ThrowsAsync<StartupException>(() => BalancerServer.StartAsync(config, NullLoggerFactory.Instance, TimeProvider.System, CancellationToken.None, watchConfig: false));

            Assert.StartsWith("admin.auditLog: cannot open '/proc/balancer-audit.log' for appending: ", failure.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("\n", failure.Message.Trim(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
