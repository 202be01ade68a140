namespace Balancer.Core.Failover;

/// <summary>What this node knows of its peer from the adverts it accepted: who, when, and which config it runs.</summary>
internal sealed class PeerRecord
{
    /// <summary>Node id of the last accepted advert, or null.</summary>
    public string? NodeId { get; private set; }

    /// <summary>The state the peer's last accepted advert carried (a backup advertises too), or null.</summary>
    public FailoverState? State { get; private set; }

    /// <summary>The priority the peer's last accepted advert carried, or null.</summary>
    public byte? Priority { get; private set; }

    /// <summary>The sequence number of the peer's last accepted advert: with <see cref="FailoverSnapshot.AdvertsAccepted"/>, how many it sent that we missed.</summary>
    public ulong? Sequence { get; private set; }

    /// <summary>The key id the peer's last accepted advert was signed with, or null.</summary>
    public uint? KeyId { get; private set; }

    /// <summary>When the last advert was accepted, or null.</summary>
    public DateTimeOffset? LastAdvertAt { get; private set; }

    /// <summary>The config hash of the last accepted advert, or null.</summary>
    public UInt128? ConfigHash { get; private set; }

    /// <summary>True when the peer's last config hash differs from <paramref name="ours"/>.</summary>
    public bool DriftsFrom(UInt128 ours) => ConfigHash is { } theirs && theirs != ours;

    /// <summary>
    /// Records an accepted advert; returns the action that logs a change of drift (it begins, the peer's hash changes
    /// again while drifting, or it ends), or null when there is none.
    /// </summary>
    public FailoverAction.ConfigDriftChanged? Saw(in AdvertPacket packet, uint keyId, DateTimeOffset at, UInt128 ours)
    {
        (KeyId, Sequence) = (keyId, packet.Sequence);
        var wasDrift = DriftsFrom(ours);
        var changed = ConfigHash != packet.ConfigHash;
        (NodeId, State, Priority, LastAdvertAt, ConfigHash) = (packet.NodeId, packet.State, packet.Priority, at, packet.ConfigHash);
        var isDrift = DriftsFrom(ours);
        return isDrift != wasDrift || (isDrift && changed) ? new FailoverAction.ConfigDriftChanged(isDrift, packet.NodeId, packet.ConfigHash) : null;
    }
}
