using Balancer.Core.Reload;

namespace Balancer.Reload;

/// <summary>The outcome of one reload: applied with its changes, or rejected with its errors (and nothing changed).</summary>
internal sealed record ReloadResult(bool Applied, string Hash, IReadOnlyList<ConfigChange> Changes, IReadOnlyList<string> Errors)
{
    public static ReloadResult Rejected(string hash, IReadOnlyList<string> errors) => new(false, hash, [], errors);
}
