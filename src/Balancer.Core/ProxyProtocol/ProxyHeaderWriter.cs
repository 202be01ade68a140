using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Balancer.Core.Configuration;

namespace Balancer.Core.ProxyProtocol;

/// <summary>Writes PROXY protocol headers (haproxy.org/download/2.8/doc/proxy-protocol.txt) for the connections sent to a backend.</summary>
public static class ProxyHeaderWriter
{
    /// <summary>Room enough for any header this writer produces (v1 TCP6 is at most 104 bytes, spec section 2.1).</summary>
    public const int MaxLength = 108;

    private const byte V2ProxyCommand = 0x21; // version 2 (high nibble), PROXY (low nibble)
    private const byte V2Inet = 0x11; // AF_INET, STREAM
    private const byte V2Inet6 = 0x21; // AF_INET6, STREAM
    private const byte V2Unspec = 0x00; // AF_UNSPEC, UNSPEC

    /// <summary>Writes the <paramref name="version"/> (<c>v1</c> or <c>v2</c>) header into <paramref name="destination"/>; returns its length.</summary>
    public static int Write(string version, ProxyHeader header, Span<byte> destination) =>
        version == ProxyProtocolVersions.V2 ? WriteV2(header, destination) : WriteV1(header, destination);

    /// <summary>Section 2.1: <c>PROXY TCP4|TCP6 src dst sport dport\r\n</c>, or <c>PROXY UNKNOWN\r\n</c>.</summary>
    public static int WriteV1(ProxyHeader header, Span<byte> destination)
    {
        if (header.SameFamily() is not var (source, target))
        {
            return Ascii("PROXY UNKNOWN\r\n", destination);
        }

        var written = Ascii(source.AddressFamily == AddressFamily.InterNetwork ? "PROXY TCP4 " : "PROXY TCP6 ", destination);
        written += Format(source.Address, destination[written..]);
        destination[written++] = (byte)' ';
        written += Format(target.Address, destination[written..]);
        destination[written++] = (byte)' ';
        written += Format(source.Port, destination[written..]);
        destination[written++] = (byte)' ';
        written += Format(target.Port, destination[written..]);
        return written + Ascii("\r\n", destination[written..]);
    }

    /// <summary>Section 2.2: signature, PROXY command, family, length, then the addresses and ports in network order.</summary>
    public static int WriteV2(ProxyHeader header, Span<byte> destination)
    {
        ProxyHeader.V2Signature.CopyTo(destination);
        destination[12] = V2ProxyCommand;
        if (header.SameFamily() is not var (source, target))
        {
            destination[13] = V2Unspec;
            BinaryPrimitives.WriteUInt16BigEndian(destination[14..], 0);
            return 16;
        }

        var ipv4 = source.AddressFamily == AddressFamily.InterNetwork;
        var size = ipv4 ? 4 : 16;
        destination[13] = ipv4 ? V2Inet : V2Inet6;
        BinaryPrimitives.WriteUInt16BigEndian(destination[14..], (ushort)((size * 2) + 4));
        var body = destination[16..];
        source.Address.TryWriteBytes(body, out _);
        target.Address.TryWriteBytes(body[size..], out _);
        BinaryPrimitives.WriteUInt16BigEndian(body[(size * 2)..], (ushort)source.Port);
        BinaryPrimitives.WriteUInt16BigEndian(body[((size * 2) + 2)..], (ushort)target.Port);
        return 16 + (size * 2) + 4;
    }

    private static int Ascii(string text, Span<byte> destination) => Encoding.ASCII.GetBytes(text, destination);

    private static int Format(IPAddress address, Span<byte> destination)
    {
        address.TryFormat(destination, out var written);
        return written;
    }

    private static int Format(int port, Span<byte> destination)
    {
        port.TryFormat(destination, out var written, default, System.Globalization.CultureInfo.InvariantCulture);
        return written;
    }
}
