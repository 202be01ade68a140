using Balancer.Core.Configuration;
using Balancer.Core.Reload;

namespace Balancer.Core.Tests.Reload;

public sealed class ConfigDiffTests
{
    [Fact]
    public void Compute_BackendsAddedRemovedReweighted_OneChangeEach()
    {
        var from = Parse("""{ "pools": { "web": { "backends": [ { "address": "http://a:1" }, { "address": "http://b:1", "weight": 1 } ] } } }""");
        var to = Parse("""{ "pools": { "web": { "backends": [ { "address": "http://b:1", "weight": 3 }, { "address": "http://c:1" } ] } } }""");

        var changes = ConfigDiff.Compute(from, to).Select(c => c.ToString());

        Assert.Equal(["-backend web/http://a:1", "~backend web/http://b:1 (weight 1 → 3)", "+backend web/http://c:1"], changes);
    }

    [Fact]
    public void Compute_PoolsListenersAndRoutes_Described()
    {
        var from = Parse("""
            { "listeners": { "web": { "bind": "127.0.0.1:80", "routes": [ { "pool": "web" } ] } },
              "pools": { "web": { "backends": [ { "address": "http://a:1" } ] }, "old": { "backends": [] } } }
            """);
        var to = Parse("""
            { "listeners": { "web": { "bind": "127.0.0.1:81", "routes": [ { "path": "/api/{**rest}", "pool": "api" } ] } },
              "pools": { "web": { "algorithm": "round-robin", "retries": 3, "backends": [ { "address": "http://a:1" } ] }, "api": { "backends": [] } } }
            """);

        var changes = ConfigDiff.Compute(from, to).Select(c => c.ToString()).ToList();

        Assert.Equal(
            [
                "~listener web (bind 127.0.0.1:80 → 127.0.0.1:81)",
                "~route web[0] (match hosts * path /{**rest} → hosts * path /api/{**rest}; action pool web → pool api)",
                "-pool old",
                "+pool api",
                "~pool web (retries 2 → 3)",
            ],
            changes);
    }

    [Fact]
    public void Compute_RoutesAddedRemovedChanged_OneLineEach()
    {
        var from = Parse("""
            { "listeners": { "web": { "bind": "127.0.0.1:80", "routes": [ { "pool": "v1" }, { "path": "/old", "respond": { "status": 410 } } ] } },
              "pools": { "v1": { "backends": [] }, "v2": { "backends": [] } } }
            """);
        var to = Parse("""
            { "listeners": { "web": { "bind": "127.0.0.1:80", "routes": [
                { "pools": [ { "pool": "v1", "weight": 90 }, { "pool": "v2", "weight": 10 } ], "headers": [ { "name": "X-Canary", "mode": "exists" } ] },
                { "path": "/old", "respond": { "status": 410 } },
                { "path": "/v1/{**rest}", "redirect": { "to": "/v2{path}", "status": 308 } } ] } },
              "pools": { "v1": { "backends": [] }, "v2": { "backends": [] } } }
            """);

        var changes = ConfigDiff.Compute(from, to).Select(c => c.ToString()).ToList();
        var back = ConfigDiff.Compute(to, from).Select(c => c.ToString()).ToList();

        Assert.Equal(
            [
                "~route web[0] (match hosts * path /{**rest} → hosts * path /{**rest} header X-Canary exists; action pool v1 → split v1 90, v2 10)",
                "+route web[2] (hosts * path /v1/{**rest} → redirect 308 /v2{path})",
            ],
            changes);
        Assert.Contains("-route web[2] (hosts * path /v1/{**rest} → redirect 308 /v2{path})", back);
    }

    [Fact]
    public void Compute_SameConfig_NoChanges()
    {
        const string json = """{ "listeners": { "web": { "bind": "127.0.0.1:80", "routes": [ { "pool": "web" } ] } }, "pools": { "web": { "backends": [ { "address": "http://a:1" } ] } } }""";

        Assert.Empty(ConfigDiff.Compute(Parse(json), Parse(json)));
        Assert.Equal("no changes", ConfigDiff.Summarize([]));
    }

