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
                "~listener web (bind 127.0.0.1:80 → 127.0.0.1:81, routes [* /{**rest} → web] → [* /api/{**rest} → api])",
                "-pool old",
                "+pool api",
                "~pool web (retries 2 → 3)",
            ],
            changes);
    }

    [Fact]
    public void Compute_SameConfig_NoChanges()
    {
        const string json = """{ "listeners": { "web": { "bind": "127.0.0.1:80", "routes": [ { "pool": "web" } ] } }, "pools": { "web": { "backends": [ { "address": "http://a:1" } ] } } }""";

        Assert.Empty(ConfigDiff.Compute(Parse(json), Parse(json)));
        Assert.Equal("no changes", ConfigDiff.Summarize([]));
    }

    [Fact]
    public void Summarize_RemovedBackend_SaysDraining()
    {
        var summary = ConfigDiff.Summarize([new ConfigChange(ChangeKind.Added, "backend web/http://c:1"), new ConfigChange(ChangeKind.Removed, "backend web/http://a:1")]);

        Assert.Equal("+backend web/http://c:1, -backend web/http://a:1 (draining)", summary);
    }

    private static BalancerConfig Parse(string json) => ConfigLoader.Parse(json, "test.json").Config ?? throw new InvalidOperationException("invalid test config");
}
