using System.Text.Json;
using Balancer.Tests.Common;
using Microsoft.Playwright;

namespace Balancer.Tests.Admin;

/// <summary>
/// The dashboard in headless Chromium against a real balancer: its charts move under load, a killed backend becomes a
/// DOWN event and a red series, the weight and drain controls work and are audited, and a rejected reload shows the
/// error at its line. With <c>BALANCER_SCREENSHOTS=docs</c> each state is saved as the PNG the docs show.
/// </summary>
[Collection(BrowserSession.Collection)]
public sealed class DashboardBrowserTests
{
    private static readonly LocatorAssertionsToHaveAttributeOptions Patient = new() { Timeout = 20_000 };

    private static ILocator Row(IPage page, string address) => page.Locator($"section[data-pool='web'] tr[data-backend='{address}']");

    /// <summary>Waits until the integer attribute <paramref name="name"/> of <paramref name="locator"/> passes <paramref name="test"/>.</summary>
    private static async Task<double> WaitForNumberAsync(ILocator locator, string name, Func<double, bool> test, string what)
    {
        double value = double.NaN;
        await Wait.Until(
            async () => double.TryParse(await locator.GetAttributeAsync(name), System.Globalization.CultureInfo.InvariantCulture, out value) && test(value),
            TimeSpan.FromSeconds(20),
            what);
        return value;
    }

