using Balancer.Core.Configuration;
using Balancer.Core.Reload;

namespace Balancer.Core.Tests.Configuration;

/// <summary>Binding, validation and diffing of <c>affinity</c>, <c>hashKey</c>, <c>hashBalanceFactor</c> and <c>rateLimit</c>.</summary>
public sealed class TrafficPolicyConfigTests
{
    private const string Valid = """
        {
          "listeners": {
            "web": { "bind": "127.0.0.1:80", "routes": [ { "pool": "web", "rateLimit": { "requestsPerSecond": 100, "burst": 200, "key": "header:X-User" } } ] },
            "pg": { "protocol": "tcp", "bind": "127.0.0.1:81", "pool": "db" }
          },
          "pools": {
            "web": { "algorithm": "hash", "hashKey": "cookie:session", "hashBalanceFactor": 1.25,
                     "affinity": { "cookie": "SRV", "ttl": "1h", "secure": true, "sameSite": "none" },
                     "backends": [ { "address": "http://127.0.0.1:5001" } ] },
            "db": { "algorithm": "hash", "backends": [ { "address": "127.0.0.1:5432" } ] }
          }
        }
        """;

    [Fact]
    public void Parse_EveryField_Bound()
    {
        var result = ConfigLoader.Parse(Valid, "c.json");

        Assert.Empty(result.Errors);
        var web = result.Config!.Pools["web"];
        Assert.Equal(new AffinityConfig { Cookie = "SRV", Ttl = TimeSpan.FromHours(1), Secure = true, SameSite = "none" }, web.Affinity);
        Assert.Equal(("cookie:session", 1.25), (web.HashKey, web.HashBalanceFactor));
        Assert.Equal(RequestKey.ClientIpName, result.Config.Pools["db"].HashKey);
        Assert.Equal(new RateLimitConfig { RequestsPerSecond = 100, Burst = 200, Key = "header:X-User" }, result.Config.Listeners["web"].Routes[0].RateLimit);
    }

    [Fact]
    public void Parse_Mistakes_ReportedWithPositions()
    {
        const string Json = """
            {
              "listeners": {
                "web": { "bind": "127.0.0.1:80", "routes": [ { "pool": "web", "rateLimit": { "requestsPerSecond": 0, "key": "cookie:x", "burst": 0 } } ] },
                "pg": { "protocol": "tcp", "bind": "127.0.0.1:81", "pool": "db" }
              },
              "pools": {
                "web": { "algorithm": "hash", "hashKey": "header:", "hashBalanceFactor": 0.5,
                         "affinity": { "cookie": "a b", "sameSite": "none" }, "backends": [ { "address": "http://127.0.0.1:5001" } ] },
                "db": { "algorithm": "hash", "hashKey": "path", "affinity": {}, "backends": [ { "address": "127.0.0.1:5432" } ] }
              }
            }
            """;

        var errors = ConfigLoader.Parse(Json, "c.json").Errors.Select(e => e.ToString());

        Assert.Equal(
            [
                "c.json:3:103 listeners.web.routes[0].rateLimit.requestsPerSecond: requestsPerSecond must be more than 0 (fractions allowed, 0.5 = one every 2 s); got 0",
                "c.json:3:113 listeners.web.routes[0].rateLimit.key: unknown key 'cookie:x'; expected client-ip, header:NAME, route",
                "c.json:3:134 listeners.web.routes[0].rateLimit.burst: burst must be 1-1000000000, got 0",
                "c.json:7:46 pools.web.hashKey: 'header:' needs a name after ':', e.g. 'header:X-User'",
                "c.json:7:78 pools.web.hashBalanceFactor: hashBalanceFactor must be 0 (off) or more than 1 and at most 100, e.g. 1.25; got 0.5",
                "c.json:8:38 pools.web.affinity.cookie: 'a b' is not a cookie name (letters, digits and !#$%&'*+-.^_`|~)",
                "c.json:8:57 pools.web.affinity.sameSite: sameSite 'none' needs \"secure\": true; browsers refuse the cookie otherwise",
                "c.json:9:45 pools.db.hashKey: unknown key 'path'; expected client-ip (a tcp pool can only hash the client address)",
                "c.json:9:65 pools.db.affinity: 'affinity' sets an HTTP cookie: it is only for http pools (a tcp pool can use \"algorithm\": \"hash\" on the client address)",
            ],
            errors);
    }

    [Fact]
    public void Parse_HashKeyWithoutHashAlgorithm_Warns()
    {
        const string Json = """{ "listeners": { "web": { "bind": "127.0.0.1:80", "routes": [ { "pool": "web" } ] } }, "pools": { "web": { "hashKey": "host", "backends": [] } } }""";

        var result = ConfigLoader.Parse(Json, "c.json");

        Assert.NotNull(result.Config);
        Assert.Contains(result.Errors, e => !e.IsError && e.Path == "pools.web.hashKey" && e.Message.Contains("only the 'hash' algorithm", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_RateLimitWithoutRate_MissingFieldReported()
    {
        const string Json = """{ "listeners": { "web": { "bind": "127.0.0.1:80", "routes": [ { "pool": "web", "rateLimit": { "burst": 5 } } ] } }, "pools": { "web": { "backends": [] } } }""";

        var errors = ConfigLoader.Parse(Json, "c.json").Errors.Where(e => e.IsError).Select(e => e.ToString());

        Assert.Equal(["c.json:1:93 listeners.web.routes[0].rateLimit.requestsPerSecond: missing required field 'requestsPerSecond'"], errors);
    }

    [Fact]
    public void Compute_AffinityHashAndRateLimitChanged_Described()
    {
        var from = ConfigLoader.Parse(Valid, "c.json").Config!;
        var to = ConfigLoader.Parse(
            Valid.Replace("\"burst\": 200", "\"burst\": 50", StringComparison.Ordinal).Replace("\"ttl\": \"1h\"", "\"ttl\": \"2h\"", StringComparison.Ordinal)
                .Replace("cookie:session", "host", StringComparison.Ordinal),
            "c.json").Config!;

        var changes = ConfigDiff.Compute(from, to).Select(c => c.ToString()).ToList();

        Assert.Equal(
            [
                "~route web[0] (action pool web; rate limit 100/s burst 200 per header:X-User → pool web; rate limit 100/s burst 50 per header:X-User)",
                "~pool web (affinity.ttl 1h → 2h, hashKey cookie:session → host)",
            ],
            changes);
    }
}
