using Balancer.Core.Configuration;

namespace Balancer.Core.Tests.Configuration;

/// <summary>The <c>announce</c> block: binding, defaults, and every mistake reported where it is.</summary>
public sealed class AnnounceConfigTests
{
    private const string Listener = """ "listeners": { "web": { "bind": "*:8080", "routes": [ { "pool": "web" } ] } }, "pools": { "web": { "backends": [ { "address": "http://10.0.0.1:80" } ] } } """;

    [Fact]
    public void Parse_FullBlock_BindsEveryField()
    {
        var result = ConfigLoader.Parse($$"""
            { {{Listener}},
              "announce": { "virtualIps": ["198.18.10.100/32", "198.18.10.101", "2001:db8::10/128"], "interface": "vip0",
                            "track": { "pools": ["web"] }, "withdrawDelay": "5s", "interval": "200ms", "rise": 4, "fall": 2,
                            "addressLifetime": "10s" } }
            """, "c.json");

        Assert.Empty(result.Errors);
        Assert.Equal(
            new AnnounceConfig
            {
                VirtualIps = result.Config!.Announce!.VirtualIps, Interface = "vip0", Track = result.Config.Announce.Track,
                WithdrawDelay = TimeSpan.FromSeconds(5), Interval = TimeSpan.FromMilliseconds(200), Rise = 4, Fall = 2,
                AddressLifetime = TimeSpan.FromSeconds(10),
            },
            result.Config.Announce);
        Assert.Equal(["198.18.10.100/32", "198.18.10.101", "2001:db8::10/128"], result.Config.Announce.VirtualIps);
        Assert.Equal(["web"], result.Config.Announce.Track!.Pools);
    }

    [Fact]
    public void Parse_OnlyTheAddresses_TakesTheDefaults()
    {
        var announce = ConfigLoader.Parse($$"""{ {{Listener}}, "announce": { "virtualIps": ["198.18.10.100/32"] } }""", "c.json").Config!.Announce!;

        Assert.Equal(("lo", null, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), 3, 1, TimeSpan.FromSeconds(3)),
            (announce.Interface, announce.Track, announce.WithdrawDelay, announce.Interval, announce.Rise, announce.Fall, announce.AddressLifetime));
    }

    [Fact]
    public void Parse_EveryMistake_ReportedWithItsPath()
    {
        var errors = ConfigLoader.Parse($$"""
            { {{Listener}},
              "failover": { "nodeId": "a", "peers": ["198.18.0.12:7946"], "keyFile": "k", "virtualIps": ["198.18.10.100/24"], "interface": "eth0" },
              "announce": {
                "virtualIps": ["198.18.10.100/32", "198.18.10.7/24", "10.0.0.300", "198.18.10.8", "198.18.10.8/32"],
                "interface": "a/b", "track": { "pools": ["wbe"] }, "withdrawDelay": "2m", "interval": "10ms",
                "rise": 0, "fall": 101, "addressLifetime": "1500ms", "priority": 3
              }
            }
            """, "c.json").Errors.Select(e => $"{e.Path}: {e.Message}").ToList();

        Assert.Equal(
            [
                "announce.virtualIps[0]: 198.18.10.100 is also failover.virtualIps[0]: an address is either announced to an ECMP router by every healthy node or floated between a failover pair, not both",
                "announce.virtualIps[1]: '198.18.10.7/24' must be a host address, /32: a shorter prefix on the interface makes the whole subnet local to the node, and the routing daemon announces the subnet",
                "announce.virtualIps[2]: '10.0.0.300' is not an IP address, e.g. 198.18.10.100/32",
                "announce.virtualIps[4]: 198.18.10.8 is listed twice",
                "announce.interface: 'a/b' is not a network interface name (1-15 characters, no '/', ':' or spaces)",
                "announce.track.pools[0]: unknown pool 'wbe' (did you mean 'web'?)",
                "announce.withdrawDelay: withdrawDelay must be at most 1m: it is how long the router takes to converge, and a stop waits for it",
                "announce.interval: interval must be from 100ms to 1m",
                "announce.rise: rise must be 1-100, got 0",
                "announce.fall: fall must be 1-100, got 101",
                "announce.addressLifetime: addressLifetime must be whole seconds up to 1h, or 0s for addresses that never expire",
                "announce.priority: unknown field 'priority'; expected one of: virtualIps, interface, track, withdrawDelay, interval, rise, fall, addressLifetime",
            ],
            errors);
    }

    [Fact]
    public void Parse_MissingAddressesAndShortLifetime_Reported()
    {
        var errors = ConfigLoader.Parse($$"""{ {{Listener}}, "announce": { "interval": "2s", "addressLifetime": "3s", "track": { "pools": [] } } }""", "c.json")
            .Errors.Select(e => $"{e.Path}: {e.Message}").ToList();

        Assert.Equal(
            [
                "announce.virtualIps: missing required field 'virtualIps', the addresses to announce",
                "announce.addressLifetime: addressLifetime must be at least twice the interval (4s), or the addresses expire between two checks",
                "announce.track.pools: track needs at least one pool name; leave 'track' out to track the listeners alone",
            ],
            errors);
    }

    [Fact]
    public void Parse_ListenersThatCannotTakeTheTraffic_Warned()
    {
        var result = ConfigLoader.Parse("""
            {
              "listeners": { "local": { "bind": "127.0.0.1:8080", "routes": [ { "pool": "web" } ] },
                             "vip": { "bind": "198.18.10.100:443", "routes": [ { "pool": "web" } ] } },
              "pools": { "web": { "backends": [ { "address": "http://10.0.0.1:80" } ] } },
              "announce": { "virtualIps": ["198.18.10.100/32"] }
            }
            """, "c.json");

        Assert.NotNull(result.Config);
        Assert.Equal(
            ["c.json:3:35 listeners.vip.bind: warning: binds the announced 198.18.10.100, which is on the interface only while announced: bind *:443 instead, or set sysctl net.ipv4.ip_nonlocal_bind=1 (net.ipv6.ip_nonlocal_bind for IPv6)"],
            result.Errors.Select(e => e.ToString()));

        var unreachable = ConfigLoader.Parse("""
            { "listeners": { "local": { "bind": "127.0.0.1:8080", "routes": [ { "pool": "web" } ] } },
              "pools": { "web": { "backends": [ { "address": "http://10.0.0.1:80" } ] } },
              "announce": { "virtualIps": ["198.18.10.100/32"] } }
            """, "c.json");
        Assert.Equal(
            ["announce.virtualIps: warning: no listener binds a wildcard address (*:port) or an announced address, so none receives the announced traffic"],
            unreachable.Errors.Select(e => $"{e.Path}: {(e.IsError ? "" : "warning: ")}{e.Message}"));
    }
}
