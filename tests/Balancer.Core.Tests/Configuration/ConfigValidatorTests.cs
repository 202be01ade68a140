using Balancer.Core.Configuration;

namespace Balancer.Core.Tests.Configuration;

/// <summary>Semantic checks, through <see cref="ConfigLoader.Parse"/> so positions are real.</summary>
public sealed class ConfigValidatorTests
{
    private static string[] Problems(string json) => [.. ConfigLoader.Parse(json, "c.json").Errors.Select(e => e.ToString())];

    [Fact]
    public void Parse_ManyMistakes_ReportsEveryOneInFileOrder()
    {
        const string Json = """
            {
              "listeners": {
                "web": { "bind": "0.0.0.0:80", "routes": [ { "pool": "wbe", "path": "api" } ] },
                "pg": { "protocol": "tcp", "bind": "0.0.0.0:80" }
              },
              "pools": {
                "web": { "retries": 11, "algorithm": "fastest",
                         "backends": [ { "address": "http//x", "wieght": 1 } ] }
              }
            }
            """;

        Assert.Equal(
            [
                "c.json:3:58 listeners.web.routes[0].pool: pool 'wbe' is not defined (did you mean 'web'?)",
                "c.json:3:73 listeners.web.routes[0].path: route path 'api' must start with '/'",
                "c.json:4:11 listeners.pg.pool: a tcp listener needs 'pool', the pool it sends every connection to",
                "c.json:4:40 listeners.pg.bind: '0.0.0.0:80' takes the same port as listeners.web.bind ('0.0.0.0:80')",
                "c.json:7:12 pools.web: warning: pool is not used by any listener",
                "c.json:7:25 pools.web.retries: retries must be 1-10, got 11",
                "c.json:7:42 pools.web.algorithm: unknown algorithm 'fastest'; expected one of: " + string.Join(", ", Balancer.Core.LoadBalancing.BalancingAlgorithms.Names),
                "c.json:8:41 pools.web.backends[0].address: 'http//x' is not an absolute http(s) URI",
                "c.json:8:52 pools.web.backends[0].wieght: unknown field 'wieght' (did you mean 'weight'?)",
            ],
            Problems(Json));
    }

    [Fact]
    public void Parse_AcceptedShapes_ReportsNothing()
    {
        const string Json = """
            {
              "listeners": {
                "v6": { "bind": "[::1]:8080", "routes": [ { "hosts": ["example.com", "*.example.org"], "path": "/api/v1/{**rest}", "pool": "web" },
                                                           { "path": "/", "pool": "web" } ] },
                "any": { "bind": "*:0", "routes": [ { "pool": "web" } ] },
                "also": { "bind": "localhost:0", "routes": [ { "pool": "web" } ] },
                "tcp": { "protocol": "tcp", "bind": "127.0.0.1:6432", "pool": "db" }
              },
              "pools": {
                "web": { "health": { "probe": "http", "expectStatus": "2xx,304", "method": "HEAD", "host": "svc.local:8080" },
                         "backends": [ { "address": "https://[::1]:8443/", "weight": 0 }, { "address": "http://backend.internal", "weight": 256 } ] },
                "db": { "backends": [ { "address": "db-1.internal:5432" }, { "address": "[fe80::1]:5432" }, { "address": "10.0.0.5:5432" } ] }
              },
              "failover": { "nodeId": "a", "peers": ["[2001:db8::2]:7946"], "keyFile": "k", "virtualIps": ["2001:db8::100/64"], "interface": "eth0", "advertInterval": "10ms" },
              "admin": { "bind": "0.0.0.0:9901", "tokenFile": "t" }
            }
            """;

        Assert.Empty(Problems(Json));
    }

