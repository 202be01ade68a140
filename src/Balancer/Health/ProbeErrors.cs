using System.Net.Sockets;
using Balancer.Core.Configuration;
using Balancer.Core.Health;

namespace Balancer.Health;

/// <summary>Turns socket and HTTP failures into the short details health logs show.</summary>
internal static class ProbeErrors
{
    /// <summary>
    /// Runs one HTTP-based probe under its timeout: the token <paramref name="probe"/> gets fires at the timeout or when
    /// probing stops; a timeout, an HTTP or a connection failure becomes a failed result with a short detail.
    /// </summary>
    public static async Task<ProbeResult> RunAsync(TimeSpan timeout, CancellationToken cancellationToken, Func<CancellationToken, Task<ProbeResult>> probe)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            return await probe(deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ProbeResult.Fail($"timeout after {Durations.Format(timeout)}");
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return ProbeResult.Fail(Describe(e));
        }
    }

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
