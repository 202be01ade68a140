using Balancer.Core.Configuration;
using Balancer.Core.Configuration.Validation;

namespace Balancer.Core.Tests.Configuration;

public sealed class VirtualIpBindCheckerTests
{
    private static BalancerConfig Config(string webBind, string apiBind = "0.0.0.0:9000") => ConfigLoader.Parse($$"""
        { "listeners": { "web": { "bind": "{{webBind}}", "routes": [ { "pool": "web" } ] },
                         "api": { "bind": "{{apiBind}}", "routes": [ { "pool": "web" } ] } },
          "pools": { "web": { "backends": [ { "address": "http://127.0.0.1:5001" } ] } },
          "failover": { "nodeId": "lb1", "peers": ["198.18.0.12:7946"], "keyFile": "peer.key",
                        "virtualIps": ["198.18.0.100/24", "2001:db8::100/64"], "interface": "eth0" } }
        """, "c.json").Config!;

    private static Func<string, string?> Sysctl(string? ipv4, string? ipv6 = "0\n") =>
        path => path.Contains("ipv6", StringComparison.Ordinal) ? ipv6 : ipv4;

    [Fact]
    public void Find_ListenerOnVirtualIpWithoutNonlocalBind_WarnsWithBothFixes()
    {
        var (path, message) = Assert.Single(VirtualIpBindChecker.Find(Config("198.18.0.100:8080"), Sysctl("0\n")));

        Assert.Equal("listeners.web.bind", path);
        Assert.Equal(
            "'198.18.0.100:8080' is a failover virtual IP, which a node holds only as master and not yet while it starts, so both nodes "
            + "will fail with 'Cannot assign requested address' unless net.ipv4.ip_nonlocal_bind=1 (0 here): bind 0.0.0.0:8080 instead, "
            + "or set the sysctl on both nodes (docs/failover.md)",
            message);
    }

    [Fact]
    public void Find_NonlocalBindOn_NoWarning()
    {
        Assert.Empty(VirtualIpBindChecker.Find(Config("198.18.0.100:8080"), Sysctl("1\n")));
    }

    [Fact]
    public void Find_WildcardOrOtherAddress_NoWarning()
    {
        Assert.Empty(VirtualIpBindChecker.Find(Config("0.0.0.0:8080", "198.18.0.11:9000"), Sysctl("0")));
    }

    [Fact]
    public void Find_Ipv6VirtualIp_ChecksTheIpv6Sysctl()
    {
        var (_, message) = Assert.Single(VirtualIpBindChecker.Find(Config("[2001:db8::100]:8080"), Sysctl("1", ipv6: null)));

        Assert.Contains("net.ipv6.ip_nonlocal_bind=1 (unknown here): bind [::]:8080 instead", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ChecksHost_ParseDoesNot()
    {
        // Parse (no host checks) never looks at this machine's sysctls.
        Assert.Empty(ConfigLoader.Parse("""
            { "listeners": { "web": { "bind": "198.18.0.100:8080", "routes": [ { "pool": "web" } ] } },
              "pools": { "web": { "backends": [ { "address": "http://127.0.0.1:5001" } ] } },
              "failover": { "nodeId": "lb1", "peers": ["198.18.0.12:7946"], "keyFile": "peer.key", "virtualIps": ["198.18.0.100/24"], "interface": "eth0" } }
            """, "c.json").Errors);
    }
}
