using System.Net;
using System.Text;
using System.Text.Json;
using Balancer.Tests.Common;

namespace Balancer.Tests.Admin;

/// <summary><c>POST /pools/{pool}/backends/{address}/weight</c>: a runtime weight, kept until a reload changes the backend, audited.</summary>
public sealed class RuntimeWeightTests : IAsyncLifetime
{
    private const string A = "http://127.0.0.1:5001";
    private const string B = "http://127.0.0.1:5002";
    private TestBalancer _balancer = null!;
    private HttpClient _admin = null!;
    private AuditFile _audit = null!;

    public async Task InitializeAsync()
    {
        _balancer = await TestBalancer.StartAsync(Config(bWeight: 2), watch: false);
        _admin = new HttpClient { BaseAddress = _balancer.AdminAddress };
        _audit = new AuditFile(Path.Combine(Path.GetDirectoryName(_balancer.ConfigPath)!, "audit.log"));
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _balancer.DisposeAsync();
    }

    private static string Config(int bWeight) => TestBalancer.WithAdmin(
        TestBalancer.PoolConfig("round-robin", "\"health\": { \"probe\": \"none\" },", (A, 1), (B, bWeight)), "\"auditLog\": \"audit.log\"");

    private async Task<(HttpStatusCode Status, JsonElement Body)> SetWeightAsync(string address, string body)
    {
        using var answer = await _admin.PostAsync($"/pools/web/backends/{Uri.EscapeDataString(address)}/weight", new StringContent(body, Encoding.UTF8, "application/json"));
        return (answer.StatusCode, JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    [Fact]
    public async Task Weight_Set_InEffectShownAsOverride_AndAudited()
    {
        var (status, body) = await SetWeightAsync(A, """{"weight": 5}""");
        var a = await _balancer.BackendStatusAsync("web", A);
        var line = await _audit.WaitForAsync("weight");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(body.GetProperty("changed").GetBoolean());
        Assert.Equal(5, a.GetProperty("weight").GetInt32());
        Assert.Equal(1, a.GetProperty("configuredWeight").GetInt32());
        Assert.Equal(5, a.GetProperty("weightOverride").GetInt32());
        Assert.Equal(5, a.GetProperty("effectiveWeight").GetDouble());
        Assert.Equal(JsonValueKind.Null, (await _balancer.BackendStatusAsync("web", B)).GetProperty("weightOverride").ValueKind);
        Assert.Equal("web http://127.0.0.1:5001", line.GetProperty("target").GetString());
        Assert.Equal("ok", line.GetProperty("result").GetString());
        Assert.Equal("weight 1 → 5 (runtime; configured 1)", line.GetProperty("detail").GetString());
        Assert.Equal("127.0.0.1", line.GetProperty("client").GetString());
        Assert.Equal(JsonValueKind.Null, line.GetProperty("tokenFingerprint").ValueKind);
        Assert.True(line.GetProperty("time").GetDateTimeOffset() <= DateTimeOffset.UtcNow);
    }

    [Theory]
    [InlineData("", "no body")]
    [InlineData("{}", "expected one field, weight")]
    [InlineData("""{"weight": 257}""", "weight 257 is not a whole number from 0 to 256")]
    [InlineData("""{"weight": -1}""", "weight -1 is not a whole number from 0 to 256")]
    [InlineData("""{"weight": 2.5}""", "weight 2.5 is not a whole number")]
    [InlineData("""{"weight": "3"}""", "weight \"3\" is not a whole number")]
    [InlineData("""{"weight": 3, "drain": true}""", "expected one field, weight")]
    [InlineData("weight=3", "the body is not JSON")]
    public async Task Weight_BadBody_400SaysHow_NothingChanged(string body, string error)
    {
        var (status, answer) = await SetWeightAsync(A, body);
        var line = await _audit.WaitForAsync("weight");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(error, answer.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("send {\"weight\": N} with N from 0 to 256", answer.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, (await _balancer.BackendStatusAsync("web", A)).GetProperty("weight").GetInt32());
        Assert.Equal("refused (400)", line.GetProperty("result").GetString());
    }

    [Fact]
    public async Task Weight_HugeBody_RefusedWithoutReadingItAll()
    {
        var (status, answer) = await SetWeightAsync(A, $$"""{"weight": 3, "pad": "{{new string('x', 100_000)}}"}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("the body is too large", answer.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Weight_NullOrTheConfiguredWeight_EndsTheOverride()
    {
        await SetWeightAsync(B, """{"weight": 7}""");
        var (_, back) = await SetWeightAsync(B, """{"weight": null}""");
        await SetWeightAsync(A, """{"weight": 4}""");
        var (_, same) = await SetWeightAsync(A, """{"weight": 1}""");

        Assert.Equal(2, back.GetProperty("weight").GetInt32());
        Assert.Equal(JsonValueKind.Null, back.GetProperty("weightOverride").ValueKind);
        Assert.Equal(JsonValueKind.Null, same.GetProperty("weightOverride").ValueKind);
        Assert.Equal(JsonValueKind.Null, (await _balancer.BackendStatusAsync("web", A)).GetProperty("weightOverride").ValueKind);
    }

    [Fact]
    public async Task Reload_KeepsTheOverrideOfAnUnchangedBackend_EndsTheOneWhoseWeightChanged()
    {
        await SetWeightAsync(A, """{"weight": 5}""");
        await SetWeightAsync(B, """{"weight": 9}""");

        await File.WriteAllTextAsync(_balancer.ConfigPath, Config(bWeight: 3));
        (await _admin.PostAsync("/reload", null)).EnsureSuccessStatusCode();
        var a = await _balancer.BackendStatusAsync("web", A);
        var b = await _balancer.BackendStatusAsync("web", B);
        var ended = await _audit.WaitForAsync("weight", l => l.GetProperty("result").GetString() == "override ended");

        Assert.Equal(5, a.GetProperty("weightOverride").GetInt32());
        Assert.Equal(5, a.GetProperty("weight").GetInt32());
        Assert.Equal(JsonValueKind.Null, b.GetProperty("weightOverride").ValueKind);
        Assert.Equal(3, b.GetProperty("weight").GetInt32());
        Assert.Equal("web http://127.0.0.1:5002", ended.GetProperty("target").GetString());
        Assert.Equal("runtime weight 9 ended: the reload set its weight to 3", ended.GetProperty("detail").GetString());
        Assert.Equal("admin API", ended.GetProperty("via").GetString());
    }

    [Fact]
    public async Task Weight_UnknownBackendOrAction_404_Audited()
    {
        var (status, body) = await SetWeightAsync("http://127.0.0.1:5009", """{"weight": 3}""");
        using var unknown = await _admin.PostAsync("/pools/web/backends/127.0.0.1:5001/promote", null);
        var line = await _audit.WaitForAsync("promote");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("pool 'web' has no backend 'http://127.0.0.1:5009'", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("use drain, enable or weight", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("refused (404)", line.GetProperty("result").GetString());
    }
}
