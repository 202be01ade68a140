using Balancer.Core.Configuration;
using Balancer.Core.Failover;

namespace Balancer.Failover;

/// <summary>
/// Runs <c>failover.notify</c> executables on entering a state, like keepalived's notify_master/notify_backup/notify_fault:
/// no shell, arguments <c>&lt;state&gt; &lt;vip1,vip2,...&gt; &lt;group&gt;</c>, environment BALANCER_STATE, BALANCER_VIPS
/// and BALANCER_GROUP (<c>default</c> in the single-group form), 10 s timeout. Each group of <c>failover.groups</c> runs
/// its own hooks for its own state changes (#23).
/// </summary>
internal sealed class NotifyHooks(FailoverNotifyConfig? notify, IReadOnlyList<string> virtualIps, CommandRunner runner, string group = FailoverConfig.DefaultGroup)
{
    private static readonly TimeSpan _timeout = TimeSpan.FromSeconds(10);

    /// <summary>Runs the hook for <paramref name="state"/>, if one is configured; INIT has none.</summary>
    public Task RunAsync(FailoverState state)
    {
        var file = state switch
        {
            FailoverState.Master => notify?.OnMaster,
            FailoverState.Backup => notify?.OnBackup,
            FailoverState.Fault => notify?.OnFault,
            _ => null,
        };
        if (file is null)
        {
            return Task.CompletedTask;
        }

        var name = Name(state);
        var vips = string.Join(',', virtualIps);
        return runner.RunAsync(file, [name, vips, group], _timeout,
            new Dictionary<string, string> { ["BALANCER_STATE"] = name, ["BALANCER_VIPS"] = vips, ["BALANCER_GROUP"] = group });
    }

    /// <summary>The state as /status and the hooks write it.</summary>
    public static string Name(FailoverState state) => state.ToString().ToLowerInvariant();
}
