using Balancer.Core.Configuration;
using Balancer.Core.Failover;

namespace Balancer.Core.Tests.Configuration;

/// <summary><c>failover.groups</c> (#23): active-active groups, and the single-group form as the group <c>default</c>.</summary>
public class FailoverGroupsConfigTests
{
    private static string Config(string rest) => $$"""
        {
          "pools": { "web": { "backends": [ { "address": "http://127.0.0.1:5001" } ] } },
          "failover": { "nodeId": "lb1", "keyFile": "k", "interface": "eth0", "peers": ["198.18.0.12:7946"],
            {{rest}} }
        }
        """;

    private static string[] Problems(string json) =>
        [.. ConfigLoader.Parse(json, "c.json").Errors.Select(e => e.ToString()).Where(p => !p.Contains("warning", StringComparison.Ordinal))];

    [Fact]
    public void Parse_TwoGroups_EachWithItsOwnFields_MappedToTheMachine()
    {
        var config = ConfigLoader.Parse(Config("""
            "groups": [
              { "name": "a", "priority": 150, "virtualIps": ["198.18.0.100/24"], "preemptDelay": "2s",
                "track": { "pools": ["web"], "weight": 60 }, "notify": { "onMaster": "/bin/true" } },
              { "name": "b", "priority": 100, "virtualIps": ["198.18.0.101/24"], "preempt": false }
            ]
            """), "c.json").Config!.Failover!;

        Assert.Equal(["a", "b"], config.EffectiveGroups.Select(g => g.Name));
        Assert.Equal(["198.18.0.100/24", "198.18.0.101/24"], config.AllVirtualIps);
        Assert.Equal(("/bin/true", 60), (config.Groups[0].Notify!.OnMaster, config.Groups[0].Track!.Weight));
        var options = FailoverOptions.From(config);
        Assert.Equal(
            [new FailoverGroupOptions("a", 150, true, TimeSpan.FromSeconds(2), 60), new FailoverGroupOptions("b", 100, false)],
            options.EffectiveGroups);
        Assert.Empty(options.Validate());
    }

    [Fact]
    public void Parse_SingleGroupForm_IsOneGroupNamedDefault()
    {
        var config = ConfigLoader.Parse(Config("""  "priority": 150, "virtualIps": ["198.18.0.100/24"], "preempt": false """), "c.json").Config!.Failover!;

        var group = Assert.Single(config.EffectiveGroups);
        Assert.Equal(("default", 150, false), (group.Name, group.Priority, group.Preempt));
        Assert.Equal(["198.18.0.100/24"], group.VirtualIps);
        Assert.Equal(["default"], FailoverOptions.From(config).EffectiveGroups.Select(g => g.Name));
    }

    [Fact]
    public void Parse_EveryMistakeInGroups_EachReportedWithItsPosition()
    {
        Assert.Equal(
            [
                "c.json:4:17 failover.priority: 'priority' is set per group when 'groups' is used: move it into each entry of failover.groups",
                "c.json:4:34 failover.virtualIps: 'virtualIps' is set per group when 'groups' is used: move it into each entry of failover.groups",
                "c.json:5:44 failover.groups[0].priority: priority must be 1-254, got 255",
                "c.json:5:64 failover.groups[0].virtualIps[0]: '198.18.0.300/24' is not an IP address with a prefix length, e.g. 198.18.0.100/24",
                "c.json:6:9 failover.groups[1].name: missing required field 'name'",
                "c.json:6:28 failover.groups[1].weight: unknown field 'weight'; expected one of: name, priority, virtualIps, preempt, preemptDelay, track, notify",
                "c.json:7:19 failover.groups[2].name: group 'a' is already failover.groups[0]; each group needs its own name",
                "c.json:7:56 failover.groups[2].virtualIps[0]: '198.18.0.101' is already at failover.groups[1].virtualIps[0]; a virtual IP belongs to one group",
                "c.json:7:97 failover.groups[2].track.pools[0]: unknown pool 'wbe' (did you mean 'web'?)",
                "c.json:8:9 failover.groups[3]: expected a group object { \"name\", \"priority\", \"virtualIps\" }, got a string",
            ],
            Problems(Config("""
            "priority": 1, "virtualIps": [],
                "groups": [ { "name": "a", "priority": 255, "virtualIps": ["198.18.0.300/24"] },
                    { "priority": 100, "weight": 1, "virtualIps": ["198.18.0.101/24"] },
                    { "name": "a", "priority": 100, "virtualIps": ["198.18.0.101/24"], "track": { "pools": ["wbe"] } },
                    "c"
                ]
            """)));
    }

    [Fact]
    public void Parse_BadGroupNameAndEmptyGroups_Reported()
    {
        Assert.Equal(
            ["c.json:4:29 failover.groups[0].name: 'a b' is not a group name: 1-32 letters, digits, '-', '_' or '.', starting with a letter or digit"],
            Problems(Config("""  "groups": [ { "name": "a b" } ] """)));
        Assert.Equal(
            ["c.json:4:17 failover.groups: groups needs at least one group; or leave it out for the single-group form (priority and virtualIps at the top of failover)"],
            Problems(Config("""  "groups": [] """)));
    }
}
