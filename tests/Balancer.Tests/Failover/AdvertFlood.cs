using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Balancer.Tests.Failover;

/// <summary>
/// What an attacker on the heartbeat network sends (#26 item 3): malformed, forged and replayed datagrams in equal
/// parts, from a raw socket with the peer's address as the source, at a fixed rate for a fixed time (bounded both ways).
/// </summary>
internal static class AdvertFlood
{
    /// <summary>
    /// Sends <paramref name="perSecond"/> datagrams a second for <paramref name="duration"/> to <paramref name="target"/>;
    /// returns how many it sent. <paramref name="recorded"/> are real adverts: replayed as they are, and forged by
    /// changing their MAC (framing and key id right, so each costs the receiver a MAC).
    /// </summary>
    public static long Run(Socket raw, IPEndPoint spoofedSource, IPEndPoint target, IReadOnlyList<byte[]> recorded, int perSecond, TimeSpan duration)
    {
        var random = new Random(2026);
        var packets = new List<byte[]>();
        for (var i = 0; i < 300; i++)
        {
            var payload = (i % 3) switch
            {
                0 => RandomBytes(random, random.Next(1, 220)),
                1 => Forged(random, recorded[i % recorded.Count]),
                _ => recorded[i % recorded.Count],
            };
            packets.Add(NetnsSocket.UdpPacket(spoofedSource, target, payload));
        }

        var to = new IPEndPoint(target.Address, 0);
        var clock = Stopwatch.StartNew();
        long sent = 0;
        while (clock.Elapsed < duration)
        {
            for (var due = (long)(clock.Elapsed.TotalSeconds * perSecond); sent < due; sent++)
            {
                raw.SendTo(packets[(int)(sent % packets.Count)], to);
            }

            Thread.Sleep(1);
        }

        return sent;
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Forged(Random random, byte[] advert)
    {
        var forged = (byte[])advert.Clone();
        random.NextBytes(forged.AsSpan(forged.Length - 32)); // the MAC: a guess
        forged[7] = 255;                                      // the priority a forger wants
        return forged;
    }
}
