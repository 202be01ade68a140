using Balancer.Core.Configuration;
using FsCheck;
using FsCheck.Fluent;

namespace Balancer.Core.Tests.Fuzz;

/// <summary>Random mutations and truncations of a valid config: the loader never throws and always says where.</summary>
public sealed class ConfigLoaderFuzzTests
{
    private const string Valid = """
        {
          // every section, so mutations reach every binder and validator
          "listeners": {
            "web": { "protocol": "http", "bind": "127.0.0.1:8080", "trustedProxies": ["10.0.0.0/8", "::1"],
                     "limits": { "requestHeadersTimeout": "10s", "maxRequestBodySize": 1048576 },
                     "routes": [ { "hosts": ["*.example.com"], "path": "/api/{**rest}", "pool": "web" } ] },
            "pg": { "protocol": "tcp", "bind": "127.0.0.1:6432", "pool": "db", "idleTimeout": "1h", },
          },
          "pools": {
            "web": { "algorithm": "least-connections", "slowStart": "10s", "maxRequestsPerBackend": 100,
                     "health": { "probe": "http", "path": "/healthz", "interval": "2s", "timeout": "1s", "expectStatus": "200-399" },
                     "backends": [ { "address": "http://127.0.0.1:5001", "weight": 1 }, { "address": "http://127.0.0.1:5002", "weight": 2 } ] },
            "db": { "algorithm": "round-robin", "health": { "probe": "tcp", "interval": "2s" }, "backends": [ { "address": "127.0.0.1:5432" } ] }
          },
          "failover": { "nodeId": "lb1", "priority": 150, "preempt": true, "bind": "0.0.0.0:7946", "peers": ["198.18.0.12:7946"],
                        "advertInterval": "1s", "keyFile": "/etc/balancer/peer.key", "virtualIps": ["198.18.0.100/24"], "interface": "eth0" },
          "admin": { "bind": "127.0.0.1:9901" },
          "telemetry": { "sampleRatio": 0.5 }
        }
        """;

    [Fact]
    public void Parse_ValidSample_IsValid() => Assert.True(ConfigLoader.Parse(Valid, "fuzz.json").IsValid, string.Join("\n", ConfigLoader.Parse(Valid, "fuzz.json").Errors));

    [FuzzProperty]
    public Property Parse_MutatedConfig_NeverThrowsAndPositionsEveryError()
    {
        var lines = Valid.Split('\n').Length + 41; // a duplicated slice may add lines
        return Prop.ForAll(Fuzz.Mutation(Valid).ToArbitrary(), text =>
        {
            var result = ConfigLoader.Parse(text, "fuzz.json");
            var positioned = result.Errors.All(e => (e.Line >= 1 && e.Column >= 1 && e.Line <= lines) || (e.Line == 0 && e.Column == 0));
            return (result.IsValid || result.Errors.Any(e => e.IsError)) && positioned;
        });
    }

    [FuzzProperty]
    public Property Parse_RandomText_NeverThrows()
    {
        return Prop.ForAll(Fuzz.Text("{}[]:,\"\\ \n0123456789abcdeflnrstu/*-.+", 200).ToArbitrary(), text =>
        {
            var result = ConfigLoader.Parse(text, "fuzz.json");
            return result.IsValid || result.Errors.Any(e => e.IsError);
        });
    }
}
