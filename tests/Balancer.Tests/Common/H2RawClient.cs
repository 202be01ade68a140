using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace Balancer.Tests.Common;

/// <summary>What became of one HTTP/2 stream: a response status, a stream reset, or the whole connection ended.</summary>
public sealed record H2Outcome(int? Status, int? ResetCode, int? GoAwayCode, bool Closed, string Body)
{
    /// <summary>RFC 9113 §7 PROTOCOL_ERROR.</summary>
    public const int ProtocolError = 0x1;

    public override string ToString() => $"status {Status?.ToString() ?? "-"}, RST_STREAM {ResetCode?.ToString() ?? "-"}, GOAWAY {GoAwayCode?.ToString() ?? "-"}, closed {Closed}";
}

/// <summary>
/// A bare HTTP/2 client over cleartext with prior knowledge (RFC 9113 §3.3) that writes its own frames, so a test can
/// send what real clients never would (uppercase names, connection-specific fields, huge pseudo-headers) and see the
/// frames the server answers with (HEADERS, RST_STREAM, GOAWAY) as they are. Header blocks are HPACK literals without
/// indexing and without Huffman coding; only the <c>:status</c> of a response is decoded.
/// </summary>
public sealed class H2RawClient : IDisposable
{
    private const byte Data = 0x0, Headers = 0x1, RstStream = 0x3, Settings = 0x4, Ping = 0x6, GoAway = 0x7, Continuation = 0x9;
    private const byte EndStream = 0x1, EndHeaders = 0x4, Ack = 0x1;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;

    private H2RawClient(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
    }

    /// <summary>The server's SETTINGS, by identifier (RFC 9113 §6.5.2; 0x8 is RFC 8441's ENABLE_CONNECT_PROTOCOL).</summary>
    public Dictionary<int, uint> ServerSettings { get; } = [];

