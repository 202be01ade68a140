using System.Security.Cryptography;
using System.Text;
using Balancer.Core.Configuration;

namespace Balancer.Core.Tests.Configuration;

public sealed class ConfigLoaderTests
{
    // The PRODUCT.md example, with comments and trailing commas. Both pools use round-robin: the other
    // algorithm names are accepted once their implementations register in BalancingAlgorithms.Names.
    private const string FullConfig = """
        // Balancer config
        {
          "listeners": {
            "web": { "protocol": "http", "bind": "0.0.0.0:8080",
                     "routes": [ { "hosts": ["*"], "path": "/{**rest}", "pool": "web" }, ] },
            "pg":  { "protocol": "tcp",  "bind": "0.0.0.0:6432", "pool": "db" }, /* L4 */
          },
          "pools": {
            "web": {
              "algorithm": "round-robin",
              "slowStart": "10s",
              "health": { "probe": "http", "path": "/healthz", "interval": "2s",
                          "timeout": "1s", "rise": 2, "fall": 3, "expectStatus": "200-399" },
              "backends": [ { "address": "http://127.0.0.1:5001", "weight": 1 },
                            { "address": "http://127.0.0.1:5002", "weight": 2 } ]
            },
            "db": { "algorithm": "round-robin",
                    "health": { "probe": "tcp", "interval": "2s" },
                    "backends": [ { "address": "127.0.0.1:5432" } ] }
          },
          "failover": {
            "nodeId": "lb1", "priority": 150, "preempt": true,
            "bind": "0.0.0.0:7946", "peers": ["198.18.0.12:7946"],
            "advertInterval": "1s", "keyFile": "/etc/balancer/peer.key",
            "virtualIps": ["198.18.0.100/24"], "interface": "eth0"
          },
          "admin": { "bind": "127.0.0.1:9901" }
        }
        """;

    [Fact]
    public void Parse_FullExampleConfig_BindsEveryField()
    {
        var result = ConfigLoader.Parse(FullConfig, "balancer.json");

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Empty(result.Errors);
        var config = result.Config!;
        Assert.Equal(new[] { "web", "pg" }, config.Listeners.Keys);
        Assert.Equal(ListenerProtocols.Tcp, config.Listeners["pg"].Protocol);
        Assert.Equal("db", config.Listeners["pg"].Pool);
        var route = Assert.Single(config.Listeners["web"].Routes);
        Assert.Equal(new[] { "*" }, route.Hosts);
        Assert.Equal(("/{**rest}", "web"), (route.Path, route.Pool));
        var web = config.Pools["web"];
        Assert.Equal(TimeSpan.FromSeconds(10), web.SlowStart);
        Assert.Equal(new HealthConfig { Probe = "http", Interval = TimeSpan.FromSeconds(2), Timeout = TimeSpan.FromSeconds(1), Rise = 2, Fall = 3 }, web.Health);
        Assert.Equal("200-399", web.Health!.ExpectStatus);
        Assert.Equal(new[] { new BackendConfig { Address = "http://127.0.0.1:5001" }, new BackendConfig { Address = "http://127.0.0.1:5002", Weight = 2 } }, web.Backends);
        Assert.Equal(ProbeKinds.Tcp, config.Pools["db"].Health!.Probe);
        var failover = config.Failover!;
        Assert.Equal(("lb1", 150, "eth0", "/etc/balancer/peer.key"), (failover.NodeId, failover.Priority, failover.Interface, failover.KeyFile));
        Assert.Equal(new[] { "198.18.0.12:7946" }, failover.Peers);
        Assert.Equal(new[] { "198.18.0.100/24" }, failover.VirtualIps);
        Assert.Equal("127.0.0.1:9901", config.Admin.Bind);
    }