    [ChromiumFact]
    public async Task UnderLoad_ChartsMove_AndAKilledBackendIsADownEventAndARedSeries()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var c = await TestBackend.StartAsync("c");
        var b = await TestBackend.StartAsync("b");
        // fall 1: the killed backend's first refused probe takes it down; a 1 s timeout keeps the others up on a busy machine.
        const string health = """ "health": { "probe": "tcp", "interval": "200ms", "timeout": "1s", "fall": 1 }, """;
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.PoolConfig("round-robin", health, (a.ConfigAddress, 3), (b.ConfigAddress, 1), (c.ConfigAddress, 2)));
        await using var browser = await BrowserSession.LaunchAsync();
        var page = await browser.NewPageAsync();
        await page.GotoAsync(balancer.AdminAddress.ToString());
        await Assertions.Expect(Row(page, b.ConfigAddress)).ToHaveAttributeAsync("data-state", "up", Patient);
        await Assertions.Expect(page.Locator("#announce")).ToHaveTextAsync("disabled"); // no announce block (docs/scale-out.md)
        using var client = balancer.CreateClient();
        await using var load = LoadLoop.Start(client);

        // Moving: the line of backend a gains points, and its latest rate is above zero.
        var lineA = page.Locator($"svg[data-chart='pool-requests:web'] path.line[data-series='{a.ConfigAddress}']");
        var points = await WaitForNumberAsync(lineA, "data-points", p => p >= 1, "a's line drawn");
        await WaitForNumberAsync(lineA, "data-points", p => p >= points + 3, "a's line gains three samples");
        await WaitForNumberAsync(lineA, "data-last", v => v > 0, "a's requests/s above zero");
        await WaitForNumberAsync(page.Locator("svg[data-chart='requests'] path.line[data-series='web']"), "data-last", v => v > 0, "the pool's requests/s above zero");
        await WaitForNumberAsync(page.Locator("svg[data-chart='pool-latency:web'] path.line[data-series='p99']"), "data-last", v => v > 0, "a p99");
        if (BrowserSession.Screenshots)
        {
            // For the picture only: a minute of history, with a burst in the middle.
            await Task.Delay(TimeSpan.FromSeconds(20));
            await using (LoadLoop.Start(client, connections: 12))
            {
                await Task.Delay(TimeSpan.FromSeconds(20));
            }

            await Task.Delay(TimeSpan.FromSeconds(20));
        }

        await BrowserSession.ShotAsync(page, "dashboard");

        // For the picture, traffic still flows when b dies (the test's own loop may have reached its bounds by now).
        await using var tail = BrowserSession.Screenshots ? LoadLoop.Start(client, connections: 2) : null;
        await b.DisposeAsync();

        await Assertions.Expect(Row(page, b.ConfigAddress)).ToHaveAttributeAsync("data-state", "down", Patient);
        var down = page.Locator($".event[data-kind='health'][data-result='down'][data-target='web {b.ConfigAddress}']");
        await Assertions.Expect(down.First).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Assertions.Expect(page.Locator($"svg[data-chart='pool-requests:web'] path.down[data-series='{b.ConfigAddress}']")).ToHaveCountAsync(1, new() { Timeout = 20_000 });
        await Assertions.Expect(page.Locator($"section[data-pool='web'] [data-legend='{b.ConfigAddress}']")).ToHaveClassAsync("is-down");
        await Assertions.Expect(Row(page, a.ConfigAddress)).ToHaveAttributeAsync("data-state", "up");
        if (BrowserSession.Screenshots)
        {
            // For the picture only: a few seconds of a and c taking b's share.
            await Task.Delay(TimeSpan.FromSeconds(8));
        }

        await BrowserSession.ShotAsync(page, "dashboard-backend-down", page.Locator("section[data-pool='web']"));
        await BrowserSession.ShotAsync(page, "dashboard-timeline", page.Locator("#timeline"));
    }

    [ChromiumFact]
    public async Task WeightAndDrainControls_WorkAndAreAudited_AndARejectedReloadIsMarkedAtItsLine()
    {
        const string a = "http://127.0.0.1:5001", b = "http://127.0.0.1:5002";
        var good = TestBalancer.WithAdmin(TestBalancer.PoolConfig("round-robin", """ "health": { "probe": "none" }, """, (a, 1), (b, 1)), "\"auditLog\": \"audit.log\"");
        await using var balancer = await TestBalancer.StartAsync(good);
        var audit = new AuditFile(Path.Combine(Path.GetDirectoryName(balancer.ConfigPath)!, "audit.log"));
        await using var browser = await BrowserSession.LaunchAsync();
        var page = await browser.NewPageAsync();
        await page.GotoAsync(balancer.AdminAddress.ToString());
        await Assertions.Expect(Row(page, a)).ToHaveAttributeAsync("data-state", "up", Patient);

        await Row(page, a).Locator("button[data-action='weight']").ClickAsync();
        await page.Locator("#weight-input").FillAsync("5");
        await BrowserSession.ShotAsync(page, "dashboard-weight", page.Locator("#weight-dialog"));
        await page.Locator("#weight-set").ClickAsync();
        await Row(page, b).Locator("button[data-action='drain']").ClickAsync();

        await Assertions.Expect(Row(page, a)).ToHaveAttributeAsync("data-override", "5", Patient);
        await Assertions.Expect(Row(page, a).Locator(".badge.override")).ToHaveTextAsync("runtime");
        await Assertions.Expect(Row(page, b)).ToHaveAttributeAsync("data-state", "drained", Patient);
        Assert.Equal(5, (await balancer.BackendStatusAsync("web", a)).GetProperty("weightOverride").GetInt32());
        var weight = await audit.WaitForAsync("weight");
        var drain = await audit.WaitForAsync("drain");
        Assert.Equal("weight 1 → 5 (runtime; configured 1)", weight.GetProperty("detail").GetString());
        Assert.Equal($"web {b}", drain.GetProperty("target").GetString());
        Assert.All(new[] { weight, drain }, l => Assert.Equal("127.0.0.1", l.GetProperty("client").GetString()));
        var shown = page.Locator(".event[data-kind='admin'][data-action='weight'] .actor");
        await Assertions.Expect(shown).ToContainTextAsync("admin API from 127.0.0.1");
        await Assertions.Expect(shown).ToContainTextAsync("audited");

        // A typo in the file: the reload is refused, and the config panel marks the line and column.
        var broken = good.Replace("\"probe\": \"none\"", "\"probe\": \"nope\"", StringComparison.Ordinal);
        var lineNumber = broken.Split('\n').ToList().FindIndex(l => l.Contains("\"nope\"", StringComparison.Ordinal)) + 1;
        await File.WriteAllTextAsync(balancer.ConfigPath, broken);

        var marker = page.Locator($"[data-rejected] [data-config-error-line='{lineNumber}']");
        await Assertions.Expect(marker).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Assertions.Expect(marker).ToContainTextAsync("pools.web.health.probe");
        await Assertions.Expect(marker).ToContainTextAsync("nope");
        await Assertions.Expect(page.Locator($"[data-rejected] .code-line.error[data-line='{lineNumber}']")).ToContainTextAsync("\"nope\"");
        await Assertions.Expect(page.Locator("#reload")).ToContainTextAsync("rejected");
        await Assertions.Expect(page.Locator(".event[data-kind='reload'][data-result='rejected']").First).ToBeVisibleAsync();
        var column = int.Parse(await marker.GetAttributeAsync("data-column") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(broken.Split('\n')[lineNumber - 1].IndexOf("\"nope\"", StringComparison.Ordinal) + 1, column);
        await page.Locator("#config").ScrollIntoViewIfNeededAsync();
        await BrowserSession.ShotAsync(page, "dashboard-rejected-reload", page.Locator("#config"));
        await BrowserSession.ShotAsync(page, "dashboard-controls", page.Locator("section[data-pool='web']"));
        Assert.Contains(audit.Lines, l => l.GetProperty("action").GetString() == "reload" && l.GetProperty("result").GetString() == "rejected");
        Assert.Equal(JsonValueKind.Null, audit.Lines[0].GetProperty("client").ValueKind);
    }

    [ChromiumFact]
    public async Task Dashboard_ShowsEachListenersRoutes_MatchToAction_WithSplitShares()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var balancer = await TestBalancer.StartAsync($$"""
            { "listeners": { "web": { "bind": "127.0.0.1:0", "routes": [
                { "path": "/down", "respond": { "status": 503, "body": "down\n" } },
                { "headers": [ { "name": "X-Canary", "mode": "exists" } ], "pools": [ { "pool": "a", "weight": 90 }, { "pool": "b", "weight": 10 } ] },
                { "pool": "a" } ] } },
              "pools": { "a": { "backends": [ { "address": "{{a.ConfigAddress}}" } ] }, "b": { "backends": [ { "address": "{{a.ConfigAddress}}" } ] } },
              "admin": { "bind": "127.0.0.1:0" } }
            """);
        using var client = balancer.CreateClient();
        using var canary = new HttpRequestMessage(HttpMethod.Get, "/x");
        canary.Headers.Add("X-Canary", "1");
        (await client.SendAsync(canary)).Dispose();
        await using var browser = await BrowserSession.LaunchAsync();
        var page = await browser.NewPageAsync();

        await page.GotoAsync(balancer.AdminAddress.ToString());

        var routes = page.Locator("#routes-body tr[data-route^='web/']");
        await Assertions.Expect(routes).ToHaveCountAsync(3, new() { Timeout = 20_000 });
        await Assertions.Expect(routes.Nth(0)).ToContainTextAsync("path /down");
        await Assertions.Expect(routes.Nth(0)).ToContainTextAsync("respond 503");
        await Assertions.Expect(routes.Nth(1)).ToContainTextAsync("header X-Canary exists");
        await Assertions.Expect(routes.Nth(1)).ToContainTextAsync("split a 90, b 10");
        await Assertions.Expect(routes.Nth(2)).ToContainTextAsync("pool a");
    }
}
