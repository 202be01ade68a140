using Balancer.Core.Failover;
using Balancer.Telemetry;

namespace Balancer.Failover;

/// <summary>
/// Logs rejected datagrams with their counts, at most one line per reason every 10 s, so that a flood of forged or
/// replayed datagrams shows in the log as a few lines with figures, never as one line per datagram. It costs one
/// comparison per datagram: the machine's running total is looked at closer at most once a second.
/// </summary>
internal sealed class RejectLogLimiter(TimeProvider time, ILogger logger)
{
    private static readonly TimeSpan _window = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan _checkEvery = TimeSpan.FromSeconds(1);
    private readonly Dictionary<string, (long Count, long At)> _logged = new(StringComparer.Ordinal);
    private long _seenTotal;
    private bool _pending;
    private long? _checkedAt;

    /// <summary>
    /// Called after every datagram and from the loop's timers; logs the reasons that are due. A reason seen for the
    /// first time is logged within a second; after that, what came since its last line, once its 10 s have passed.
    /// </summary>
    public void Check(FailoverMachine machine)
    {
        var total = machine.RejectedTotal;
        if (total == _seenTotal && !_pending)
        {
            return; // nothing new, nothing held back: the cost of every datagram
        }

        var now = time.GetTimestamp();
        if (_checkedAt is { } last && time.GetElapsedTime(last, now) < _checkEvery)
        {
            return;
        }

        (_checkedAt, _seenTotal, _pending) = (now, total, false);
        var snapshot = machine.GetSnapshot();
        foreach (var (reason, count) in snapshot.RejectedPackets)
        {
            var seen = _logged.TryGetValue(reason, out var logged);
            if (count == logged.Count)
            {
                continue;
            }

            if (seen && time.GetElapsedTime(logged.At, now) < _window)
            {
                _pending = true; // logged when its window has passed, even if nothing more comes
                continue;
            }

            _logged[reason] = (count, now);
            Log.FailoverPacketRejected(logger, count - logged.Count, reason, snapshot.RejectedLastFrom.GetValueOrDefault(reason, "?"), count, Hint(reason, snapshot));
        }
    }

    /// <summary>What an operator should make of each reason.</summary>
    private static string Hint(string reason, FailoverSnapshot snapshot) => reason switch
    {
        nameof(DecodeError.BadVersion) => $"the peer speaks failover protocol version {snapshot.PeerProtocolVersion}, this node {AdvertCodec.Version}: run the same release on both nodes (version 3 names each advert's group, failover.groups; during an upgrade each node keeps its role until the peer speaks its version, docs/failover.md)",
        nameof(DecodeError.UnknownKey) => "signed with a key not in this node's key file: a rotation step done on one node only, or forged",
        nameof(DecodeError.BadMac) => "the MAC does not verify: corrupted or forged",
        nameof(PeerCheck.UnknownPeer) => "not from an address in failover.peers",
        nameof(PeerCheck.Replayed) => "an advert already seen, or older: a replay",
        nameof(PeerCheck.Unproven) => "its session has not echoed this node's epoch and its send time is beyond maxClockSkew: a replayed recording, or a peer that cannot hear us while the clocks disagree (check UDP both ways and NTP)",
        nameof(PeerCheck.UnknownGroup) => "an advert for a group this node does not run: the two nodes' failover.groups differ (names must match; the single-group form is the group 'default')",
        nameof(PeerCheck.OwnNodeId) => "carries this node's own id: a loop, or two nodes with one nodeId",
        _ => "malformed: not a Balancer advert",
    };
}
