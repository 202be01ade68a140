using Balancer.Core.Configuration;
using Balancer.Core.Reload;

namespace Balancer.Core.Tests.Configuration;

/// <summary>httpVersion, the grpc probe and grpcFailureStatuses: bound as written, every mistake reported where it is.</summary>
public sealed class GrpcSettingsValidatorTests
{
    private static string Config(string poolFields, string protocol = "http") => $$"""
        {
          "listeners": { "l": { "protocol": "{{protocol}}", "bind": "127.0.0.1:0",
                                {{(protocol == "http" ? "\"routes\": [ { \"pool\": \"p\" } ]" : "\"pool\": \"p\"")}} } },
          "pools": { "p": { {{poolFields}} "backends": [ { "address": "{{(protocol == "http" ? "http://127.0.0.1:1" : "127.0.0.1:1")}}" } ] } }
        }
        """;

    private static ConfigLoadResult Parse(string json) => ConfigLoader.Parse(json, "c.json");

    private static string[] Problems(string json) => [.. Parse(json).Errors.Select(e => $"{(e.IsError ? "" : "warning: ")}{e.Path}: {e.Message}")];

    [Theory]
    [InlineData("", "auto")]
    [InlineData("\"httpVersion\": \"auto\",", "auto")]
    [InlineData("\"httpVersion\": \"2\",", "2")]
    [InlineData("\"httpVersion\": 2,", "2")]
    [InlineData("\"httpVersion\": \"2.0\",", "2")]
    [InlineData("\"httpVersion\": 2.0,", "2")]
    [InlineData("\"httpVersion\": \"1.1\",", "1.1")]
    [InlineData("\"httpVersion\": 1.1,", "1.1")]
    public void Parse_HttpVersion_Normalized(string field, string expected)
    {
        var result = Parse(Config(field));

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(expected, result.Config!.Pools["p"].HttpVersion);
    }

    [Theory]
    [InlineData("\"httpVersion\": \"3\",", "pools.p.httpVersion: unknown HTTP version '3'; expected \"auto\", \"1.1\" or \"2\"")]
    [InlineData("\"httpVersion\": 1,", "pools.p.httpVersion: unknown HTTP version '1'; expected \"auto\", \"1.1\" or \"2\"")]
    [InlineData("\"httpVersion\": true,", "pools.p.httpVersion: expected \"auto\", \"1.1\" or \"2\", got a boolean")]
    [InlineData("\"httpVersion\": \"h2c\",", "pools.p.httpVersion: unknown HTTP version 'h2c'; expected \"auto\", \"1.1\" or \"2\"")]
    public void Parse_BadHttpVersion_Reported(string field, string problem) => Assert.Equal([problem], Problems(Config(field)));

    [Fact]
    public void Parse_GrpcProbeAndStatuses_BoundAsWritten()
    {
        var result = Parse(Config("""
            "httpVersion": "2",
            "health": { "probe": "grpc", "service": "bt.Echo", "interval": "1s" },
            "passive": { "consecutive5xx": 2, "grpcFailureStatuses": ["UNAVAILABLE", "INTERNAL"] },
            """));

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var pool = result.Config!.Pools["p"];
        Assert.Equal(("grpc", "bt.Echo"), (pool.Health!.Probe, pool.Health.Service));
        Assert.Equal(["UNAVAILABLE", "INTERNAL"], pool.Passive.GrpcFailureStatuses);
        Assert.Equal(["UNAVAILABLE"], new PassiveHealthConfig().GrpcFailureStatuses);
        Assert.Null(new HealthConfig().Service);
    }

    [Fact]
    public void Parse_BadGrpcSettings_EachReported()
    {
        var json = Config("""
            "httpVersion": "1.1",
            "health": { "probe": "grpc" },
            "passive": { "grpcFailureStatuses": ["UNAVAILBLE", "OK", "unavailable", "TIMEOUT"] },
            """);

        Assert.Equal(
            [
                "warning: pools.p.health.probe: the grpc probe speaks HTTP/2, but this pool sends its traffic over HTTP/1.1 (httpVersion \"1.1\"), which gRPC backends do not serve; set httpVersion to \"2\"",
                "pools.p.passive.grpcFailureStatuses[0]: unknown gRPC status 'UNAVAILBLE' (did you mean 'UNAVAILABLE'?)",
                "pools.p.passive.grpcFailureStatuses[1]: OK is success; list the statuses that mean the backend failed, e.g. UNAVAILABLE",
                "pools.p.passive.grpcFailureStatuses[2]: unknown gRPC status 'unavailable' (did you mean 'UNAVAILABLE'?)",
                "pools.p.passive.grpcFailureStatuses[3]: unknown gRPC status 'TIMEOUT'; expected one of: " + string.Join(", ", Balancer.Core.Grpc.GrpcStatusCodes.Names),
            ],
            Problems(json));
    }

    [Fact]
    public void Parse_ServiceWithoutGrpcProbe_Reported()
    {
        Assert.Equal(
            ["pools.p.health.service: 'service' is only for the grpc probe; this pool's probe is 'http'"],
            Problems(Config("""  "health": { "probe": "http", "service": "x" }, """)));
    }

    [Fact]
    public void Parse_GrpcFieldsOnTcp_Reported()
    {
        var json = Config("""
            "httpVersion": 2, "health": { "probe": "grpc" }, "passive": { "grpcFailureStatuses": ["INTERNAL"] },
            """, "tcp");

        Assert.Equal(
            [
                "pools.p.httpVersion: 'httpVersion' is only for http pools; a tcp pool speaks no HTTP",
                "pools.p.health.probe: the grpc probe is only for http pools; a tcp pool speaks no HTTP",
                "pools.p.passive.grpcFailureStatuses: 'grpcFailureStatuses' is only for http pools; a tcp pool speaks no HTTP",
            ],
            Problems(json));
    }

    [Fact]
    public void Diff_HttpVersionAndService_ShownAsChanges()
    {
        var from = Parse(Config("""  "health": { "probe": "grpc" }, """)).Config!;
        var to = Parse(Config("""  "httpVersion": 2, "health": { "probe": "grpc", "service": "bt.Echo" }, "passive": { "grpcFailureStatuses": ["INTERNAL"] }, """)).Config!;

        var change = Assert.Single(ConfigDiff.Compute(from, to));

        Assert.Equal("pool p", change.Subject);
        Assert.Equal("""passive.grpcFailureStatuses ["UNAVAILABLE"] → ["INTERNAL"], httpVersion auto → 2, health.service none → bt.Echo""", change.Detail);
    }
}
