namespace Balancer.Core.Configuration;

/// <summary>The whole user config file (v1): listeners, pools, failover, announce and admin.</summary>
public sealed record BalancerConfig
{
    /// <summary>Listeners by name; each is an HTTP or TCP front end.</summary>
    public IReadOnlyDictionary<string, ListenerConfig> Listeners { get; init; } = new Dictionary<string, ListenerConfig>();

    /// <summary>Pools of backends by name.</summary>
    public IReadOnlyDictionary<string, PoolConfig> Pools { get; init; } = new Dictionary<string, PoolConfig>();

    /// <summary>The active/standby peer protocol; null when this node runs alone.</summary>
    public FailoverConfig? Failover { get; init; }

    /// <summary>The virtual IPs announced for an ECMP router while the node is healthy; null when the node announces nothing.</summary>
    public AnnounceConfig? Announce { get; init; }

    /// <summary>Traces, OTLP export and access log; defaults apply when the block is absent.</summary>
    public TelemetryConfig Telemetry { get; init; } = new();

    /// <summary>The admin API; defaults to 127.0.0.1:9901 when the block is absent.</summary>
    public AdminConfig Admin { get; init; } = new();
}
