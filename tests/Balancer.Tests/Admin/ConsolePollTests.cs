using System.Net;
using System.Text.Json;
using Balancer.Tests.Common;

namespace Balancer.Tests.Admin;

/// <summary><c>GET /console/poll</c> and <c>/console/rejected</c>: what the dashboard reads, bounded whatever the pool size.</summary>
public sealed class ConsolePollTests : ThreeBackends
{
    private static async Task<JsonElement> PollAsync(HttpClient admin, object? query = null)
    {
        var q = query is null ? "" : $"?q={Uri.EscapeDataString(JsonSerializer.Serialize(query))}";
        return JsonDocument.Parse(await admin.GetStringAsync($"/console/poll{q}")).RootElement.Clone();
    }

    [Fact]
    public async Task Poll_ThousandBackends_OnePageOfRowsAndTwelveChartLines()
    {
        var backends = Enumerable.Range(0, 1000).Select(i => ($"http://127.0.0.1:{20000 + i}", 1)).ToArray();
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.PoolConfig("round-robin", "\"health\": { \"probe\": \"none\" },", backends), watch: false);
        using var admin = new HttpClient { BaseAddress = balancer.AdminAddress };
        (await admin.PostAsync("/pools/web/backends/127.0.0.1:20500/drain", null)).EnsureSuccessStatusCode();

        var first = await PollAsync(admin);
        var last = await PollAsync(admin, new { pages = new { web = new { offset = 950, limit = 50 } } });
        var search = await PollAsync(admin, new { pages = new { web = new { search = ":20999" } } });
        var draining = await PollAsync(admin, new { pages = new { web = new { filter = "draining" } } });
        var size = (await admin.GetByteArrayAsync("/console/poll")).Length;

        var page = first.GetProperty("pools").GetProperty("web").GetProperty("page");
        Assert.Equal(1000, page.GetProperty("total").GetInt32());
        Assert.Equal(50, page.GetProperty("rows").GetArrayLength());
        Assert.Equal(12, first.GetProperty("pools").GetProperty("web").GetProperty("chart").GetArrayLength());
        Assert.Equal(12, first.GetProperty("backends").EnumerateObject().Count());
        // The drained backend is drawn: backends that are not up come first.
        Assert.Contains("http://127.0.0.1:20500", first.GetProperty("pools").GetProperty("web").GetProperty("chart").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal("http://127.0.0.1:20950", last.GetProperty("pools").GetProperty("web").GetProperty("page").GetProperty("rows")[0].GetProperty("address").GetString());
        Assert.Equal(1, search.GetProperty("pools").GetProperty("web").GetProperty("page").GetProperty("total").GetInt32());
        var drained = draining.GetProperty("pools").GetProperty("web").GetProperty("page").GetProperty("rows").EnumerateArray().Single();
        Assert.Equal("drained", drained.GetProperty("state").GetString());
        Assert.True(size < 64 * 1024, $"a poll of a 1000-backend pool is {size} bytes");
    }

    [Fact]
    public async Task Poll_UnderTraffic_SeriesMove_AndABackendAlreadyHeldGetsOnlyNewSamples()
    {
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.SinglePoolConfig("round-robin", (Backends[0].ConfigAddress, 1)), watch: false);
        using var admin = new HttpClient { BaseAddress = balancer.AdminAddress };
        using var client = balancer.CreateClient();
        var key = $"web|{Backends[0].ConfigAddress}";
        JsonElement poll = default;
        await Wait.Until(
            async () =>
            {
                (await client.GetAsync("/")).EnsureSuccessStatusCode(); // at most one request per 20 ms wait, within the timeout
                poll = await PollAsync(admin);
                return poll.GetProperty("pools").GetProperty("web").GetProperty("series").GetProperty("requests").EnumerateArray().Any(v => v.ValueKind == JsonValueKind.Number && v.GetDouble() > 0)
                    && poll.GetProperty("pools").GetProperty("web").GetProperty("series").GetProperty("p99").EnumerateArray().Any(v => v.ValueKind == JsonValueKind.Number);
            },
            TimeSpan.FromSeconds(20),
            "a sample with requests and a p99");
        var count = poll.GetProperty("count").GetInt64();
        await Wait.Until(async () => (await PollAsync(admin)).GetProperty("count").GetInt64() > count, TimeSpan.FromSeconds(10), "another sample");

        var next = await PollAsync(admin, new { since = count, have = new[] { key } });

