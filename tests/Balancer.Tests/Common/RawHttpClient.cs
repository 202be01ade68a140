using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Balancer.Tests.Common;

/// <summary>What came back on a raw connection: the bytes, and whether the server closed it.</summary>
public sealed partial record RawExchange(byte[] Response, bool Closed)
{
    /// <summary>The status codes of every response in <see cref="Response"/>, in order.</summary>
    public IReadOnlyList<int> Statuses =>
        [.. StatusLine().Matches(Encoding.Latin1.GetString(Response)).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))];

    public override string ToString() => RecordedRequest.Escape(Encoding.Latin1.GetString(Response.AsSpan(0, Math.Min(Response.Length, 300))));

    [GeneratedRegex(@"(?:^|\r\n)HTTP/1\.[01] (\d{3}) ")]
    private static partial Regex StatusLine();
}

/// <summary>Sends raw bytes over a fresh TCP connection and collects what comes back, bounded in time.</summary>
public static class RawHttpClient
{
    /// <summary>
    /// Sends <paramref name="request"/>, then reads until the server closes, or <paramref name="idle"/> passes
    /// without a byte once something arrived, or <paramref name="limit"/> passes in all.
    /// </summary>
    public static async Task<RawExchange> ExchangeAsync(string address, byte[] request, TimeSpan idle, TimeSpan limit)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPEndPoint.Parse(address));
        try
        {
            await socket.SendAsync(request);
        }
        catch (SocketException)
        {
            // The server may close while a long request is still being written; what it answered still counts.
        }

        using var all = new MemoryStream();
        var buffer = new byte[16 * 1024];
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            var wait = all.Length == 0 ? deadline - DateTime.UtcNow : idle;
            using var cts = new CancellationTokenSource(wait < TimeSpan.Zero ? TimeSpan.Zero : wait);
            try
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                if (read == 0)
                {
                    return new RawExchange(all.ToArray(), true);
                }

                all.Write(buffer, 0, read);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (SocketException)
            {
                return new RawExchange(all.ToArray(), true); // reset: closed
            }
        }

        return new RawExchange(all.ToArray(), false);
    }
}
