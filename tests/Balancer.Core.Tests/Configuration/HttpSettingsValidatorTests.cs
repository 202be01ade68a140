using Balancer.Core.Configuration;

namespace Balancer.Core.Tests.Configuration;

/// <summary>The L7 hardening fields: trusted proxies, listener limits, per-backend and per-pool request caps.</summary>
public sealed class HttpSettingsValidatorTests
{
    private static string Config(string listenerFields, string poolFields, string protocol = "http") => $$"""
        {
          "listeners": { "l": { "protocol": "{{protocol}}", "bind": "127.0.0.1:0", {{listenerFields}}
                                {{(protocol == "http" ? "\"routes\": [ { \"pool\": \"p\" } ]" : "\"pool\": \"p\"")}} } },
          "pools": { "p": { {{poolFields}} "backends": [ { "address": "{{(protocol == "http" ? "http://127.0.0.1:1" : "127.0.0.1:1")}}" } ] } }
        }
        """;

    private static string[] Problems(string json) => [.. ConfigLoader.Parse(json, "c.json").Errors.Select(e => e.Path + ": " + e.Message)];

    [Fact]
    public void Parse_AllFieldsSet_BoundAsWritten()
    {
        var json = Config(
            """
            "trustedProxies": ["10.0.0.0/8", "192.0.2.7", "fd00::/8"], "forwarder": "yarp",
            "limits": { "maxConcurrentConnections": 5, "maxRequestHeadersTotalSize": 4096, "maxRequestLineSize": 1024,
                        "maxRequestHeaderCount": 20, "requestHeadersTimeout": "1s", "keepAliveTimeout": "2s", "maxRequestBodySize": 10,
                        "minRequestBodyDataRate": 100, "minResponseDataRate": 50, "minDataRateGracePeriod": "3s",
                        "http2MaxStreamsPerConnection": 7 },
            """,
            """ "maxRequestsPerBackend": 3, "maxPendingRequests": 9, """);

        var result = ConfigLoader.Parse(json, "c.json");

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var listener = result.Config!.Listeners["l"];
        Assert.Equal(["10.0.0.0/8", "192.0.2.7", "fd00::/8"], listener.TrustedProxies);
        Assert.Equal(ListenerForwarders.Yarp, listener.Forwarder);
        Assert.Equal(
            new ListenerLimitsConfig
            {
                MaxConcurrentConnections = 5, MaxRequestHeadersTotalSize = 4096, MaxRequestLineSize = 1024,
                MaxRequestHeaderCount = 20, RequestHeadersTimeout = TimeSpan.FromSeconds(1), KeepAliveTimeout = TimeSpan.FromSeconds(2), MaxRequestBodySize = 10,
                MinRequestBodyDataRate = 100, MinResponseDataRate = 50, MinDataRateGracePeriod = TimeSpan.FromSeconds(3),
                Http2MaxStreamsPerConnection = 7,
            },
            listener.Limits);
        Assert.Equal((3, 9), (result.Config.Pools["p"].MaxRequestsPerBackend, result.Config.Pools["p"].MaxPendingRequests));
    }

    [Fact]
    public void Parse_Defaults_AreTheDocumentedOnes()
    {
        var result = ConfigLoader.Parse(Config("", ""), "c.json");

        var limits = result.Config!.Listeners["l"].Limits;
        Assert.Equal((10_000, 32 * 1024, 8 * 1024, 100 * 1024 * 1024, 240, 240, 100), (limits.MaxConcurrentConnections, limits.MaxRequestHeadersTotalSize,
            limits.MaxRequestLineSize, limits.MaxRequestBodySize, limits.MinRequestBodyDataRate, limits.MinResponseDataRate, limits.Http2MaxStreamsPerConnection));
        Assert.Equal(100, limits.MaxRequestHeaderCount);
        Assert.Equal((10, 75, 5), ((int)limits.RequestHeadersTimeout.TotalSeconds, (int)limits.KeepAliveTimeout.TotalSeconds, (int)limits.MinDataRateGracePeriod.TotalSeconds));
        Assert.Empty(result.Config.Listeners["l"].TrustedProxies);
        Assert.Equal(ListenerForwarders.Auto, result.Config.Listeners["l"].Forwarder);
    }

    [Fact]
    public void Parse_BadValues_EachReported()
    {
        var json = Config(
            """
            "trustedProxies": ["10.0.0.0/33", "example.com", "10.0.0.300"],
            "limits": { "maxRequestLineSize": 0, "maxRequestHeaderCount": 0, "requestHeadersTimeout": "0s", "http2MaxStreamsPerConnection": 0, "maxRequestBodysize": 1 },
            """,
            """ "maxRequestsPerBackend": -1, "maxPendingRequests": -2, """);

        Assert.Equal(
            [
                "listeners.l.trustedProxies[0]: '10.0.0.0/33' is not an IP address or CIDR block, e.g. 10.0.0.7 or 10.0.0.0/8",
                "listeners.l.trustedProxies[1]: 'example.com' is not an IP address or CIDR block, e.g. 10.0.0.7 or 10.0.0.0/8",
                "listeners.l.trustedProxies[2]: '10.0.0.300' is not an IP address or CIDR block, e.g. 10.0.0.7 or 10.0.0.0/8",
                "listeners.l.limits.maxRequestLineSize: maxRequestLineSize must be at least 256, got 0",
                "listeners.l.limits.maxRequestHeaderCount: maxRequestHeaderCount must be 1-1000000, got 0",
                "listeners.l.limits.requestHeadersTimeout: requestHeadersTimeout must be more than zero",
                "listeners.l.limits.http2MaxStreamsPerConnection: http2MaxStreamsPerConnection must be 1-1000000, got 0",
                "listeners.l.limits.maxRequestBodysize: unknown field 'maxRequestBodysize' (did you mean 'maxRequestBodySize'?)",
                "pools.p.maxRequestsPerBackend: maxRequestsPerBackend must be 0-1000000, got -1",
                "pools.p.maxPendingRequests: maxPendingRequests must be 0-1000000, got -2",
            ],
            Problems(json));
    }

    [Fact]
    public void Parse_HttpFieldsOnTcp_Reported()
    {
        var json = Config("""  "trustedProxies": ["10.0.0.1"], "limits": { "maxRequestLineSize": 4096 }, """, """ "maxRequestsPerBackend": 1, "maxPendingRequests": 1, """, "tcp");

        Assert.Equal(
            [
                "listeners.l.trustedProxies: 'trustedProxies' is only for http listeners; remove it from this tcp listener",
                "listeners.l.limits: 'limits' is only for http listeners; remove it from this tcp listener",
                "pools.p.maxRequestsPerBackend: 'maxRequestsPerBackend' is only for http pools; remove it from this tcp pool",
                "pools.p.maxPendingRequests: 'maxPendingRequests' is only for http pools; remove it from this tcp pool",
            ],
            Problems(json));
    }
}