    [Fact]
    public void Parse_MinimalConfig_UsesDefaults()
    {
        var result = ConfigLoader.Parse("""{ "listeners": { "web": { "bind": "*:80", "routes": [ { "pool": "p" } ] } }, "pools": { "p": { "backends": [ { "address": "https://a.example" } ] } } }""", "c.json");

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(new RouteConfig { Pool = "p" }.Path, result.Config!.Listeners["web"].Routes[0].Path);
        Assert.Equal(new PoolConfig().Retries, result.Config.Pools["p"].Retries);
        Assert.Null(result.Config.Failover);
        Assert.Equal(new AdminConfig(), result.Config.Admin);
    }

    [Fact]
    public void Parse_AnyInput_HashesTheBytes()
    {
        const string Json = "{ }";
        var expected = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Json)));

        Assert.Equal(expected, ConfigLoader.Parse(Json, "c.json").Hash);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData("{ "u8)), ConfigLoader.Parse("{ ", "c.json").Hash);
    }

    [Theory]
    [InlineData("", "c.json:1:1 invalid JSON: the file holds no JSON value")]
    [InlineData("x", "c.json:1:1 invalid JSON: 'x' is an invalid start of a value.")]
    [InlineData("// only a comment\n", "c.json:2:1 invalid JSON: the file holds no JSON value")]
    [InlineData("{\n  \"listeners\": {\n}", "c.json:3:2 invalid JSON: Expected depth to be zero at the end of the JSON payload. There is an open JSON object or array that should be closed.")]
    [InlineData("{ \"a\": tru }", "c.json:1:11 invalid JSON: 'tru }' is an invalid JSON literal. Expected the literal 'true'.")]
    [InlineData("{ } { }", "c.json:1:5 invalid JSON: '{' is invalid after a single JSON value. Expected end of data.")]
    public void Parse_BrokenJson_ReportsOneErrorWithPosition(string json, string expected)
    {
        var result = ConfigLoader.Parse(json, "c.json");

        Assert.False(result.IsValid);
        Assert.Equal(expected, Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void Parse_NonAsciiBeforeError_CountsColumnsInCharacters()
    {
        // "é" is 2 bytes and "𝄞" 4 bytes (2 UTF-16 units); each is one character.
        const string Json = "{ \"listeners\": { \"é𝄞\": { \"bnid\": \"x\" } } }";

        var result = ConfigLoader.Parse(Json, "c.json");

        Assert.Contains("c.json:1:26 listeners[\"é𝄞\"].bnid: unknown field 'bnid' (did you mean 'bind'?)", result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Parse_NonAsciiBeforeSyntaxError_CountsColumnsInCharacters()
    {
        var result = ConfigLoader.Parse("{ \"ééé\": 1 2 }", "c.json");

        Assert.StartsWith("c.json:1:12 invalid JSON:", Assert.Single(result.Errors).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_CrLfAndByteOrderMark_ReportsSamePositions()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("{\r\n  \"listners\": {}\r\n}")).ToArray();
        var path = Path.Combine(Path.GetTempPath(), $"balancer-{Guid.NewGuid():N}.json");
        File.WriteAllBytes(path, bytes);
        try
        {
            var result = ConfigLoader.Load(path, ReferencedFileCheck.Skip);

            Assert.Equal($"{path}:2:3 listners: unknown field 'listners' (did you mean 'listeners'?)", Assert.Single(result.Errors).ToString());
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), result.Hash);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Load_MissingFile_ReportsOneErrorNamingTheFile()
    {
        var result = ConfigLoader.Load("no/such/balancer.json");

        var error = Assert.Single(result.Errors);
        Assert.Equal("no/such/balancer.json: no such file", error.ToString());
        Assert.False(result.IsValid);
        Assert.Equal("", result.Hash);
    }

    [Fact]
    public void Load_Directory_SaysIsADirectory()
    {
        var dir = Directory.CreateTempSubdirectory("balancer-dir-").FullName;
        try
        {
            Assert.Equal($"{dir}: is a directory", Assert.Single(ConfigLoader.Load(dir).Errors).ToString());
        }
        finally
        {
            Directory.Delete(dir);
        }
    }

    [Fact]
    public void Load_Directory_ReportsOneError()
    {
        var result = ConfigLoader.Load(Path.GetTempPath());

        Assert.False(result.IsValid);
        Assert.Single(result.Errors);
    }
}
