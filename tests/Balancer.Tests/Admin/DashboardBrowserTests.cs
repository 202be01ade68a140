using Balancer.Tests.Common;
using Microsoft.Playwright;

namespace Balancer.Tests.Admin;

public sealed class DashboardBrowserTests
{
    [ChromiumFact]
    public async Task Dashboard_InHeadlessChromium_ShowsBackendsAndReflectsOneGoingDown()
    {
        await using var a = await TestBackend.StartAsync("a");
        var b = await TestBackend.StartAsync("b");
        var bAddress = b.ConfigAddress;
        const string health = """ "health": { "probe": "tcp", "interval": "200ms", "timeout": "200ms", "fall": 1 }, """;
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.PoolConfig("least-connections", health, (a.ConfigAddress, 1), (bAddress, 1)));
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumFactAttribute.ExecutablePath,
            Headless = true,
            // No sandbox as root in CI; no background networking: this machine has no internet.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 720 } });

        await page.GotoAsync(balancer.AdminAddress.ToString());
        var rowA = page.Locator($"tr[data-backend='{a.ConfigAddress}']");
        var rowB = page.Locator($"tr[data-backend='{bAddress}']");
        await Assertions.Expect(rowA).ToHaveAttributeAsync("data-state", "up", new() { Timeout = 20_000 });
        await Assertions.Expect(rowB).ToHaveAttributeAsync("data-state", "up", new() { Timeout = 20_000 });
        await Assertions.Expect(page.Locator("section[data-pool='web'] h2")).ToContainTextAsync("least-connections");
        if (Environment.GetEnvironmentVariable("BALANCER_SCREENSHOT") is { Length: > 0 } shot)
        {
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = shot, FullPage = true });
        }

        await b.DisposeAsync();

        await Assertions.Expect(rowB).ToHaveAttributeAsync("data-state", "down", new() { Timeout = 20_000 });
        await Assertions.Expect(rowB).ToContainTextAsync("connection refused");
        await Assertions.Expect(rowA).ToHaveAttributeAsync("data-state", "up");

        // The drain button works from the page.
        await rowA.Locator("button[data-action='drain']").ClickAsync();
        await Assertions.Expect(rowA).ToHaveAttributeAsync("data-state", "drained", new() { Timeout = 20_000 });
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
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumFactAttribute.ExecutablePath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var page = await browser.NewPageAsync();

        await page.GotoAsync(balancer.AdminAddress.ToString());

        var routes = page.Locator("section[data-listener='web'] tr[data-route]");
        await Assertions.Expect(routes).ToHaveCountAsync(3, new() { Timeout = 20_000 });
        await Assertions.Expect(routes.Nth(0)).ToContainTextAsync("path /down");
        await Assertions.Expect(routes.Nth(0)).ToContainTextAsync("respond 503");
        await Assertions.Expect(routes.Nth(1)).ToContainTextAsync("header X-Canary exists");
        await Assertions.Expect(routes.Nth(1)).ToContainTextAsync("split a 90, b 10");
        await Assertions.Expect(routes.Nth(2)).ToContainTextAsync("pool a");
    }
}
