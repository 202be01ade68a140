using Balancer.Tests.Common;
using Grpc.Net.Client;

namespace Balancer.Tests.Grpc;

/// <summary>Configs and clients of the gRPC tests: a balancer whose pool <c>web</c> speaks HTTP/2 to gRPC backends.</summary>
internal static class GrpcClients
{
    /// <summary>A config whose pool <c>web</c> has <c>httpVersion</c> 2, <paramref name="poolFields"/> (each ending with a comma) and the backends.</summary>
    public static string Config(string poolFields, params GrpcTestBackend[] backends) =>
        TestBalancer.PoolConfig("round-robin", $""" "httpVersion": "2", {poolFields}""", [.. backends.Select(b => (b.ConfigAddress, 1))]);

    /// <summary>One channel (one HTTP/2 connection) to the balancer's listener.</summary>
    public static GrpcChannel Channel(TestBalancer balancer) => GrpcChannel.ForAddress(balancer.ProxyAddress, new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = false },
        DisposeHttpClient = true,
    });

    /// <summary>A deadline generous enough for any call of these tests: none may hang the suite.</summary>
    public static DateTime Deadline => DateTime.UtcNow.AddSeconds(30);
}
