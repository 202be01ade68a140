using Balancer.Core.Configuration;

namespace Balancer.Core.Announce;

/// <summary>The hysteresis of <see cref="AnnounceMachine"/>, from <c>announce</c>.</summary>
/// <param name="Interval">Time between checks.</param>
/// <param name="Rise">Consecutive healthy checks before announcing.</param>
/// <param name="Fall">Consecutive unhealthy checks before withdrawing.</param>
/// <param name="AddressLifetime">How long the kernel keeps an address that is not renewed; zero for ever.</param>
public sealed record AnnounceOptions(TimeSpan Interval, int Rise, int Fall, TimeSpan AddressLifetime)
{
    /// <summary>The options of <paramref name="config"/>.</summary>
    public static AnnounceOptions From(AnnounceConfig config) => new(config.Interval, config.Rise, config.Fall, config.AddressLifetime);
}
