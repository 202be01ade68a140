using Balancer.Linux;

namespace Balancer.Tests.Linux;

/// <summary>The link-state query the failover loop makes every advert interval (keepalived's FAULT on its VRRP interface).</summary>
public sealed class RtNetlinkTests
{
    [Fact]
    public void IsLinkRunning_Loopback_UpAndRunning()
    {
        Assert.True(RtNetlink.IsLinkRunning(Libc.InterfaceIndex("lo")));
    }

    [Fact]
    public void IsLinkRunning_NoSuchInterface_ThrowsIOExceptionNamingTheRequest()
    {
        var error = Assert.Throws<IOException>(() => RtNetlink.IsLinkRunning(int.MaxValue));

        Assert.Contains("RTM_GETLINK", error.Message, StringComparison.Ordinal);
    }
}
