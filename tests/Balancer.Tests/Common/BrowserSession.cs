using Microsoft.Playwright;

namespace Balancer.Tests.Common;

/// <summary>
/// Debian's Chromium driven by Playwright (no browser download): headless, no sandbox (CI runs as root), no
/// background networking. <see cref="ShotAsync"/> saves a screenshot when <c>BALANCER_SCREENSHOTS</c> names a folder
/// (how docs/*.png are made), and does nothing otherwise.
/// </summary>
public sealed class BrowserSession : IAsyncDisposable
{
    /// <summary>
    /// The browser tests' collection: one Chromium at a time, so the failover pair's adverts never compete with the
    /// other test's load loop and browser for the two cores (they run in parallel with the rest of the suite).
    /// </summary>
    public const string Collection = "Browser";

    private readonly IPlaywright _playwright;

    private BrowserSession(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    /// <summary>True when <c>BALANCER_SCREENSHOTS</c> asks for screenshots (then tests may let a scene run longer, for the picture).</summary>
    public static bool Screenshots => Environment.GetEnvironmentVariable("BALANCER_SCREENSHOTS") is { Length: > 0 };

    /// <summary>Launches Chromium, through <paramref name="executable"/> when given (a wrapper that runs it in a network namespace).</summary>
    public static async Task<BrowserSession> LaunchAsync(string? executable = null)
    {
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = executable ?? ChromiumFactAttribute.ExecutablePath,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
            });
            return new BrowserSession(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>A page 1400 px wide, sending <paramref name="token"/> as the admin bearer token when given.</summary>
    public Task<IPage> NewPageAsync(string? token = null) => Browser.NewPageAsync(new BrowserNewPageOptions
    {
        ViewportSize = new ViewportSize { Width = 1400, Height = 900 },
        ExtraHTTPHeaders = token is null ? null : new Dictionary<string, string> { ["Authorization"] = $"Bearer {token}" },
    });

    /// <summary>Saves <paramref name="name"/>.png of <paramref name="element"/> (or the whole page) into <c>$BALANCER_SCREENSHOTS</c>, when set.</summary>
    public static async Task ShotAsync(IPage page, string name, ILocator? element = null)
    {
        if (Environment.GetEnvironmentVariable("BALANCER_SCREENSHOTS") is not { Length: > 0 } folder)
        {
            return;
        }

        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"{name}.png");
        if (element is null)
        {
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        }
        else
        {
            await element.ScreenshotAsync(new LocatorScreenshotOptions { Path = path });
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}
