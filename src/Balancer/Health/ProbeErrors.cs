using System.Net.Sockets;

namespace Balancer.Health;

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
