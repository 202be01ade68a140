using System.Net.Sockets;
using Balancer.Core.Configuration;
using Balancer.Core.Health;

namespace Balancer.Health;

/// <summary>One active probe of one backend; ends by its timeout whatever the backend does.</summary>
internal interface IProbe
{
    Task<ProbeResult> ProbeAsync(string address, HealthConfig health, CancellationToken cancellationToken);
}

/// <summary>Turns socket and HTTP failures into the short details health logs show.</summary>
internal static class ProbeErrors
{
    public static string Describe(Exception e) => e switch
    {
        SocketException s => Describe(s.SocketErrorCode),
        HttpRequestException { InnerException: SocketException s } => Describe(s.SocketErrorCode),
        HttpRequestException { InnerException: IOException io } => $"connection lost: {io.Message}",
        HttpRequestException h => h.Message,
        IOException io => $"connection lost: {io.Message}",
        _ => e.Message,
    };

    public static string Describe(SocketError error) => error switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.ConnectionReset => "connection reset",
        SocketError.TimedOut => "connect timeout",
        SocketError.HostUnreachable or SocketError.NetworkUnreachable => "unreachable",
        SocketError.HostNotFound or SocketError.NoData => "host not found",
        _ => error.ToString(),
    };
}