    [Fact]
    public void Parse_TimeoutLongerThanInterval_WarnsOnly()
    {
        var result = ConfigLoader.Parse("""{ "pools": { "p": { "health": { "interval": "1s", "timeout": "2s" }, "backends": [ { "address": "a:1" } ] } } }""", "c.json");

        Assert.True(result.IsValid);
        Assert.Contains("c.json:1:62 pools.p.health.timeout: warning: timeout is longer than interval; probes will run less often than the interval says", result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Parse_WrongTypes_ReportsExpectedKinds()
    {
        const string Json = """{ "listeners": { "l": { "bind": 8080, "routes": { } } }, "pools": [ ], "admin": { "bind": null } }""";

        Assert.Equal(
            [
                "c.json:1:33 listeners.l.bind: expected a string, got a number",
                "c.json:1:49 listeners.l.routes: expected an array of objects, got an object",
                "c.json:1:67 pools: expected an object, got an array",
            ],
            Problems(Json));
    }

    [Fact]
    public void Parse_DuplicateKeyInAnyObject_ReportsTheSecond()
    {
        Assert.Equal(
            ["c.json:1:35 pools.p.retries: duplicate key 'retries'; each key may appear once in an object"],
            Problems("""{ "pools": { "p": { "retries": 2, "retries": 3, "backends": [ { "address": "a:1" } ] } } }""").Where(p => !p.Contains("warning", StringComparison.Ordinal)));
    }

    [Fact]
    public void Parse_FailoverBlockEmpty_ReportsEachRequiredField()
    {
        Assert.Equal(
            [
                "c.json:1:15 failover.keyFile: missing required field 'keyFile'",
                "c.json:1:15 failover.nodeId: missing required field 'nodeId'",
                "c.json:1:15 failover.peers: missing required field 'peers'",
            ],
            Problems("""{ "failover": { } }""").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Parse_TcpSettings_BoundWithTheirValues()
    {
        const string Json = """
            {
              "listeners": { "pg": { "protocol": "tcp", "bind": "127.0.0.1:6432", "pool": "db", "maxConnections": 100, "idleTimeout": "10m",
                                     "connectTimeout": "2s", "acceptProxyProtocol": true } },
              "pools": { "db": { "maxConnectionsPerBackend": 50, "proxyProtocol": "v2", "backends": [ { "address": "10.0.0.5:5432" } ] } }
            }
            """;

        var config = ConfigLoader.Parse(Json, "c.json").Config!;

        var pg = config.Listeners["pg"];
        Assert.Equal((100, TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(2), true), (pg.MaxConnections, pg.IdleTimeout, pg.ConnectTimeout, pg.AcceptProxyProtocol));
        Assert.Equal((50, "v2"), (config.Pools["db"].MaxConnectionsPerBackend, config.Pools["db"].ProxyProtocol));
    }

    [Fact]
    public void Parse_TcpSettingsOnHttp_RejectedButAcceptProxyProtocolServesBoth()
    {
        const string Json = """
            {
              "listeners": { "web": { "bind": "127.0.0.1:8080", "routes": [ { "pool": "web" } ], "idleTimeout": "1s", "acceptProxyProtocol": true } },
              "pools": { "web": { "proxyProtocol": "v1", "maxConnectionsPerBackend": 1, "backends": [ { "address": "http://10.0.0.6" } ] } }
            }
            """;

        Assert.Equal(
            [
                "c.json:2:101 listeners.web.idleTimeout: 'idleTimeout' is only for tcp listeners; remove it from this http listener",
                "c.json:3:40 pools.web.proxyProtocol: 'proxyProtocol' is only for tcp pools; remove it from this http pool",
                "c.json:3:74 pools.web.maxConnectionsPerBackend: 'maxConnectionsPerBackend' is only for tcp pools; remove it from this http pool",
            ],
            Problems(Json));
    }

    [Fact]
    public void Parse_TcpSettingsOutOfRange_Reported()
    {
        const string Json = """
            {
              "listeners": { "pg": { "protocol": "tcp", "bind": "127.0.0.1:6432", "pool": "db", "maxConnections": -1, "idleTimeout": "0s" } },
              "pools": { "db": { "maxConnectionsPerBackend": -5, "proxyProtocol": "v3", "backends": [ { "address": "10.0.0.5:5432" } ] } }
            }
            """;

        Assert.Equal(
            [
                "c.json:2:103 listeners.pg.maxConnections: maxConnections must be 0-1000000, got -1",
                "c.json:2:122 listeners.pg.idleTimeout: idleTimeout must be more than zero",
                "c.json:3:50 pools.db.maxConnectionsPerBackend: maxConnectionsPerBackend must be 0-1000000, got -5",
                "c.json:3:71 pools.db.proxyProtocol: unknown PROXY protocol version 'v3' (did you mean 'v1'?)",
            ],
            Problems(Json));
    }
}
