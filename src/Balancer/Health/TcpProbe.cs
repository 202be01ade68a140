using System.Net.Sockets;
using Balancer.Core.Configuration;
using Balancer.Core.Health;

namespace Balancer.Health;

/// <summary>Passes when a TCP connection to the backend opens within the timeout.</summary>
internal sealed class TcpProbe : IProbe
{
    public async Task<ProbeResult> ProbeAsync(string address, HealthConfig health, string httpVersion, CancellationToken cancellationToken)
    {
        var (host, port) = HostPort(address);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(health.Timeout);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, timeout.Token);
            return ProbeResult.Pass("connected");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ProbeResult.Fail($"connect timeout after {Durations.Format(health.Timeout)}");
        }
        catch (SocketException e)
        {
            return ProbeResult.Fail(ProbeErrors.Describe(e));
        }
    }

    /// <summary>Host and port of an <c>http(s)://</c> URI or a <c>host:port</c> address.</summary>
    public static (string Host, int Port) HostPort(string address)
    {
        if (address.Contains("://", StringComparison.Ordinal) && Uri.TryCreate(address, UriKind.Absolute, out var uri))
        {
            return (uri.IdnHost, uri.Port);
        }

        var colon = address.LastIndexOf(':');
        return (address[..colon].Trim('[', ']'), int.Parse(address[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }
}
