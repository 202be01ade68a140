using Balancer.Core.Configuration;
using Balancer.Core.Failover;

namespace Balancer.Core.Tests.Configuration;

/// <summary><c>failover.peers</c>: the string form (one peer, one path) and the object form (a named peer, a path per address).</summary>
public class FailoverPeersConfigTests
{
    private static string Config(string peers) => $$"""
        {
          "failover": { "nodeId": "lb1", "keyFile": "k", "vipAction": "none",
            "peers": {{peers}} }
        }
        """;

    private static string[] Problems(string json) => [.. ConfigLoader.Parse(json, "c.json").Errors.Select(e => e.ToString())];

    [Fact]
    public void Parse_ObjectPeerWithTwoPaths_FlattenedForTheSocketNamedForTheGuard()
    {
        var config = ConfigLoader.Parse(Config("""[ { "nodeId": "lb2", "addresses": ["198.18.0.12:7946", "198.18.1.12:7946"] } ]"""), "c.json").Config!.Failover!;

        Assert.Equal(["198.18.0.12:7946", "198.18.1.12:7946"], config.Peers);
        Assert.Equal("lb2", Assert.Single(config.PeerNodes).NodeId);
        Assert.Equal(["lb2"], FailoverOptions.From(config).PeerNodeIds);
        Assert.Empty(FailoverOptions.From(config).Validate());
    }

    [Fact]
    public void Parse_StringAndObjectMixed_BothTakenNoNodeIdListBecauseTheStringNamesNone()
    {
        var config = ConfigLoader.Parse(Config("""[ "198.18.0.13:7946", { "nodeId": "lb2", "addresses": ["198.18.0.12:7946"] } ]"""), "c.json").Config!.Failover!;

        Assert.Equal(["198.18.0.13:7946", "198.18.0.12:7946"], config.Peers);
        Assert.Equal([null, "lb2"], config.PeerNodes.Select(p => p.NodeId));
        Assert.Empty(FailoverOptions.From(config).PeerNodeIds);
    }

    [Fact]
    public void Parse_EveryMistakeInPeers_EachReportedWithItsPosition()
    {
        const string Peers = """
            [
                  { "nodeId": "lb2", "addresses": ["198.18.0.12:7946", "198.18.0.12:7946"] },
                  { "nodeId": "lb1", "addresses": ["nonsense"] },
                  { "addresses": [], "port": 1 },
                  { "nodeId": "lb2", "addresses": ["198.18.1.12:7946"] },
                  7946,
                  "198.18.1.12:7946"
                ]
            """;

        Assert.Equal(
            [
                "c.json:4:60 failover.peers[0].addresses[1]: '198.18.0.12:7946' is already at failover.peers[0].addresses[0]; each heartbeat path is one address, listed once",
                "c.json:5:19 failover.peers[1].nodeId: 'lb1' is this node's own nodeId; a peer needs its own",
                "c.json:5:40 failover.peers[1].addresses[0]: 'nonsense' is not ip:port ([ipv6]:port for IPv6; port 1-65535)",
                "c.json:6:7 failover.peers[2].nodeId: missing required field 'nodeId'",
                "c.json:6:22 failover.peers[2].addresses: a peer needs at least one address (ip:port), one per heartbeat path",
                "c.json:6:26 failover.peers[2].port: unknown field 'port'; expected one of: nodeId, addresses",
                "c.json:7:19 failover.peers[3].nodeId: peer 'lb2' is listed twice; give one entry all its addresses",
                "c.json:8:7 failover.peers[4]: expected an address string or an object { \"nodeId\", \"addresses\" }, got a number",
                "c.json:9:7 failover.peers[5]: '198.18.1.12:7946' is already at failover.peers[3].addresses[0]; each heartbeat path is one address, listed once",
            ],
            Problems(Config(Peers)).Where(p => !p.Contains("warning", StringComparison.Ordinal)));
    }
}