    [Fact]
    public void Compute_SameFileWithListsInFailoverAndTrustedProxies_NoChanges()
    {
        const string json = """
            { "listeners": { "web": { "bind": "127.0.0.1:80", "trustedProxies": ["10.0.0.0/8", "192.0.2.1"], "routes": [ { "hosts": ["a.example", "b.example"], "pool": "web" } ] } },
              "pools": { "web": { "health": { "probe": "http", "path": "/healthz", "expectStatus": "200-299" }, "backends": [ { "address": "http://a:1" } ] } },
              "failover": { "nodeId": "lb1", "peers": ["198.18.0.12:7946"], "keyFile": "peer.key", "virtualIps": ["198.18.0.100/24"], "interface": "eth0",
                            "track": { "pools": ["web"] }, "notify": { "onMaster": "/bin/true" } } }
            """;

        Assert.Empty(ConfigDiff.Compute(Parse(json), Parse(json)));
    }

    [Fact]
    public void Compute_ChangedSettings_ShowsOldAndNewValues()
    {
        var from = Parse("""{ "listeners": { "web": { "bind": "127.0.0.1:80", "trustedProxies": ["10.0.0.1"], "routes": [ { "pool": "web" } ] } }, "pools": { "web": { "health": { "probe": "http", "rise": 2 }, "backends": [] } } }""");
        var to = Parse("""{ "listeners": { "web": { "bind": "127.0.0.1:80", "trustedProxies": ["10.0.0.2"], "forwarder": "yarp", "routes": [ { "pool": "web" } ] } }, "pools": { "web": { "slowStart": "10s", "health": { "probe": "http", "rise": 3 }, "backends": [] } } }""");

        var changes = ConfigDiff.Compute(from, to).Select(c => c.ToString());

        Assert.Equal(
            ["~listener web (trustedProxies [\"10.0.0.1\"] → [\"10.0.0.2\"], forwarder auto → yarp)", "~pool web (slowStart 0ms → 10s, health.rise 2 → 3)"],
            changes);
    }

    [Fact]
    public void Compute_ChangesAReloadRefuses_MarkedRestartNeeded()
    {
        const string failover = """ "failover": { "nodeId": "NODE", "priority": PRIO, "peers": ["198.18.0.12:7946"], "keyFile": "peer.key", "virtualIps": ["198.18.0.100/24"], "interface": "eth0" } """;
        var from = Parse($$"""{ "admin": { "bind": "127.0.0.1:9901" }, {{failover.Replace("NODE", "lb1").Replace("PRIO", "150")}} }""");
        var to = Parse($$"""{ "admin": { "bind": "127.0.0.1:9902" }, {{failover.Replace("NODE", "lb9").Replace("PRIO", "100")}} }""");

        var changes = ConfigDiff.Compute(from, to).Select(c => c.ToString());

        Assert.Equal(
            [
                "~admin (bind 127.0.0.1:9901 → 127.0.0.1:9902) — refused live: restart needed",
                "~failover (priority 150 → 100)",
                "~failover (nodeId lb1 → lb9) — refused live: restart needed",
            ],
            changes);
    }

    [Fact]
    public void Compute_Announce_ChangesLiveAndAddingItNeedsARestart()
    {
        var none = Parse("{}");
        var one = Parse("""{ "announce": { "virtualIps": ["198.18.10.100/32"] } }""");
        var two = Parse("""{ "announce": { "virtualIps": ["198.18.10.100/32", "198.18.10.101/32"], "rise": 5 } }""");

        Assert.Equal(["+announce — refused live: restart needed"], ConfigDiff.Compute(none, one).Select(c => c.ToString()));
        Assert.Equal(["-announce — refused live: restart needed"], ConfigDiff.Compute(one, none).Select(c => c.ToString()));
        Assert.Equal(
            ["~announce (virtualIps [\"198.18.10.100/32\"] → [\"198.18.10.100/32\",\"198.18.10.101/32\"], rise 3 → 5)"],
            ConfigDiff.Compute(one, two).Select(c => c.ToString()));
    }

    [Fact]
    public void Summarize_RemovedBackend_SaysDraining()
    {
        var summary = ConfigDiff.Summarize([new ConfigChange(ChangeKind.Added, "backend web/http://c:1"), new ConfigChange(ChangeKind.Removed, "backend web/http://a:1")]);

        Assert.Equal("+backend web/http://c:1, -backend web/http://a:1 (draining)", summary);
    }

    private static BalancerConfig Parse(string json) => ConfigLoader.Parse(json, "test.json").Config ?? throw new InvalidOperationException("invalid test config");
}
