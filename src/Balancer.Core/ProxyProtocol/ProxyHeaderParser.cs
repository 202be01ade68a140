using System.Buffers;
using System.Buffers.Binary;
using System.Net;

namespace Balancer.Core.ProxyProtocol;

/// <summary>
/// Parses the PROXY protocol header (v1 or v2) that starts an inbound connection
/// (haproxy.org/download/2.8/doc/proxy-protocol.txt). Works on whatever bytes have arrived: says
/// <see cref="ProxyParseStatus.Incomplete"/> until a whole header is there, and never throws.
/// </summary>
public static class ProxyHeaderParser
{
    /// <summary>Section 2.1: a v1 header, CRLF included, is at most 107 bytes.</summary>
    public const int V1MaxLength = 107;

    /// <summary>Section 2.2: a v2 header is 16 bytes plus at most 65535 of addresses and TLVs.</summary>
    public const int V2MaxLength = 16 + ushort.MaxValue;

    // The largest address block, AF_UNIX: two 108-byte paths (section 2.2). TLVs after it are skipped.
    private const int V2AddressesMax = 216;

    private static ReadOnlySpan<byte> V1Prefix => "PROXY "u8;

    /// <summary>Parses the start of <paramref name="input"/>; <see cref="ProxyParseResult.Consumed"/> bytes belong to the header.</summary>
    public static ProxyParseResult Parse(ReadOnlySequence<byte> input)
    {
        Span<byte> head = stackalloc byte[16 + V2AddressesMax];
        var length = (int)Math.Min(input.Length, head.Length);
        input.Slice(0, length).CopyTo(head);
        head = head[..length];
        if (head.IsEmpty)
        {
            return ProxyParseResult.Incomplete;
        }

        if (head[0] == ProxyHeader.V2Signature[0])
        {
            return ParseV2(head, input.Length);
        }

        var prefix = Math.Min(head.Length, V1Prefix.Length);
        if (!head[..prefix].SequenceEqual(V1Prefix[..prefix]))
        {
            return ProxyParseResult.Invalid("the connection does not start with a PROXY protocol header");
        }

        var end = head[..Math.Min(head.Length, V1MaxLength)].IndexOf("\r\n"u8);
        if (end < 0)
        {
            return head.Length >= V1MaxLength
                ? ProxyParseResult.Invalid($"PROXY v1 header has no CRLF within {V1MaxLength} bytes")
                : ProxyParseResult.Incomplete;
        }

        return ProxyV1Line.Parse(head[V1Prefix.Length..end]) is { } header
            ? ProxyParseResult.Done(header, end + 2)
            : ProxyParseResult.Invalid("malformed PROXY v1 header");
    }

    private static ProxyParseResult ParseV2(ReadOnlySpan<byte> head, long available)
    {
        var signature = ProxyHeader.V2Signature;
        var prefix = Math.Min(head.Length, signature.Length);
        if (!head[..prefix].SequenceEqual(signature[..prefix]))
        {
            return ProxyParseResult.Invalid("the connection does not start with a PROXY protocol header");
        }

        if (head.Length < 16)
        {
            return ProxyParseResult.Incomplete;
        }

        var versionCommand = head[12];
        if (versionCommand >> 4 != 2 || (versionCommand & 0x0F) > 1)
        {
            return ProxyParseResult.Invalid($"PROXY v2 header has unknown version/command 0x{versionCommand:x2}");
        }

        var total = 16 + BinaryPrimitives.ReadUInt16BigEndian(head[14..]);
        if (available < total)
        {
            return ProxyParseResult.Incomplete;
        }

        // LOCAL (health checks of the sender itself) and AF_UNSPEC/AF_UNIX carry no usable client address.
        var family = head[13] >> 4;
        var local = (versionCommand & 0x0F) == 0;
        var size = family switch { 1 => 4, 2 => 16, _ => 0 };
        if (local || size == 0)
        {
            return family > 3 ? ProxyParseResult.Invalid("PROXY v2 header has an unknown address family") : ProxyParseResult.Done(ProxyHeader.Unknown, total);
        }

        if (total - 16 < (size * 2) + 4)
        {
            return ProxyParseResult.Invalid("PROXY v2 header is too short for its address family");
        }

        var body = head[16..];
        var source = new IPEndPoint(new IPAddress(body[..size]), BinaryPrimitives.ReadUInt16BigEndian(body[(size * 2)..]));
        var destination = new IPEndPoint(new IPAddress(body[size..(size * 2)]), BinaryPrimitives.ReadUInt16BigEndian(body[((size * 2) + 2)..]));
        return ProxyParseResult.Done(new ProxyHeader(source, destination), total);
    }
}
