using System.Net;
using System.Net.Http.Headers;
using Balancer.Tests.Common;
using Microsoft.Extensions.Logging;

namespace Balancer.Tests.Admin;

/// <summary>The admin token over HTTP: refusals logged without flooding, and a token file made insecure while running refused as at start-up.</summary>
public sealed class AdminAuthTests : IAsyncLifetime
{
    private const string Token = "admin-auth-tests-token";
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly LogSink _logs = new();
    private TestBalancer _balancer = null!;
    private string _tokenFile = null!;

    public async Task InitializeAsync()
    {
        var json = TestBalancer.SinglePoolConfig("round-robin", ("http://127.0.0.1:5001", 1))
            .Replace("\"admin\": { \"bind\": \"127.0.0.1:0\" }", "\"admin\": { \"bind\": \"127.0.0.1:0\", \"tokenFile\": \"admin.token\" }", StringComparison.Ordinal);
        var dir = Directory.CreateTempSubdirectory("balancer-auth-").FullName;
        _tokenFile = Path.Combine(dir, "admin.token");
        await File.WriteAllTextAsync(_tokenFile, Token + "\n");
        File.SetUnixFileMode(_tokenFile, OwnerOnly);
        var config = Path.Combine(dir, "balancer.json");
        await File.WriteAllTextAsync(config, json);
        // Relative tokenFile: resolved next to the config, as check and start-up resolve it (the test's working directory is elsewhere).
        _balancer = await TestBalancer.StartAtAsync(config, watch: false, ownedDir: dir, logSink: _logs, logLevel: LogLevel.Information);
    }

    public async Task DisposeAsync() => await _balancer.DisposeAsync();

    private HttpClient Client(string? token)
    {
        var client = new HttpClient { BaseAddress = _balancer.AdminAddress };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    [Fact]
    public async Task Unauthorized_Flood_LoggedOnce()
    {
        using var wrong = Client("wrong");

        var answers = await Task.WhenAll(Enumerable.Range(0, 60).Select(_ => wrong.GetAsync("/status")));
        using var right = Client(Token);
        var ok = await right.GetAsync("/status");

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Unauthorized, a.StatusCode));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Single(_logs.Lines, l => l.Contains("unauthorized", StringComparison.Ordinal));
        Assert.Contains("Warning: admin API: unauthorized GET /status from 127.0.0.1", _logs.Lines);
    }

    [Fact]
    public async Task TokenFile_MadeWorldReadableWhileRunning_EveryCallRefusedUntilFixed()
    {
        using var right = Client(Token);
        var before = await right.GetAsync("/status");

        File.SetUnixFileMode(_tokenFile, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var refused = await right.GetAsync("/status");
        var refusedAgain = await right.PostAsync("/reload", null);
        File.SetUnixFileMode(_tokenFile, OwnerOnly | UnixFileMode.GroupRead);
        var after = await right.GetAsync("/status");

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refusedAgain.StatusCode);
        Assert.Contains(
            $"is readable by every user (mode 0644); keep it to the service: chown root:balancer {_tokenFile} && chmod 0640 {_tokenFile}",
            await refused.Content.ReadAsStringAsync(),
            StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Single(_logs.Lines, l => l.StartsWith($"Error: admin API: admin.tokenFile {_tokenFile} is readable by every user", StringComparison.Ordinal));
        Assert.Single(_logs.Lines, l => l == $"Information: admin API: admin.tokenFile {_tokenFile} is usable again");
        Assert.DoesNotContain(_logs.Lines, l => l.Contains(Token, StringComparison.Ordinal));
    }
}
