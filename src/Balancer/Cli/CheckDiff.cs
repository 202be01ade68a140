using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Balancer.Admin;
using Balancer.Core.Configuration;
using Balancer.Core.Reload;

namespace Balancer.Cli;

/// <summary>
/// <c>balancer check --diff</c>: what a reload of the checked file would change, against another file or against what
/// a running instance serves (its admin API's <c>GET /config</c>). The running instance is, in order: <c>--admin URL</c>
/// (or a URL given to <c>--diff</c>), the one published in the runtime directory (<see cref="RunningInstance"/>), else
/// the checked file's own <c>admin.bind</c>. The token likewise: <c>--token-file</c>, the running instance's
/// <c>admin.tokenFile</c>, the checked file's.
/// </summary>
internal static class CheckDiff
{
    public static async Task<int> PrintAsync(ConfigLoadResult next, CheckRequest request, CancellationToken token)
    {
        var against = request.Diff is { Length: > 0 } d && !IsUrl(d) ? d : null;
        string text;
        string source;
        if (against is not null)
        {
            source = against;
            try
            {
                text = await File.ReadAllTextAsync(against, token);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"balancer: cannot read {against} to compare with: {e.Message}");
                return 1;
            }
        }
        else
        {
            var (url, tokenFile, how) = Locate(next, request);
            source = $"the running instance at {url}";
            var fetched = await FetchRunningAsync(url, tokenFile, how, token);
            if (fetched is null)
            {
                return 1;
            }

            text = fetched;
        }

        var running = ConfigLoader.Parse(text, source);
        if (!running.IsValid)
        {
            Console.Error.WriteLine($"balancer: the config of {source} is not valid, so there is nothing to compare with:");
            foreach (var error in running.Errors.Where(e => e.IsError))
            {
                Console.Error.WriteLine(error);
            }

            return 1;
        }

        Print(ConfigDiff.Compute(running.Config!, next.Config!), source);
        return 0;
    }

    private static void Print(IReadOnlyList<ConfigChange> changes, string source)
    {
        var refused = changes.Count(c => c.RestartNeeded);
        Console.WriteLine(changes.Count == 0 ? $"no changes against {source}"
            : refused == 0 ? $"a reload would change, against {source}:"
            : $"a reload would be refused, against {source}: {(refused == 1 ? "1 of these changes needs" : $"{refused} of these changes need")} a restart (a reload applies all or nothing):");
        foreach (var change in changes)
        {
            Console.WriteLine($"  {change}");
        }
    }

    private static bool IsUrl(string text) =>
        text.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    /// <summary>The admin URL and token file to use, and how they were found (for messages).</summary>
    private static (string Url, string? TokenFile, string How) Locate(ConfigLoadResult next, CheckRequest request)
    {
        var published = RunningInstance.Find();
        var explicitUrl = request.AdminUrl ?? (request.Diff is { Length: > 0 } d && IsUrl(d) ? d : null);
        var ownToken = next.Config!.Admin.TokenFile is { } own ? next.ResolveFile(own) : null;
        if (explicitUrl is not null)
        {
            // --admin 127.0.0.1:9901, as admin.bind spells it, is meant as http://.
            explicitUrl = IsUrl(explicitUrl) ? explicitUrl : $"http://{explicitUrl}";
            return (explicitUrl, request.TokenFile ?? published?.Instance.TokenFile ?? ownToken, "as given");
        }

        if (published is { } found)
        {
            return (found.Instance.Admin, request.TokenFile ?? found.Instance.TokenFile, $"the instance of {found.Instance.Config}, pid {found.Instance.Pid}, from {found.Path}");
        }

        var bind = next.Config.Admin.Bind.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "[::1]", StringComparison.Ordinal);
        return ($"http://{bind}/", request.TokenFile ?? ownToken, $"admin.bind of {next.FileName}; no running instance is published in {RunningInstance.Location}");
    }

    /// <summary>The running config, or null after saying on stderr, in the operator's words, why it could not be had.</summary>
    private static async Task<string?> FetchRunningAsync(string url, string? tokenFile, string how, CancellationToken token)
    {
        var hint = "name the running instance with --admin URL (and --token-file FILE), or compare with a file: --diff FILE";
        using var client = new HttpClient { BaseAddress = new Uri(url.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(10) };
        if (tokenFile is not null)
        {
            try
            {
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(tokenFile, token)).Trim());
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                var why = e is UnauthorizedAccessException ? "permission denied (run check as a user who may read it, e.g. with sudo)" : e.Message;
                Console.Error.WriteLine($"balancer: cannot read the admin token file {tokenFile}: {why}");
                return null;
            }
        }

        try
        {
            using var response = await client.GetAsync("config", token);
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                Console.Error.WriteLine(tokenFile is null
                    ? $"balancer: the admin API at {url} needs its token (admin.tokenFile): pass --token-file FILE"
                    : $"balancer: the admin API at {url} refused the token in {tokenFile} (401): pass the running instance's with --token-file FILE");
                return null;
            }

            if (!response.IsSuccessStatusCode)
            {
                Console.Error.WriteLine($"balancer: the admin API at {url} answered GET /config with {(int)response.StatusCode} {response.ReasonPhrase}: {await response.Content.ReadAsStringAsync(token)}");
                return null;
            }

            return await response.Content.ReadAsStringAsync(token);
        }
        catch (HttpRequestException e)
        {
            var why = e.InnerException is SocketException s ? s.Message : e.Message;
            Console.Error.WriteLine($"balancer: no admin API answers at {url} ({how}): {why}; {hint}");
            return null;
        }
        catch (TaskCanceledException) when (!token.IsCancellationRequested)
        {
            Console.Error.WriteLine($"balancer: the admin API at {url} ({how}) did not answer within 10 s; {hint}");
            return null;
        }
    }
}
