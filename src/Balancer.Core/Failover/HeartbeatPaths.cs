using System.Net;

namespace Balancer.Core.Failover;

/// <summary>
/// Every configured peer's heartbeat paths (#23), one <see cref="PeerPaths"/> per entry of <c>failover.peers</c>: fed
/// each authentic advert and each copy of it that another path brought, checked on every tick and advert. A path that
/// falls silent while another of the same peer still works is reported once, as a warning; the state machine never
/// sees paths at all — any path's advert restarts its Master_Down_Timer, so only silence on all of them is a failover.
/// </summary>
internal sealed class HeartbeatPaths
{
    private readonly (string? NodeId, PeerPaths Paths)[] _peers;

    public HeartbeatPaths(FailoverOptions options)
    {
        var groups = options.PeerPaths.Count > 0 ? options.PeerPaths : [.. options.Peers.Select(p => new PeerPathsOptions(null, [p]))];
        _peers = [.. groups.Select(g => (g.NodeId, new PeerPaths(g.Addresses.Select(a => FailoverOptions.ParsePeerAddress(a)!))))];
    }

    /// <summary>An advert, or its copy, authentic and in order, from <paramref name="source"/> at <paramref name="now"/>.</summary>
    public void Heard(IPAddress source, TimeSpan now)
    {
        foreach (var (_, paths) in _peers)
        {
            paths.Heard(source, now);
        }
    }

    /// <summary>Appends to <paramref name="actions"/> a <see cref="FailoverAction.PathChanged"/> for each path whose state changed at <paramref name="now"/>.</summary>
    public void Check(TimeSpan now, TimeSpan window, List<FailoverAction> actions)
    {
        foreach (var (nodeId, paths) in _peers)
        {
            if (paths.Addresses.Count < 2)
            {
                continue; // one path: its silence is the peer's, and the state machine's business
            }

            foreach (var change in paths.Check(now, window))
            {
                var working = Enumerable.Range(0, paths.Addresses.Count).Count(i => !paths.IsSilent(i));
                actions.Add(new FailoverAction.PathChanged(nodeId, change.Address, change.Silent, change.SilentFor, working, paths.Addresses.Count));
            }
        }
    }

    /// <summary>Each path's state for <c>/status</c> and metrics; <paramref name="now"/> and <paramref name="utcNow"/> are the same instant.</summary>
    public IReadOnlyList<HeartbeatPathStatus> Snapshot(TimeSpan now, DateTimeOffset utcNow)
    {
        var paths = new List<HeartbeatPathStatus>();
        foreach (var (nodeId, peer) in _peers)
        {
            for (var i = 0; i < peer.Addresses.Count; i++)
            {
                var at = peer.LastHeard(i) is { } heard ? utcNow - (now - heard) : (DateTimeOffset?)null;
                paths.Add(new HeartbeatPathStatus(nodeId, peer.Addresses[i].ToString(), at, peer.IsSilent(i)));
            }
        }

        return paths;
    }
}

/// <summary>One peer's heartbeat paths as configured: its node id (null for the string form) and its addresses.</summary>
public sealed record PeerPathsOptions(string? NodeId, IReadOnlyList<string> Addresses);

/// <summary>One heartbeat path to a peer, for <c>/status</c> and metrics.</summary>
/// <param name="PeerNodeId">The peer's configured node id, or null for the string form.</param>
/// <param name="Address">The peer's address on this path.</param>
/// <param name="LastAdvertAt">When an authentic advert last came by this path, or null.</param>
/// <param name="Silent">True while this path is silent and another of the same peer brings adverts: a failed port or cable.</param>
public sealed record HeartbeatPathStatus(string? PeerNodeId, string Address, DateTimeOffset? LastAdvertAt, bool Silent);
