using System.Net;
using System.Text;
using Balancer.Core.ProxyProtocol;

namespace Balancer.Core.Tests.ProxyProtocol;

/// <summary>Headers byte for byte against haproxy.org/download/2.8/doc/proxy-protocol.txt.</summary>
public sealed class ProxyHeaderWriterTests
{
    // Section 2.1's example connection: 192.168.0.1:56324 to 192.168.0.11:443.
    private static readonly ProxyHeader s_example = new(IPEndPoint.Parse("192.168.0.1:56324"), IPEndPoint.Parse("192.168.0.11:443"));

    [Fact]
    public void WriteV1_SpecExample_MatchesTheSpecText() =>
        Assert.Equal("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n", V1(s_example));

    [Fact]
    public void WriteV1_LongestTcp4_Is56Bytes()
    {
        var header = new ProxyHeader(IPEndPoint.Parse("255.255.255.255:65535"), IPEndPoint.Parse("255.255.255.255:65535"));

        Assert.Equal("PROXY TCP4 255.255.255.255 255.255.255.255 65535 65535\r\n", V1(header));
        Assert.Equal(56, V1(header).Length);
    }

    [Fact]
    public void WriteV1_Ipv6_UsesTcp6AndFitsTheSpecMaximum()
    {
        const string Max = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
        var header = new ProxyHeader(new IPEndPoint(IPAddress.Parse(Max), 65535), new IPEndPoint(IPAddress.Parse(Max), 65535));

        Assert.Equal($"PROXY TCP6 {Max} {Max} 65535 65535\r\n", V1(header));
        Assert.Equal(104, V1(header).Length);
        Assert.Equal("PROXY TCP6 2001:db8::1 ::1 1 2\r\n", V1(new(IPEndPoint.Parse("[2001:db8::1]:1"), IPEndPoint.Parse("[::1]:2"))));
    }

    [Fact]
    public void WriteV1_Unknown_IsTheShortForm() => Assert.Equal("PROXY UNKNOWN\r\n", V1(ProxyHeader.Unknown));

    [Fact]
    public void WriteV1_Ipv4MappedOnDualStackSocket_WrittenAsTcp4()
    {
        var header = new ProxyHeader(IPEndPoint.Parse("[::ffff:10.0.0.1]:5000"), IPEndPoint.Parse("[::ffff:10.0.0.2]:80"));

        Assert.Equal("PROXY TCP4 10.0.0.1 10.0.0.2 5000 80\r\n", V1(header));
    }

    [Fact]
    public void WriteV2_SpecExample_SignatureCommandFamilyLengthAddressesPorts()
    {
        byte[] expected =
        [
            0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, // section 2.2 signature
            0x21, // version 2, PROXY
            0x11, // AF_INET, STREAM
            0x00, 0x0C, // 12 bytes of addresses
            192, 168, 0, 1, 192, 168, 0, 11, // src, dst
            0xDC, 0x04, 0x01, 0xBB, // 56324, 443
        ];

        Assert.Equal(expected, V2(s_example));
    }

    [Fact]
    public void WriteV2_Ipv6_Is52BytesWithInet6Family()
    {
        var bytes = V2(new(IPEndPoint.Parse("[2001:db8::1]:1"), IPEndPoint.Parse("[::1]:2")));

        Assert.Equal(52, bytes.Length);
        Assert.Equal([0x21, 0x21, 0x00, 0x24], bytes[12..16]);
        Assert.Equal(IPAddress.Parse("2001:db8::1").GetAddressBytes(), bytes[16..32]);
        Assert.Equal(IPAddress.IPv6Loopback.GetAddressBytes(), bytes[32..48]);
        Assert.Equal([0x00, 0x01, 0x00, 0x02], bytes[48..52]);
    }

    [Fact]
    public void WriteV2_Unknown_IsUnspecWithNoAddresses() =>
        Assert.Equal([0x21, 0x00, 0x00, 0x00], V2(ProxyHeader.Unknown)[12..]);

    private static string V1(ProxyHeader header)
    {
        var buffer = new byte[ProxyHeaderWriter.MaxLength];
        return Encoding.ASCII.GetString(buffer, 0, ProxyHeaderWriter.WriteV1(header, buffer));
    }

    private static byte[] V2(ProxyHeader header)
    {
        var buffer = new byte[ProxyHeaderWriter.MaxLength];
        return buffer[..ProxyHeaderWriter.WriteV2(header, buffer)];
    }
}
