using System.Text.Json;
using Balancer.Core.Configuration;
using Balancer.Core.Failover;

namespace Balancer.Hosting;

/// <summary>
/// The config hash carried in adverts, over what both nodes must serve alike: the listeners and pools as bound.
/// The failover block (node id, priority, peers) and the admin block differ between the two nodes by design.
/// </summary>
internal static class ServedConfigFingerprint
{
    public static UInt128 Of(BalancerConfig config) =>
        ConfigFingerprint.Compute(JsonSerializer.SerializeToUtf8Bytes(new ServedConfig(config.Listeners, config.Pools), ConfigJsonContext.Default.ServedConfig));
}
