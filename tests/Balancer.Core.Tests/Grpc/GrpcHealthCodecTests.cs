using Balancer.Core.Grpc;

namespace Balancer.Core.Tests.Grpc;

public sealed class GrpcHealthCodecTests
{
    [Fact]
    public void EncodeRequest_NoService_IsAnEmptyFramedMessage()
    {
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0 }, GrpcHealthCodec.EncodeRequest(null));
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0 }, GrpcHealthCodec.EncodeRequest(""));
    }

    [Fact]
    public void EncodeRequest_Service_IsField1LengthDelimited()
    {
        // protoc --encode of HealthCheckRequest { service: "bt.Echo" }: 0a 07 62 74 2e 45 63 68 6f
        Assert.Equal(Convert.FromHexString("0000000009" + "0a07" + "62742e4563686f"), GrpcHealthCodec.EncodeRequest("bt.Echo"));
    }

    [Fact]
    public void EncodeRequest_LongService_LengthIsAMultiByteVarint()
    {
        var frame = GrpcHealthCodec.EncodeRequest(new string('s', 300));

        Assert.Equal(5 + 1 + 2 + 300, frame.Length);
        Assert.Equal(new byte[] { 0x0A, 0xAC, 0x02 }, frame[5..8]); // 300 = 0b10_0101100
    }

    [Theory]
    [InlineData("000000000208 01", 1)] // SERVING
    [InlineData("000000000208 02", 2)] // NOT_SERVING
    [InlineData("0000000000", 0)] // status left out: proto3 default UNKNOWN
    [InlineData("0000000007 0802 1201ff 0801", 1)] // an unknown field skipped; the last status wins
    [InlineData("0000000007 1d00000000 0801", 1)] // an unknown fixed32 (field 3) skipped
    [InlineData("000000000b 110000000000000000 0802", 2)] // an unknown fixed64 (field 2) skipped
    [InlineData("0000000002 0801 ffff", 1)] // bytes after the one message (a second frame) are not read
    public void TryDecodeResponse_WellFormed_ReadsStatus(string hex, int expected)
    {
        var body = Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

        Assert.True(GrpcHealthCodec.TryDecodeResponse(body, out var status, out var error), error);
        Assert.Equal(expected, status);
    }

    [Theory]
    [InlineData("", "no response message")]
    [InlineData("0000", "truncated response frame")]
    [InlineData("0100000002 0801", "compressed response message (none was accepted)")]
    [InlineData("0000000009 0801", "truncated response message")]
    [InlineData("0000000001 08", "malformed response message")]
    [InlineData("0000000002 1a05", "malformed response message")]
    [InlineData("0000000002 0b00", "malformed response message")] // a group: not proto3
    [InlineData("0000000005 2100000000", "malformed response message")] // a fixed64 with 4 bytes left
    [InlineData("000000000b 08ffffffffffffffffffff", "malformed response message")] // a varint over 10 bytes
    public void TryDecodeResponse_Malformed_SaysWhy(string hex, string reason)
    {
        var body = Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

        Assert.False(GrpcHealthCodec.TryDecodeResponse(body, out _, out var error));
        Assert.Equal(reason, error);
    }

    [Fact]
    public void TryDecodeResponse_AnyBytes_NeverThrows()
    {
        var random = new Random(7);
        for (var i = 0; i < 20_000; i++)
        {
            var body = new byte[random.Next(0, 24)];
            random.NextBytes(body);
            if (body.Length >= 5 && random.Next(2) == 0)
            {
                body[0] = 0;
                body[1] = body[2] = body[3] = 0;
                body[4] = (byte)(body.Length - 5);
            }

            GrpcHealthCodec.TryDecodeResponse(body, out _, out _);
        }
    }

    [Fact]
    public void StatusName_KnownAndUnknown()
    {
        Assert.Equal(["UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN", "status 9"], [.. new[] { 0, 1, 2, 3, 9 }.Select(GrpcHealthCodec.StatusName)]);
    }
}
