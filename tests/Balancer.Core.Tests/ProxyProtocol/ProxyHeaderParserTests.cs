using System.Buffers;
using System.Net;
using System.Text;
using Balancer.Core.ProxyProtocol;
using Balancer.Core.Tests.TestDoubles;

namespace Balancer.Core.Tests.ProxyProtocol;

public sealed class ProxyHeaderParserTests
{
    [Fact]
    public void Parse_V1WithPayload_ConsumesOnlyTheHeader()
    {
        var result = Parse("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\nGET / HTTP/1.1\r\n");

        Assert.Equal(ProxyParseStatus.Done, result.Status);
        Assert.Equal(47, result.Consumed);
        Assert.Equal(IPEndPoint.Parse("192.168.0.1:56324"), result.Header!.Source);
        Assert.Equal(IPEndPoint.Parse("192.168.0.11:443"), result.Header.Destination);
    }

    [Theory]
    [InlineData("PROXY TCP6 2001:db8::1 ::1 1 65535\r\n")]
    [InlineData("PROXY UNKNOWN\r\n")]
    [InlineData("PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n")]
    public void Parse_ValidV1_Done(string header) => Assert.Equal(ProxyParseStatus.Done, Parse(header).Status);

    [Fact]
    public void Parse_V2WritersOutput_RoundTripsWithTlvsSkipped()
    {
        var header = new ProxyHeader(IPEndPoint.Parse("[2001:db8::7]:40000"), IPEndPoint.Parse("[2001:db8::8]:5432"));
        var bytes = new byte[ProxyHeaderWriter.MaxLength];
        var length = ProxyHeaderWriter.WriteV2(header, bytes);
        // Append a 5-byte TLV (type 0x04 NOOP, section 2.2.1) and grow the length field to match.
        byte[] withTlv = [.. bytes[..length], 0x04, 0x00, 0x02, 0xAA, 0xBB, .. "data"u8];
        withTlv[15] += 5;

        var result = Parse(withTlv);

        Assert.Equal(ProxyParseStatus.Done, result.Status);
        Assert.Equal(length + 5, result.Consumed);
        Assert.Equal(header, result.Header);
    }

    [Fact]
    public void Parse_V2Local_DoneWithUnknownAddresses()
    {
        byte[] local = [.. ProxyHeader.V2Signature, 0x20, 0x00, 0x00, 0x00];

        var result = Parse(local);

        Assert.Equal((ProxyParseStatus.Done, 16, false), (result.Status, result.Consumed, result.Header!.IsKnown));
    }

    [Theory]
    [InlineData("")]
    [InlineData("PRO")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1 2")]
    [InlineData("\r\n\r\n\0\r\nQU")]
    public void Parse_TruncatedButValidSoFar_Incomplete(string start) => Assert.Equal(ProxyParseStatus.Incomplete, Parse(start).Status);

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n")]
    [InlineData("PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1 65536\r\n")]
    [InlineData("PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n")]
    [InlineData("PROXY TCP4 ::1 ::1 1 2\r\n")]
    [InlineData("PROXY TCP6 1.2.3.4 5.6.7.8 1 2\r\n")]
    [InlineData("PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n")]
    [InlineData("PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n")]
    [InlineData("PROXY UNKNOWNX\r\n")]
    public void Parse_MalformedV1_Invalid(string header) => Assert.Equal(ProxyParseStatus.Invalid, Parse(header).Status);

    [Fact]
    public void Parse_V1WithoutCrlfIn107Bytes_Invalid() =>
        Assert.Equal(ProxyParseStatus.Invalid, Parse("PROXY UNKNOWN " + new string('a', 100)).Status);

    [Theory]
    [InlineData(0x31, 0x11, 12)] // version 3
    [InlineData(0x22, 0x11, 12)] // command 2
    [InlineData(0x21, 0x11, 8)] // too short for AF_INET
    [InlineData(0x21, 0x21, 12)] // too short for AF_INET6
    [InlineData(0x21, 0x41, 0)] // family 4
    public void Parse_MalformedV2_Invalid(byte versionCommand, byte family, byte length)
    {
        byte[] header = [.. ProxyHeader.V2Signature, versionCommand, family, 0, length, .. new byte[length]];

        Assert.Equal(ProxyParseStatus.Invalid, Parse(header).Status);
    }

    [Fact]
    public void Parse_RandomAndMutatedInput_NeverThrows()
    {
        var random = new Random(1234);
        byte[][] seeds = [Encoding.ASCII.GetBytes("PROXY TCP6 2001:db8::1 ::1 1 65535\r\n"), [.. ProxyHeader.V2Signature, 0x21, 0x21, 0x00, 0x24, .. new byte[36]]];
        for (var i = 0; i < 20_000; i++)
        {
            var input = (byte[])seeds[i % 2].Clone();
            input[random.Next(input.Length)] = (byte)random.Next(256);
            var cut = input[..random.Next(input.Length + 1)];
            _ = Parse(cut);
            _ = Parse(Segmented(cut));
            var noise = new byte[random.Next(300)];
            random.NextBytes(noise);
            _ = Parse(noise);
        }
    }

    [Fact]
    public void Parse_HeaderSplitOverSegments_SameAsContiguous()
    {
        var bytes = Encoding.ASCII.GetBytes("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\nrest");

        Assert.Equal(Parse(bytes), ProxyHeaderParser.Parse(Segmented(bytes)));
    }

    private static ProxyParseResult Parse(string text) => Parse(Encoding.ASCII.GetBytes(text));

    private static ProxyParseResult Parse(byte[] bytes) => ProxyHeaderParser.Parse(new ReadOnlySequence<byte>(bytes));

    private static ProxyParseResult Parse(ReadOnlySequence<byte> bytes) => ProxyHeaderParser.Parse(bytes);

    /// <summary>The bytes as a sequence of 3-byte segments, as a pipe may hand them over.</summary>
    private static ReadOnlySequence<byte> Segmented(byte[] bytes) => Segments.Of(bytes, 3);
}
