using Balancer.Core.Announce;
using Balancer.Core.Configuration;
using Balancer.Telemetry;

namespace Balancer.Announce;

/// <summary>
/// The announced addresses on their interface: put there (renewed, with their kernel lifetime) or taken off, all at
/// once, the first failure of a kind logged and the recovery too. Not thread-safe: <see cref="AnnounceService"/>
/// calls it under its lock.
/// </summary>
internal sealed class AnnouncedInterface(AnnounceConfig config, IAddressActions actions, ILogger logger)
{
    private long _failures;

    /// <summary>The interface the addresses go on.</summary>
    public string Device { get; private set; } = config.Interface;

    /// <summary>The addresses, in config order.</summary>
    public AnnouncedAddress[] Addresses { get; private set; } = Parse(config);

    /// <summary>How long the kernel keeps an address that is not renewed; zero for ever.</summary>
    public TimeSpan Lifetime { get; private set; } = config.AddressLifetime;

    /// <summary>The last failure to change an address, or null when the last change worked.</summary>
    public string? LastError { get; private set; }

    /// <summary>True when the last <see cref="Apply"/> changed every address as asked: the interface agrees with the state.</summary>
    public bool InSync { get; private set; }

    /// <summary>Address changes that failed since start.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>The addresses as <c>ip addr</c> writes them, comma-separated.</summary>
    public string Names => string.Join(", ", Addresses.Select(a => a.ToString()));

    /// <summary>
    /// Puts every address on the interface, renewing its lifetime (<paramref name="present"/>), or takes every one off;
    /// either way makes sure the node takes the addresses' traffic in, with a local route each, so a withdrawn node
    /// still serves the connections on their way while the router converges (the kernel drops them without it).
    /// </summary>
    public void Apply(bool present)
    {
        var failed = false;
        foreach (var address in Addresses)
        {
            var local = actions.SetLocalRoute(address, true);
            Report(local, "add the local route for", address, "lo");
            var problem = present ? actions.Renew(Device, address, Lifetime) : actions.Remove(Device, address);
            failed |= local is not null || problem is not null;
            Report(problem, present ? "add" : "remove", address, Device);
        }

        InSync = !failed;
    }

    /// <summary>The listeners have drained: the node no longer takes the addresses' traffic in.</summary>
    public void Release()
    {
        foreach (var address in Addresses)
        {
            Report(actions.SetLocalRoute(address, false), "remove the local route for", address, "lo");
        }
    }

    /// <summary>A reload: the addresses that leave are taken off (and no longer taken in) now, all of them from the old interface when it changes.</summary>
    public void Reconfigure(AnnounceConfig next)
    {
        var addresses = Parse(next);
        foreach (var address in next.Interface != Device ? Addresses : Addresses.Except(addresses))
        {
            Report(actions.Remove(Device, address), "remove", address, Device);
        }

        foreach (var address in Addresses.Except(addresses))
        {
            Report(actions.SetLocalRoute(address, false), "remove the local route for", address, "lo");
        }

        (Device, Addresses, Lifetime) = (next.Interface, addresses, next.AddressLifetime);
    }

    private void Report(string? problem, string action, AnnouncedAddress address, string device)
    {
        if (problem is not null)
        {
            Interlocked.Increment(ref _failures);
        }

        if (problem == LastError)
        {
            return;
        }

        if (problem is null)
        {
            Log.AnnounceAddressRecovered(logger, action, address.ToString(), device);
        }
        else
        {
            Log.AnnounceAddressFailed(logger, action, address.ToString(), device, problem);
        }

        LastError = problem;
    }

    private static AnnouncedAddress[] Parse(AnnounceConfig config) =>
        [.. config.VirtualIps.Select(vip => AnnouncedAddress.Parse(vip, out var error) ?? throw new ArgumentException($"announce.virtualIps: {error}"))];
}
