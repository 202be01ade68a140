using System.Text;
using Balancer.Core.Http1;

namespace Balancer.Core.Tests.Http1;

public sealed class ChunkedDecoderTests
{
    [Theory]
    [InlineData("5\r\nhello\r\n6;name=value\r\n world\r\n0\r\n\r\n")]
    [InlineData("5\nhello\n6\n world\n0\n\n")]
    [InlineData("5\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: 1\r\nY: 2\r\n\r\n")]
    public void Decode_ByteAtATime_SameBodyAsWhole(string coded)
    {
        var expected = "hello world";
        Assert.Equal(expected, DecodeAll(Encoding.ASCII.GetBytes(coded), int.MaxValue, out var leftover));
        Assert.Equal(0, leftover);
        Assert.Equal(expected, DecodeAll(Encoding.ASCII.GetBytes(coded), 1, out leftover));
        Assert.Equal(0, leftover);
    }

    [Fact]
    public void Decode_BytesAfterLastChunk_LeftUnconsumed()
    {
        DecodeAll(Encoding.ASCII.GetBytes("2\r\nok\r\n0\r\n\r\nHTTP/1.1"), int.MaxValue, out var leftover);

        Assert.Equal(8, leftover);
    }

    [Theory]
    [InlineData("x\r\n")]
    [InlineData("\r\n")]
    [InlineData("2\r\nokX\r\n")]
    [InlineData("1000000000000000\r\n")]
    public void Decode_Malformed_Invalid(string coded)
    {
        var decoder = new ChunkedDecoder();
        var input = Encoding.ASCII.GetBytes(coded).AsSpan();
        ChunkResult result;
        while ((result = decoder.Decode(input, out var consumed, out _, out _)) == ChunkResult.Data)
        {
            input = input[consumed..];
        }

        Assert.Equal(ChunkResult.Invalid, result);
    }

    private static string DecodeAll(byte[] coded, int step, out int leftover)
    {
        var decoder = new ChunkedDecoder();
        var body = new StringBuilder();
        var position = 0;
        var end = Math.Min(step, coded.Length);
        while (true)
        {
            var window = coded.AsSpan(position, end - position);
            var result = decoder.Decode(window, out var consumed, out var offset, out var length);
            Assert.NotEqual(ChunkResult.Invalid, result);
            if (result == ChunkResult.Data)
            {
                body.Append(Encoding.ASCII.GetString(window.Slice(offset, length)));
            }

            position += consumed;
            if (result == ChunkResult.Done)
            {
                leftover = coded.Length - position;
                return body.ToString();
            }

            if (result == ChunkResult.NeedMore)
            {
                Assert.True(end < coded.Length, "ran out of input before the last chunk");
                end = Math.Min(end + step, coded.Length);
            }
        }
    }
}
