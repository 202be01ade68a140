using System.Net.Http.Headers;
using Balancer.Core.Configuration;
using Balancer.Core.Reload;

namespace Balancer.Cli;

/// <summary>
/// <c>balancer check --diff</c>: what a reload of the checked file would change, against another
/// file or against what a running instance serves (its admin API's <c>GET /config</c>).
/// </summary>
internal static class CheckDiff
{
    public static async Task<int> PrintAsync(ConfigLoadResult next, string against, CancellationToken token)
    {
        var config = next.Config!;
        var source = against.Length > 0 ? against : $"http://{config.Admin.Bind.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal)}";
        string text;
        try
        {
            text = source.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || source.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
                ? await FetchRunningAsync(source, config.Admin.TokenFile is { } tokenFile ? next.ResolveFile(tokenFile) : null, token)
                : await File.ReadAllTextAsync(source, token);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or HttpRequestException or TaskCanceledException)
        {
            Console.Error.WriteLine($"balancer: cannot read the config to compare with from {source}: {e.Message}");
            return 1;
        }

        var running = ConfigLoader.Parse(text, source);
        if (!running.IsValid)
        {
            Console.Error.WriteLine($"balancer: the config at {source} is not valid, so there is nothing to compare with:");
            foreach (var error in running.Errors.Where(e => e.IsError))
            {
                Console.Error.WriteLine(error);
            }

            return 1;
        }

        var changes = ConfigDiff.Compute(running.Config!, config);
        Console.WriteLine(changes.Count == 0 ? $"no changes against {source}" : $"a reload would change, against {source}:");
        foreach (var change in changes)
        {
            Console.WriteLine($"  {change}");
        }

        return 0;
    }

    private static async Task<string> FetchRunningAsync(string adminUrl, string? tokenFile, CancellationToken token)
    {
        using var client = new HttpClient { BaseAddress = new Uri(adminUrl.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(10) };
        if (tokenFile is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(tokenFile, token)).Trim());
        }

        using var response = await client.GetAsync("config", token);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync(token);
    }
}
