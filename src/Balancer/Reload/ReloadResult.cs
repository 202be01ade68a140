using Balancer.Core.Reload;

namespace Balancer.Reload;

/// <summary>What started a reload.</summary>
internal enum ReloadTrigger
{
    /// <summary>The config file changed on disk.</summary>
    FileChange,

    /// <summary>SIGHUP.</summary>
    Signal,

    /// <summary><c>POST /reload</c> on the admin API.</summary>
    AdminApi,
}

/// <summary>The outcome of one reload: applied with its changes, or rejected with its errors (and nothing changed).</summary>
internal sealed record ReloadResult(bool Applied, string Hash, IReadOnlyList<ConfigChange> Changes, IReadOnlyList<string> Errors)
{
    public static ReloadResult Rejected(string hash, IReadOnlyList<string> errors) => new(false, hash, [], errors);
}

/// <summary>Reloads the running config on request (admin API, signals, file watcher).</summary>
internal interface IConfigReloader
{
    Task<ReloadResult> ReloadAsync(ReloadTrigger trigger);
}
