using System.Buffers.Binary;
using System.Text;

namespace Balancer.Core.Grpc;

/// <summary>
/// The two messages of the standard gRPC health check (grpc/grpc doc/health-checking.md, <c>grpc.health.v1</c>) in
/// their gRPC framing (doc/PROTOCOL-HTTP2.md, Length-Prefixed-Message): the request <c>HealthCheckRequest { string
/// service = 1; }</c> and the response <c>HealthCheckResponse { ServingStatus status = 1; }</c>. Hand-written protobuf:
/// two fields do not justify a code generator and a runtime in the proxy.
/// </summary>
public static class GrpcHealthCodec
{
    /// <summary>The method a probe calls.</summary>
    public const string CheckPath = "/grpc.health.v1.Health/Check";

    /// <summary>The response's <c>status</c> that passes.</summary>
    public const int Serving = 1;

    private const int FrameHeaderLength = 5;
    private static readonly string[] s_statusNames = ["UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"];

    /// <summary>A framed <c>HealthCheckRequest</c> for <paramref name="service"/> (null or empty: the server as a whole).</summary>
    public static byte[] EncodeRequest(string? service)
    {
        var name = Encoding.UTF8.GetBytes(service ?? "");
        var lengthSize = name.Length == 0 ? 0 : VarintSize((uint)name.Length);
        var messageLength = name.Length == 0 ? 0 : 1 + lengthSize + name.Length; // proto3 leaves an empty string out
        var frame = new byte[FrameHeaderLength + messageLength];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)messageLength);
        if (messageLength > 0)
        {
            frame[FrameHeaderLength] = 0x0A; // field 1, wire type 2 (length-delimited)
            var at = FrameHeaderLength + 1;
            for (var value = (uint)name.Length; ; value >>= 7)
            {
                frame[at++] = (byte)(value < 0x80 ? value : (value & 0x7F) | 0x80);
                if (value < 0x80)
                {
                    break;
                }
            }

            name.CopyTo(frame, at);
        }

        return frame;
    }

    /// <summary>
    /// Reads the serving status from a response body holding one framed <c>HealthCheckResponse</c>; false with a short
    /// reason when the body is not one.
    /// </summary>
    public static bool TryDecodeResponse(ReadOnlySpan<byte> body, out int status, out string? error)
    {
        status = 0;
        if (body.Length < FrameHeaderLength)
        {
            error = body.IsEmpty ? "no response message" : "truncated response frame";
            return false;
        }

        if (body[0] != 0)
        {
            error = "compressed response message (none was accepted)";
            return false;
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(body[1..]);
        if (length > (uint)(body.Length - FrameHeaderLength))
        {
            error = "truncated response message";
            return false;
        }

        var message = body.Slice(FrameHeaderLength, (int)length);
        while (!message.IsEmpty)
        {
            if (!TryReadVarint(ref message, out var tag))
            {
                error = "malformed response message";
                return false;
            }

            var wireType = (int)(tag & 7);
            if (tag >> 3 == 1 && wireType == 0)
            {
                if (!TryReadVarint(ref message, out var value))
                {
                    error = "malformed response message";
                    return false;
                }

                status = (int)value; // proto3: the last occurrence wins; an open enum keeps unknown values
                continue;
            }

            if (!TrySkip(ref message, wireType))
            {
                error = "malformed response message";
                return false;
            }
        }

        error = null;
        return true;
    }

    /// <summary>The name of a <c>ServingStatus</c> value, for probe details.</summary>
    public static string StatusName(int status) => (uint)status < (uint)s_statusNames.Length ? s_statusNames[status] : $"status {status}";

    private static int VarintSize(uint value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }

        return size;
    }

    private static bool TryReadVarint(ref ReadOnlySpan<byte> data, out ulong value)
    {
        value = 0;
        for (var i = 0; i < 10 && i < data.Length; i++)
        {
            value |= (ulong)(data[i] & 0x7F) << (7 * i);
            if (data[i] < 0x80)
            {
                data = data[(i + 1)..];
                return true;
            }
        }

        return false;
    }

    private static bool TrySkip(ref ReadOnlySpan<byte> data, int wireType)
    {
        switch (wireType)
        {
            case 0:
                return TryReadVarint(ref data, out _);
            case 1 or 5:
                var size = wireType == 1 ? 8 : 4;
                if (data.Length < size)
                {
                    return false;
                }

                data = data[size..];
                return true;
            case 2:
                if (!TryReadVarint(ref data, out var length) || length > (ulong)data.Length)
                {
                    return false;
                }

                data = data[(int)length..];
                return true;
            default:
                return false; // groups (3, 4) are not proto3; 6 and 7 do not exist
        }
    }
}
