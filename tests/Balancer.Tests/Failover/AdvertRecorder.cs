using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Balancer.Tests.Failover;

/// <summary>
/// Records the adverts a namespace receives from one address, as an attacker on the path would: a raw UDP socket
/// sees a copy of every datagram; kept are the payloads from <c>source</c> to port <c>port</c>, with their timing.
/// </summary>
internal sealed class AdvertRecorder(string netns, IPAddress source, int port)
{
    /// <summary>Records for <paramref name="duration"/> (bounded; a receive waits at most 200 ms).</summary>
    public List<(TimeSpan At, byte[] Payload)> Record(TimeSpan duration)
    {
        using var sniffer = NetnsSocket.UdpSniffer(netns);
        sniffer.ReceiveTimeout = 200;
        var recorded = new List<(TimeSpan, byte[])>();
        var buffer = new byte[65536];
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            int length;
            try
            {
                length = sniffer.Receive(buffer);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
            {
                continue;
            }

            var header = (buffer[0] & 0x0F) * 4;
            if (length > header + 8 && new IPAddress(buffer.AsSpan(12, 4)).Equals(source) && (buffer[header + 2] << 8 | buffer[header + 3]) == port)
            {
                recorded.Add((clock.Elapsed, buffer[(header + 8)..length]));
            }
        }

        return recorded;
    }
}
