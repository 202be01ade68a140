namespace Balancer.Core.Configuration;

/// <summary>The VRRP-like peer protocol that floats the virtual IPs between two nodes.</summary>
public sealed record FailoverConfig
{
    /// <summary>This node's name, unique within the pair.</summary>
    public string NodeId { get; init; } = "";

    /// <summary>1–254; the higher wins mastership. Default 100.</summary>
    public int Priority { get; init; } = 100;

    /// <summary>Whether a higher-priority node takes over from a lower-priority master. Default true.</summary>
    public bool Preempt { get; init; } = true;

    /// <summary>UDP address the adverts are received on. Default <c>0.0.0.0:7946</c>.</summary>
    public string Bind { get; init; } = "0.0.0.0:7946";

    /// <summary>Peers' advert addresses (<c>ip:port</c>).</summary>
    public IReadOnlyList<string> Peers { get; init; } = [];

    /// <summary>Time between adverts of the master. Default 1 s.</summary>
    public TimeSpan AdvertInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>File holding the peers' shared HMAC key.</summary>
    public string KeyFile { get; init; } = "";

    /// <summary>Virtual IPs with prefix length, e.g. <c>198.18.0.100/24</c>.</summary>
    public IReadOnlyList<string> VirtualIps { get; init; } = [];

    /// <summary>Network interface the virtual IPs are added to.</summary>
    public string? Interface { get; init; }
}
