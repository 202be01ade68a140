using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Balancer.Core.ProxyProtocol;

/// <summary>
/// The fields of a v1 header after <c>PROXY </c> and before CRLF (spec section 2.1): exactly one space
/// between fields, <c>TCP4</c> with dotted-quad addresses, <c>TCP6</c> with IPv6 ones, decimal ports.
/// </summary>
internal static class ProxyV1Line
{
    /// <summary>The header, or null when the line is malformed.</summary>
    public static ProxyHeader? Parse(ReadOnlySpan<byte> line)
    {
        // "UNKNOWN" may be followed by anything up to CRLF, which the receiver ignores.
        if (line.StartsWith("UNKNOWN"u8) && (line.Length == 7 || line[7] == (byte)' '))
        {
            return ProxyHeader.Unknown;
        }

        Span<Range> fields = stackalloc Range[5];
        var count = 0;
        foreach (var field in line.Split((byte)' '))
        {
            if (count == fields.Length)
            {
                return null;
            }

            fields[count++] = field;
        }

        if (count != fields.Length)
        {
            return null;
        }

        var proto = line[fields[0]];
        var family = proto.SequenceEqual("TCP4"u8) ? AddressFamily.InterNetwork
            : proto.SequenceEqual("TCP6"u8) ? AddressFamily.InterNetworkV6
            : AddressFamily.Unknown;
        if (family == AddressFamily.Unknown
            || Address(line[fields[1]], family) is not { } source || Address(line[fields[2]], family) is not { } destination
            || Port(line[fields[3]]) is not { } sourcePort || Port(line[fields[4]]) is not { } destinationPort)
        {
            return null;
        }

        return new ProxyHeader(new IPEndPoint(source, sourcePort), new IPEndPoint(destination, destinationPort));
    }

    private static IPAddress? Address(ReadOnlySpan<byte> text, AddressFamily family)
    {
        // IPAddress.TryParse also takes "10.1" or "fe80::1%eth0"; the spec allows only the plain forms.
        if (text.IsEmpty || text.Length > 45 || (family == AddressFamily.InterNetwork && (text.Count((byte)'.') != 3 || text.IndexOfAnyExcept("0123456789."u8) >= 0)))
        {
            return null;
        }

        if (text.IndexOfAnyExcept("0123456789abcdefABCDEF:."u8) >= 0)
        {
            return null;
        }

        Span<char> chars = stackalloc char[text.Length];
        Encoding.ASCII.GetChars(text, chars);
        return IPAddress.TryParse(chars, out var address) && address.AddressFamily == family ? address : null;
    }

    private static int? Port(ReadOnlySpan<byte> text) =>
        text.Length is > 0 and <= 5 && text.IndexOfAnyExcept("0123456789"u8) < 0
        && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= ushort.MaxValue
            ? port
            : null;
}
