using System.Text;
using Balancer.Core.Configuration;
using BenchmarkDotNet.Attributes;

namespace Balancer.Benchmarks;

/// <summary>
/// <see cref="ConfigLoader.Parse"/> (parse, bind, validate) of a config like config/balancer.json
/// and of one with 300 backends: the work a reload does before it diffs anything.
/// </summary>
[MemoryDiagnoser]
public class ConfigParseBenchmark
{
    private string _json = "";

    [Params(3, 300)]
    public int Backends { get; set; }

    [GlobalSetup]
    public void Setup() => _json = Build(Backends);

    [Benchmark]
    public ConfigLoadResult Parse()
    {
        var result = ConfigLoader.Parse(_json, "bench.json");
        return result.IsValid ? result : throw new InvalidOperationException(string.Join("; ", result.Errors));
    }

    /// <summary>config/balancer.json's shape (one HTTP listener, one round-robin pool, admin) with <paramref name="backends"/> backends and health checks.</summary>
    internal static string Build(int backends)
    {
        var json = new StringBuilder("""
            // Benchmark config, shaped like config/balancer.json.
            {
              "listeners": {
                "web": {
                  "protocol": "http",
                  "bind": "127.0.0.1:8080",
                  "routes": [ { "hosts": ["*"], "path": "/{**rest}", "pool": "web" } ]
                }
              },
              "pools": {
                "web": {
                  "algorithm": "round-robin",
                  "health": { "probe": "http", "path": "/healthz", "interval": "2s", "timeout": "1s", "rise": 2, "fall": 3 },
                  "backends": [
            """);
        for (var i = 0; i < backends; i++)
        {
            json.Append($$"""        { "address": "http://10.0.{{i / 250}}.{{(i % 250) + 1}}:8080", "weight": {{1 + (i % 3)}} },""").Append('\n');
        }

        json.Append("""
                  ]
                }
              },
              "admin": { "bind": "127.0.0.1:9901" }
            }
            """);
        return json.ToString();
    }
}
