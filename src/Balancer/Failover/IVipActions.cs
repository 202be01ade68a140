namespace Balancer.Failover;

/// <summary>What a node does to the virtual IPs; the real one runs iproute2 and arping, tests use a fake.</summary>
internal interface IVipActions
{
    /// <summary>Adds every virtual IP to the interface.</summary>
    Task AddAsync();

    /// <summary>Removes every virtual IP that is on the interface; returns those it removed (as configured), none when none was there.</summary>
    Task<IReadOnlyList<string>> RemoveAsync();

    /// <summary>Sends one round of gratuitous ARP (IPv6: unsolicited neighbour advertisement) for every virtual IP.</summary>
    Task AnnounceAsync();

    /// <summary>
    /// Readies the actions before the node joins the protocol: checks the interface and warms the paths a takeover takes.
    /// Problems are logged, never thrown; the node starts when this completes.
    /// </summary>
    Task PrepareAsync();
}
