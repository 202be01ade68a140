namespace Balancer.Core.Configuration;

/// <summary>
/// <c>failover.notify</c>: executables run (no shell) on entering a state, with the arguments
/// <c>&lt;state&gt; &lt;vip1,vip2,...&gt;</c> and the environment BALANCER_STATE and BALANCER_VIPS (keepalived's notify_master and friends).
/// </summary>
public sealed record FailoverNotifyConfig
{
    /// <summary>Run on becoming master.</summary>
    public string? OnMaster { get; init; }

    /// <summary>Run on becoming backup.</summary>
    public string? OnBackup { get; init; }

    /// <summary>Run on entering FAULT.</summary>
    public string? OnFault { get; init; }
}
