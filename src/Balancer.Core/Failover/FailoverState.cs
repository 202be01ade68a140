namespace Balancer.Core.Failover;

/// <summary>The states of one node of the pair (RFC 5798 §6.4, plus keepalived's FAULT).</summary>
/// <remarks>The numeric values are the state byte of an advert (see <see cref="AdvertCodec"/>).</remarks>
public enum FailoverState : byte
{
    /// <summary>Not started, or shut down (RFC 5798 §6.4.1): owns nothing, says nothing.</summary>
    Init = 0,

    /// <summary>Watching the master's adverts, ready to take over (RFC 5798 §6.4.2).</summary>
    Backup = 1,

    /// <summary>Owns the virtual IPs and advertises (RFC 5798 §6.4.3).</summary>
    Master = 2,

    /// <summary>A tracked check failed and the node is configured to step out: owns nothing, never takes over.</summary>
    Fault = 3,
}
