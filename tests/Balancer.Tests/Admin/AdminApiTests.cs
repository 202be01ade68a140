using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Balancer.Tests.Common;

namespace Balancer.Tests.Admin;

public sealed class AdminApiTests : ThreeBackends
{
    private const string Token = "s3cret-token-for-tests";

    [Fact]
    public async Task Status_AfterTraffic_HasContractFields()
    {
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.SinglePoolConfig("round-robin", (Backends[0].ConfigAddress, 2)));
        using var client = balancer.CreateClient();
        for (var i = 0; i < 5; i++)
        {
            (await client.GetAsync("/")).EnsureSuccessStatusCode();
        }

        using var admin = new HttpClient { BaseAddress = balancer.AdminAddress };
        using var status = JsonDocument.Parse(await admin.GetStringAsync("/status"));
        var root = status.RootElement;
        var backend = root.GetProperty("pools").GetProperty("web").GetProperty("backends")[0];

        Assert.Equal(Backends[0].ConfigAddress, backend.GetProperty("address").GetString());
        Assert.True(backend.GetProperty("healthy").GetBoolean());
        Assert.False(backend.GetProperty("draining").GetBoolean());
        Assert.Equal(0, backend.GetProperty("inflight").GetInt32());
        Assert.Equal(5, backend.GetProperty("requests").GetInt64());
        Assert.Equal(0, backend.GetProperty("failures").GetInt64());
        Assert.Equal(2, backend.GetProperty("effectiveWeight").GetDouble());
        Assert.True(backend.GetProperty("latencyMs").GetDouble() > 0);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("config").GetProperty("lastError").ValueKind);
        Assert.True(root.GetProperty("config").GetProperty("loadedAt").GetDateTimeOffset() <= DateTimeOffset.UtcNow);
        Assert.Equal(64, root.GetProperty("config").GetProperty("hash").GetString()!.Length);
        Assert.Equal("disabled", root.GetProperty("failover").GetProperty("state").GetString());
        Assert.Equal("http", root.GetProperty("listeners").GetProperty("web").GetProperty("protocol").GetString());
        Assert.True(root.GetProperty("uptimeSeconds").GetDouble() >= 0);
    }

    [Fact]
    public async Task Drain_SurvivesReload_AndStatusSaysWhenDrained()
    {
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.SinglePoolConfig("round-robin", (Backends[0].ConfigAddress, 1), (Backends[1].ConfigAddress, 1)), watch: false);
        using var client = balancer.CreateClient();
        using var admin = new HttpClient { BaseAddress = balancer.AdminAddress };
        var slow = client.GetAsync("/slow?ms=1000");
        await Wait.Until(() => Backends[0].InFlight + Backends[1].InFlight == 1, TimeSpan.FromSeconds(10), "slow request in flight");
        var busy = Backends[0].InFlight == 1 ? Backends[0] : Backends[1];
        var escaped = Uri.EscapeDataString(busy.ConfigAddress);

        (await admin.PostAsync($"/pools/web/backends/{escaped}/drain", null)).EnsureSuccessStatusCode();
        var during = await balancer.BackendStatusAsync("web", busy.ConfigAddress);
        await File.WriteAllTextAsync(balancer.ConfigPath, TestBalancer.SinglePoolConfig("round-robin", (Backends[0].ConfigAddress, 1), (Backends[1].ConfigAddress, 1), (Backends[2].ConfigAddress, 1)));
        (await admin.PostAsync("/reload", null)).EnsureSuccessStatusCode();
        (await slow).EnsureSuccessStatusCode();
        var after = await balancer.BackendStatusAsync("web", busy.ConfigAddress);

        Assert.True(during.GetProperty("draining").GetBoolean());
        Assert.False(during.GetProperty("drained").GetBoolean());
        Assert.True(after.GetProperty("draining").GetBoolean());
        Assert.True(after.GetProperty("drained").GetBoolean());
        var before = busy.Requests;
        for (var i = 0; i < 6; i++)
        {
            (await client.GetAsync("/")).EnsureSuccessStatusCode();
        }

        Assert.Equal(before, busy.Requests);
        (await admin.PostAsync($"/pools/web/backends/{escaped}/enable", null)).EnsureSuccessStatusCode();
        Assert.False((await balancer.BackendStatusAsync("web", busy.ConfigAddress)).GetProperty("draining").GetBoolean());
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync("/pools/web/backends/http%3A%2F%2Fnope%3A1/drain", null)).StatusCode);
    }

    [Fact]
    public async Task Config_ReturnsRunningFile()
    {
        var json = TestBalancer.SinglePoolConfig("round-robin", (Backends[0].ConfigAddress, 1));
        await using var balancer = await TestBalancer.StartAsync(json);
        using var admin = new HttpClient { BaseAddress = balancer.AdminAddress };

        Assert.Equal(json, await admin.GetStringAsync("/config"));
    }

    [Theory]
    [InlineData("GET", "/status")]
    [InlineData("GET", "/metrics")]
    [InlineData("GET", "/config")]
    [InlineData("GET", "/")]
    [InlineData("POST", "/reload")]
    [InlineData("POST", "/pools/web/backends/x/drain")]
    [InlineData("POST", "/pools/web/backends/x/enable")]
    public async Task TokenFile_EveryEndpoint_401WithoutOrWrongToken_OkWithIt(string method, string path)
    {
        await using var balancer = await StartWithToken();
        using var admin = new HttpClient { BaseAddress = balancer.AdminAddress };

        using var none = await admin.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        using var wrongRequest = new HttpRequestMessage(new HttpMethod(method), path);
        wrongRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token + "x");
        using var wrong = await admin.SendAsync(wrongRequest);
        using var rightRequest = new HttpRequestMessage(new HttpMethod(method), path);
        rightRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        using var right = await admin.SendAsync(rightRequest);

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.NotEqual(HttpStatusCode.Unauthorized, right.StatusCode);
    }

    [Fact]
    public async Task TokenFile_DashboardCookie_Accepted()
    {
        await using var balancer = await StartWithToken();
        using var handler = new HttpClientHandler { UseCookies = false };
        using var admin = new HttpClient(handler) { BaseAddress = balancer.AdminAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/status");
        request.Headers.Add("Cookie", $"balancer_admin_token={Uri.EscapeDataString(Token)}");

        using var response = await admin.SendAsync(request);
        using var login = await admin.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
        Assert.Contains("bearer token", await login.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Dashboard_SelfContainedPage()
    {
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.SinglePoolConfig("round-robin", (Backends[0].ConfigAddress, 1)));
        using var admin = new HttpClient { BaseAddress = balancer.AdminAddress };

        var page = await admin.GetStringAsync("/");

        Assert.Contains("<title>Balancer</title>", page);
        Assert.DoesNotContain("https://", page); // no CDN: works offline
        Assert.DoesNotContain("src=\"http", page);
    }

    [Fact]
    public async Task AdminApi_WithTokenFile_NeverShowsTheSecret()
    {
        await using var balancer = await StartWithToken();
        using var admin = new HttpClient { BaseAddress = balancer.AdminAddress };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);

        foreach (var path in new[] { "/config", "/status", "/metrics", "/" })
        {
            var body = await admin.GetStringAsync(path);
            Assert.DoesNotContain(Token, body, StringComparison.Ordinal);
        }

        Assert.Contains("admin.token", await admin.GetStringAsync("/config"), StringComparison.Ordinal); // the path, not the content
    }

    [Fact]
    public async Task Run_WorldReadableTokenFile_RefusesToStartNamingTheFix()
    {
        var dir = Directory.CreateTempSubdirectory("balancer-token-").FullName;
        var tokenFile = Path.Combine(dir, "admin.token");
        await File.WriteAllTextAsync(tokenFile, Token);
        File.SetUnixFileMode(tokenFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var config = Path.Combine(dir, "balancer.json");
        await File.WriteAllTextAsync(config, TestBalancer.SinglePoolConfig("round-robin", (Backends[0].ConfigAddress, 1))
            .Replace("\"admin\": { \"bind\": \"127.0.0.1:0\" }", $"\"admin\": {{ \"bind\": \"127.0.0.1:0\", \"tokenFile\": \"{tokenFile}\" }}", StringComparison.Ordinal));

        var (exitCode, stdout, stderr) = await BalancerProcess.RunAsync("--config", config);
        var (checkCode, checkOut, checkErr) = await BalancerProcess.RunAsync("check", "--config", config);
        Directory.Delete(dir, recursive: true);

        var refusal = $"is readable by every user (mode 0644); keep it to the service: chown root:balancer {tokenFile} && chmod 0640 {tokenFile}";
        Assert.NotEqual(0, exitCode);
        Assert.Contains(refusal, stderr + stdout, StringComparison.Ordinal);
        Assert.Equal(1, checkCode); // check passes nothing the balancer refuses
        Assert.EndsWith(refusal, checkErr.Trim(), StringComparison.Ordinal);
        Assert.Equal("", checkOut);
        Assert.DoesNotContain(Token, stderr + stdout + checkErr + checkOut, StringComparison.Ordinal);
    }

    private async Task<TestBalancer> StartWithToken()
    {
        var dir = Directory.CreateTempSubdirectory("balancer-token-").FullName;
        var tokenFile = Path.Combine(dir, "admin.token");
        await File.WriteAllTextAsync(tokenFile, Token + "\n");
        File.SetUnixFileMode(tokenFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var json = TestBalancer.SinglePoolConfig("round-robin", (Backends[0].ConfigAddress, 1))
            .Replace("\"admin\": { \"bind\": \"127.0.0.1:0\" }", $"\"admin\": {{ \"bind\": \"127.0.0.1:0\", \"tokenFile\": \"{tokenFile}\" }}", StringComparison.Ordinal);
        Assert.Contains("tokenFile", json);
        return await TestBalancer.StartAsync(json);
    }
}
