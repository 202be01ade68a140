using Balancer.Core.Configuration;

namespace Balancer.Core.Tests.Configuration;

/// <summary><c>failover.bind</c>: one address as a string, or one per heartbeat path as an array (#23).</summary>
public class FailoverBindConfigTests
{
    private static string Config(string bind) => $$"""
        {
          "failover": { "nodeId": "lb1", "keyFile": "k", "vipAction": "none", "peers": ["198.18.0.12:7946"],
            "bind": {{bind}} }
        }
        """;

    private static string[] Problems(string json) =>
        [.. ConfigLoader.Parse(json, "c.json").Errors.Select(e => e.ToString()).Where(p => !p.Contains("warning", StringComparison.Ordinal))];

    [Fact]
    public void Parse_StringOrArray_BothGiveTheBinds()
    {
        Assert.Equal(["198.18.0.11:7946"], ConfigLoader.Parse(Config("\"198.18.0.11:7946\""), "c.json").Config!.Failover!.Binds);
        var two = ConfigLoader.Parse(Config("""["198.18.0.11:7946", "198.18.1.11:7946"]"""), "c.json").Config!.Failover!;

        Assert.Equal(["198.18.0.11:7946", "198.18.1.11:7946"], two.Binds);
        Assert.Equal("198.18.0.11:7946", two.Bind);
        Assert.Equal(["0.0.0.0:7946"], new FailoverConfig().Binds);
    }

    [Fact]
    public void Parse_EveryMistakeInBind_EachReportedWithItsPosition()
    {
        const string Bind = """["0.0.0.0:7946", "198.18.1.11:7946", "198.18.1.11:7946", "nonsense", 7]""";

        Assert.Equal(
            [
                "c.json:3:14 failover.bind[0]: '0.0.0.0:7946' is a wildcard; with several heartbeat paths each bind is one of this node's addresses, e.g. 198.18.1.11:7946",
                "c.json:3:50 failover.bind[2]: '198.18.1.11:7946' is listed twice; list each address once",
                "c.json:3:70 failover.bind[3]: 'nonsense' is not a bind address; use ip:port, [ipv6]:port, *:port or localhost:port (port 0-65535)",
                "c.json:3:82 failover.bind[4]: expected a string, got a number",
            ],
            Problems(Config(Bind)));
    }

    [Fact]
    public void Parse_EmptyArrayOrNumber_SaysWhatBindTakes()
    {
        Assert.Equal(["c.json:3:13 failover.bind: bind needs at least one address (ip:port); list several only for several heartbeat paths"], Problems(Config("[]")));
        Assert.Equal(["c.json:3:13 failover.bind: expected an address string (ip:port) or an array of them, one per heartbeat path, got a number"], Problems(Config("7946")));
    }
}

/// <summary><c>failover.witness</c> (#23).</summary>
public class FailoverWitnessConfigTests
{
    private static string Config(string witness) => $$"""
        {
          "failover": { "nodeId": "lb1", "keyFile": "k", "vipAction": "none", "peers": ["198.18.0.12:7946"], "advertInterval": "100ms",
            "witness": {{witness}} }
        }
        """;

    private static string[] Problems(string json) =>
        [.. ConfigLoader.Parse(json, "c.json").Errors.Select(e => e.ToString()).Where(p => !p.Contains("warning", StringComparison.Ordinal))];

    [Fact]
    public void Parse_Witness_DefaultsAndOptions()
    {
        var witness = ConfigLoader.Parse(Config("""{ "address": "198.18.0.30:7947" }"""), "c.json").Config!.Failover!.Witness!;
        Assert.Equal(("198.18.0.30:7947", TimeSpan.FromMilliseconds(200), false), (witness.Address, witness.Timeout, witness.Required));

        var options = Balancer.Core.Failover.FailoverOptions.From(ConfigLoader.Parse(Config("""{ "address": "198.18.0.30:7947", "timeout": "50ms", "required": true }"""), "c.json").Config!.Failover!);
        Assert.Equal(("198.18.0.30:7947", TimeSpan.FromMilliseconds(50), true), (options.WitnessAddress, options.WitnessTimeout, options.WitnessRequired));
    }

    [Fact]
    public void Parse_EveryMistakeInWitness_EachReported()
    {
        Assert.Equal(
            [
                "c.json:3:16 failover.witness.address: missing required field 'address'",
                "c.json:3:29 failover.witness.timeout: timeout 500ms is more than 3 advert intervals: every takeover on silence would wait that long; use at most 300ms",
                "c.json:3:38 failover.witness.requird: unknown field 'requird' (did you mean 'required'?)",
            ],
            Problems(Config("""{ "timeout": "500ms", "requird": true }""")));
        Assert.Equal(
            [
                "c.json:3:29 failover.witness.address: '198.18.0.12:7946' is a peer's address; the witness runs on a third host (balancer witness)",
                "c.json:3:60 failover.witness.timeout: timeout must be from 1ms to 10s (a takeover waits this long for the witness's answer)",
            ],
            Problems(Config("""{ "address": "198.18.0.12:7946", "timeout": "0s" }""")));
        Assert.Equal(["c.json:3:29 failover.witness.address: 'nope' is not ip:port ([ipv6]:port for IPv6; port 1-65535)"], Problems(Config("""{ "address": "nope" }""")));
    }
}