        Assert.Equal(poll.GetProperty("first").GetInt64(), poll.GetProperty("backends").GetProperty(key).GetProperty("first").GetInt64());
        Assert.Equal(count, next.GetProperty("first").GetInt64());
        Assert.Equal(count, next.GetProperty("backends").GetProperty(key).GetProperty("first").GetInt64());
        var samples = next.GetProperty("count").GetInt64() - count;
        Assert.Equal(samples, next.GetProperty("times").GetArrayLength());
        Assert.Equal(samples, next.GetProperty("backends").GetProperty(key).GetProperty("requests").GetArrayLength());
        Assert.Equal(samples, next.GetProperty("pools").GetProperty("web").GetProperty("series").GetProperty("inflight").GetArrayLength());
        Assert.True(next.GetProperty("listeners").GetProperty("web").GetProperty("routes")[0].GetProperty("requests").GetInt64() > 0);
    }

    [Fact]
    public async Task Poll_Events_OnlyThoseAfterTheSequenceGiven()
    {
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.SinglePoolConfig("round-robin", (Backends[0].ConfigAddress, 1)), watch: false);
        using var admin = new HttpClient { BaseAddress = balancer.AdminAddress };
        var before = await PollAsync(admin);

        (await admin.PostAsync($"/pools/web/backends/{Uri.EscapeDataString(Backends[0].ConfigAddress)}/drain", null)).EnsureSuccessStatusCode();
        var after = await PollAsync(admin, new { events = before.GetProperty("eventSequence").GetInt64() });

        var drain = after.GetProperty("events").EnumerateArray().Single();
        Assert.Equal("admin", drain.GetProperty("kind").GetString());
        Assert.Equal("drain", drain.GetProperty("action").GetString());
        Assert.Equal($"web {Backends[0].ConfigAddress}", drain.GetProperty("target").GetString());
        Assert.Equal("127.0.0.1", drain.GetProperty("client").GetString());
        Assert.Contains(before.GetProperty("events").EnumerateArray(), e => e.GetProperty("action").GetString() == "start");
    }

    [Fact]
    public async Task Poll_TcpListener_HasConnectionAndByteSeries()
    {
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.TcpConfig("round-robin", "", "", "127.0.0.1:9"), watch: false);
        using var admin = new HttpClient { BaseAddress = balancer.AdminAddress };

        await Wait.Until(async () => (await PollAsync(admin)).GetProperty("listeners").GetProperty("db").TryGetProperty("series", out _), TimeSpan.FromSeconds(10), "tcp series");
        var db = (await PollAsync(admin)).GetProperty("listeners").GetProperty("db");

        Assert.Equal("db", db.GetProperty("pool").GetString());
        foreach (var name in new[] { "connections", "active", "bytesIn", "bytesOut" })
        {
            Assert.True(db.GetProperty("series").GetProperty(name).GetArrayLength() > 0, name);
        }
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"since": -1}""")]
    [InlineData("""{"pages": {"web": {"limit": 100000}}}""")]
    public async Task Poll_BadQuery_400WithUsage(string q)
    {
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.SinglePoolConfig("round-robin", (Backends[0].ConfigAddress, 1)), watch: false);
        using var admin = new HttpClient { BaseAddress = balancer.AdminAddress };

        using var answer = await admin.GetAsync($"/console/poll?q={Uri.EscapeDataString(q)}");

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Contains("q must be JSON", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejected_TheFileWithEachErrorsLineAndColumn()
    {
        var good = TestBalancer.SinglePoolConfig("round-robin", (Backends[0].ConfigAddress, 1));
        await using var balancer = await TestBalancer.StartAsync(good, watch: false);
        using var admin = new HttpClient { BaseAddress = balancer.AdminAddress };
        var none = JsonDocument.Parse(await admin.GetStringAsync("/console/rejected")).RootElement.GetProperty("rejected").ValueKind;
        var broken = good.Replace("\"algorithm\": \"round-robin\"", "\"algorithm\": \"round-robbin\"", StringComparison.Ordinal);
        await File.WriteAllTextAsync(balancer.ConfigPath, broken);

        using var reload = await admin.PostAsync("/reload", null);
        var rejected = JsonDocument.Parse(await admin.GetStringAsync("/console/rejected")).RootElement.GetProperty("rejected");

        var line = broken.Split('\n').Select((text, i) => (text, i)).First(l => l.text.Contains("round-robbin", StringComparison.Ordinal));
        var error = rejected.GetProperty("errors").EnumerateArray().Single();
        Assert.Equal(JsonValueKind.Null, none);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reload.StatusCode);
        Assert.Equal(broken, rejected.GetProperty("text").GetString());
        Assert.Equal(line.i + 1, error.GetProperty("line").GetInt32());
        Assert.Equal(line.text.IndexOf("\"round-robbin\"", StringComparison.Ordinal) + 1, error.GetProperty("column").GetInt32());
        Assert.Equal("pools.web.algorithm", error.GetProperty("path").GetString());
        Assert.Contains("round-robbin", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
