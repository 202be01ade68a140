using System.Net;
using Balancer.Core.Failover;

namespace Balancer.Core.Tests.Failover;

public class HeartbeatSourceTests
{
    private static IPAddress[] Binds(params string[] binds) => [.. binds.Select(IPAddress.Parse)];

    [Theory]
    [InlineData("198.18.0.12", 0)]
    [InlineData("198.18.1.12", 1)]
    [InlineData("::ffff:198.18.1.12", 1)]
    [InlineData("2001:db8::12", 2)]
    public void Pick_TwoSubnetsAndIpv6_TheAddressOnThePeersSubnet(string peer, int expected)
    {
        Assert.Equal(expected, HeartbeatSource.Pick(Binds("198.18.0.11", "198.18.1.11", "2001:db8::11"), IPAddress.Parse(peer)));
    }

    [Fact]
    public void Pick_OneWildcardOrNoneOfTheFamily_TheWildcardOrTheFirst()
    {
        Assert.Equal(0, HeartbeatSource.Pick(Binds("0.0.0.0"), IPAddress.Parse("198.18.0.12")));
        Assert.Equal(1, HeartbeatSource.Pick(Binds("2001:db8::11", "::"), IPAddress.Parse("198.18.0.12")));
        Assert.Equal(0, HeartbeatSource.Pick(Binds("2001:db8::11"), IPAddress.Parse("198.18.0.12")));
    }
}