    /// <summary>Connects and sends the preface and an empty SETTINGS frame.</summary>
    public static async Task<H2RawClient> ConnectAsync(string address)
    {
        var client = new H2RawClient(await TcpTestClient.ConnectAsync(address));
        await client._stream.WriteAsync("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray());
        await client.WriteFrameAsync(Settings, 0, 0, []);
        return client;
    }

    /// <summary>A request's header block, pseudo-headers first as given; names are sent exactly as written.</summary>
    public Task SendHeadersAsync(int streamId, IEnumerable<(string Name, string Value)> fields, bool endStream = true)
    {
        var block = new MemoryStream();
        foreach (var (name, value) in fields)
        {
            block.WriteByte(0x00); // literal header field without indexing, new name (RFC 7541 §6.2.2)
            WriteString(block, name);
            WriteString(block, value);
        }

        return WriteFrameAsync(Headers, (byte)(EndHeaders | (endStream ? EndStream : 0)), streamId, block.ToArray());
    }

    /// <summary>A GET of <paramref name="path"/> with <paramref name="extra"/> fields after the pseudo-headers.</summary>
    public Task SendGetAsync(int streamId, string path, params (string Name, string Value)[] extra) =>
        SendHeadersAsync(streamId, [(":method", "GET"), (":scheme", "http"), (":authority", "localhost"), (":path", path), .. extra]);

    public Task SendDataAsync(int streamId, byte[] data, bool endStream) => WriteFrameAsync(Data, endStream ? EndStream : (byte)0, streamId, data);

    /// <summary>Reads frames until <paramref name="streamId"/> gets its response headers (and body), a reset, or the connection ends.</summary>
    public async Task<H2Outcome> ReadOutcomeAsync(int streamId, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        int? status = null;
        var body = new StringBuilder();
        try
        {
            while (true)
            {
                var (type, flags, id, payload) = await ReadFrameAsync(cts.Token);
                switch (type)
                {
                    case Settings when (flags & Ack) == 0:
                        for (var i = 0; i + 6 <= payload.Length; i += 6)
                        {
                            ServerSettings[BinaryPrimitives.ReadUInt16BigEndian(payload.AsSpan(i))] = BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(i + 2));
                        }

                        await WriteFrameAsync(Settings, Ack, 0, []);
                        break;
                    case Ping when (flags & Ack) == 0:
                        await WriteFrameAsync(Ping, Ack, 0, payload);
                        break;
                    case GoAway:
                        return new H2Outcome(status, null, (int)BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(4)), false, body.ToString());
                    case RstStream when id == streamId:
                        return new H2Outcome(status, (int)BinaryPrimitives.ReadUInt32BigEndian(payload), null, false, body.ToString());
                    case Headers or Continuation when id == streamId:
                        status ??= DecodeStatus(Unpad(payload, flags, type));
                        if ((flags & EndStream) != 0)
                        {
                            return new H2Outcome(status, null, null, false, body.ToString());
                        }

                        break;
                    case Data when id == streamId:
                        body.Append(Encoding.UTF8.GetString(Unpad(payload, flags, type)));
                        if ((flags & EndStream) != 0)
                        {
                            return new H2Outcome(status, null, null, false, body.ToString());
                        }

                        break;
                }
            }
        }
        catch (EndOfStreamException)
        {
            return new H2Outcome(status, null, null, true, body.ToString());
        }
    }

    public void Dispose()
    {
        _stream.Dispose();
        _socket.Dispose();
    }

    private async Task WriteFrameAsync(byte type, byte flags, int streamId, byte[] payload)
    {
        var frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), streamId);
        payload.CopyTo(frame, 9);
        await _stream.WriteAsync(frame);
    }

    private async Task<(byte Type, byte Flags, int StreamId, byte[] Payload)> ReadFrameAsync(CancellationToken cancellationToken)
    {
        var head = new byte[9];
        await _stream.ReadExactlyAsync(head, cancellationToken);
        var length = (head[0] << 16) | (head[1] << 8) | head[2];
        var payload = new byte[length];
        await _stream.ReadExactlyAsync(payload, cancellationToken);
        return (head[3], head[4], BinaryPrimitives.ReadInt32BigEndian(head.AsSpan(5)) & int.MaxValue, payload);
    }

    private static byte[] Unpad(byte[] payload, byte flags, byte type)
    {
        var start = 0;
        var end = payload.Length;
        if ((flags & 0x8) != 0 && type is Headers or Data)
        {
            start = 1;
            end -= payload[0];
        }

        if ((flags & 0x20) != 0 && type == Headers)
        {
            start += 5; // PRIORITY
        }

        return payload[start..end];
    }

    /// <summary>The <c>:status</c> of a response block, which servers send first (RFC 9113 §8.3).</summary>
    private static int DecodeStatus(byte[] block)
    {
        var first = block[0];
        if ((first & 0x80) != 0)
        {
            // Indexed field: static table entries 8-14 are :status 200, 204, 206, 304, 400, 404, 500 (RFC 7541 appendix A).
            return (first & 0x7F) switch { 8 => 200, 9 => 204, 10 => 206, 11 => 304, 12 => 400, 13 => 404, 14 => 500, var i => throw new InvalidDataException($"indexed field {i} first") };
        }

        // A literal with an indexed name (:status is 8..14), without/never (4-bit prefix) or with indexing (6-bit).
        var index = (first & 0x40) != 0 ? first & 0x3F : first & 0x0F;
        if (index is < 8 or > 14 || (block[1] & 0x80) != 0)
        {
            throw new InvalidDataException($"cannot decode a :status from 0x{first:x2} 0x{block[1]:x2}");
        }

        return int.Parse(Encoding.ASCII.GetString(block, 2, block[1] & 0x7F), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void WriteString(MemoryStream output, string value)
    {
        var bytes = Encoding.Latin1.GetBytes(value);
        WriteInteger(output, bytes.Length, 7, 0x00);
        output.Write(bytes);
    }

    /// <summary>RFC 7541 §5.1 integer with an <paramref name="prefixBits"/>-bit prefix.</summary>
    private static void WriteInteger(MemoryStream output, int value, int prefixBits, byte flags)
    {
        var max = (1 << prefixBits) - 1;
        if (value < max)
        {
            output.WriteByte((byte)(flags | value));
            return;
        }

        output.WriteByte((byte)(flags | max));
        value -= max;
        while (value >= 128)
        {
            output.WriteByte((byte)((value & 0x7F) | 0x80));
            value >>= 7;
        }

        output.WriteByte((byte)value);
    }
}
