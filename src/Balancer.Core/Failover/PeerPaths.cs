using System.Net;

namespace Balancer.Core.Failover;

/// <summary>
/// Watches the heartbeat paths to the peer (its addresses in <c>failover.peers</c>, #23): when each last brought an
/// authentic advert. A path that stays silent for a whole window (Master_Down_Interval) while another still brings
/// adverts is a failed port or cable: a warning, never a failover — the Master_Down_Timer hears every path. When no path
/// brings anything the peer itself is silent, which is the state machine's business, and nothing is said here.
/// </summary>
/// <remarks>
/// Pure and clock-free: the caller passes the time of each advert and of each check, so a check that runs early, late or
/// twice decides the same (each path's state changes at most once per crossing of the window).
/// </remarks>
internal sealed class PeerPaths
{
    private readonly IPAddress[] _addresses;
    private readonly TimeSpan?[] _lastHeard;
    private readonly bool[] _silent;
    private TimeSpan? _firstHeard;

    public PeerPaths(IEnumerable<IPAddress> addresses)
    {
        _addresses = [.. addresses.Select(Normalize).Distinct()];
        _lastHeard = new TimeSpan?[_addresses.Length];
        _silent = new bool[_addresses.Length];
    }

    /// <summary>The peer's addresses, one per path, in config order.</summary>
    public IReadOnlyList<IPAddress> Addresses => _addresses;

    /// <summary>When path <paramref name="index"/> last brought an advert, or null.</summary>
    public TimeSpan? LastHeard(int index) => _lastHeard[index];

    /// <summary>Whether path <paramref name="index"/> is reported silent now.</summary>
    public bool IsSilent(int index) => _silent[index];

    /// <summary>Records an authentic advert (or its copy by another path) from <paramref name="source"/> at <paramref name="now"/>.</summary>
    public void Heard(IPAddress source, TimeSpan now)
    {
        var index = Array.IndexOf(_addresses, Normalize(source));
        if (index >= 0)
        {
            _lastHeard[index] = now;
            _firstHeard ??= now;
        }
    }

    /// <summary>
    /// The paths whose state changed at <paramref name="now"/>: silent (nothing for <paramref name="window"/> while
    /// another path brought an advert within it; a path never heard counts from the first advert on any path) or
    /// working again (it brought an advert).
    /// </summary>
    public IReadOnlyList<PathChange> Check(TimeSpan now, TimeSpan window)
    {
        var changes = new List<PathChange>();
        var anyAlive = _lastHeard.Any(t => t is { } at && now - at < window);
        for (var i = 0; i < _addresses.Length; i++)
        {
            var since = _lastHeard[i] ?? _firstHeard;
            var alive = _lastHeard[i] is { } at && now - at < window;
            if (!_silent[i] && anyAlive && !alive && since is { } from && now - from >= window)
            {
                _silent[i] = true;
                changes.Add(new PathChange(_addresses[i], Silent: true, now - from));
            }
            else if (_silent[i] && alive)
            {
                _silent[i] = false;
                changes.Add(new PathChange(_addresses[i], Silent: false, TimeSpan.Zero));
            }
        }

        return changes;
    }

    // A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d.
    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>A path that went silent (for <paramref name="SilentFor"/> so far) or works again.</summary>
    public readonly record struct PathChange(IPAddress Address, bool Silent, TimeSpan SilentFor);
}
