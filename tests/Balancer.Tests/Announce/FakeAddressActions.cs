using Balancer.Announce;
using Balancer.Core.Announce;

namespace Balancer.Tests.Announce;

/// <summary>Keeps the addresses a service put on each interface instead of touching one; can be told to fail.</summary>
internal sealed class FakeAddressActions : IAddressActions
{
    private readonly Lock _lock = new();
    private readonly HashSet<string> _present = [];
    private readonly HashSet<string> _local = [];
    private readonly List<string> _calls = [];

    /// <summary>When set, every change fails with this message.</summary>
    public string? Failure { get; set; }

    /// <summary>"device address" of each address on an interface now.</summary>
    public IReadOnlyCollection<string> Present
    {
        get
        {
            lock (_lock)
            {
                return [.. _present.Order(StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>Every call, e.g. "renew lo 198.18.10.100/32 3s" or "remove lo 198.18.10.100/32".</summary>
    public IReadOnlyList<string> Calls
    {
        get
        {
            lock (_lock)
            {
                return [.. _calls];
            }
        }
    }

    public string? Renew(string device, AnnouncedAddress address, TimeSpan lifetime) =>
        Change($"renew {device} {address} {lifetime.TotalSeconds}s", () => _present.Add($"{device} {address}"));

    public string? Remove(string device, AnnouncedAddress address) =>
        Change($"remove {device} {address}", () => _present.Remove($"{device} {address}"));

    public string? SetLocalRoute(AnnouncedAddress address, bool present) =>
        Change($"{(present ? "accept" : "unaccept")} {address}", () => _ = present ? _local.Add(address.ToString()) : _local.Remove(address.ToString()));

    /// <summary>Addresses with a local route now.</summary>
    public IReadOnlyCollection<string> Local
    {
        get
        {
            lock (_lock)
            {
                return [.. _local.Order(StringComparer.Ordinal)];
            }
        }
    }

    private string? Change(string call, Action apply)
    {
        lock (_lock)
        {
            _calls.Add(call);
            if (Failure is null)
            {
                apply();
            }

            return Failure;
        }
    }
}
