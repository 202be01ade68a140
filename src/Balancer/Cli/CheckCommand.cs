using Balancer.Core.Configuration;

namespace Balancer.Cli;

/// <summary>What <c>balancer check</c> (or <c>-c</c>) was asked to do.</summary>
/// <param name="Path">The config file.</param>
/// <param name="Strict">Every problem with a file the config names is an error, also one that cannot be read here (the systemd unit's pre-start check, run as the service user).</param>
/// <param name="Diff">Null without <c>--diff</c>; else what to compare with: a file, an admin URL, or empty for the running instance.</param>
/// <param name="AdminUrl"><c>--admin</c>: the running instance's admin API.</param>
/// <param name="TokenFile"><c>--token-file</c>: the running instance's admin token.</param>
internal sealed record CheckRequest(string Path, bool Strict, string? Diff = null, string? AdminUrl = null, string? TokenFile = null);

/// <summary>
/// <c>balancer check</c>: validates a config and exits 0 when the balancer would start with it, 1 with one line per
/// error otherwise. Without <c>--strict</c> a file the config names that cannot be read here is only a warning (a
/// config is often checked on a workstation for another host); everything the balancer refuses, including a key or
/// token file every user may read, is an error either way.
/// </summary>
internal static class CheckCommand
{
    public static async Task<int> RunAsync(CheckRequest request, CancellationToken token)
    {
        var result = ConfigLoader.Load(request.Path, request.Strict ? ReferencedFileCheck.Require : ReferencedFileCheck.Warn);
        foreach (var error in result.Errors)
        {
            Console.Error.WriteLine(error);
        }

        if (!result.IsValid)
        {
            return 1;
        }

        var c = result.Config!;
        Console.WriteLine($"{request.Path}: valid ({c.Listeners.Count} listeners, {c.Pools.Count} pools, {c.Pools.Values.Sum(p => p.Backends.Count)} backends; sha256 {result.Hash})");
        return request.Diff is null && request.AdminUrl is null ? 0 : await CheckDiff.PrintAsync(result, request, token);
    }
}
