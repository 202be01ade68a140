using Balancer.Core.Announce;

namespace Balancer.Announce;

/// <summary>What the node does to an announced address; the real one speaks rtnetlink, tests use a fake.</summary>
internal interface IAddressActions
{
    /// <summary>Adds <paramref name="address"/> to <paramref name="device"/>, or renews it, with a kernel lifetime (zero: for ever); null when done, else why not.</summary>
    string? Renew(string device, AnnouncedAddress address, TimeSpan lifetime);

    /// <summary>Removes <paramref name="address"/> from <paramref name="device"/> (already gone is done); null when done, else why not.</summary>
    string? Remove(string device, AnnouncedAddress address);

    /// <summary>Adds (<paramref name="present"/>) or removes a local route for <paramref name="address"/> on <c>lo</c> (AnyIP), so the node takes its traffic in whether announced or not.</summary>
    string? SetLocalRoute(AnnouncedAddress address, bool present);
}
