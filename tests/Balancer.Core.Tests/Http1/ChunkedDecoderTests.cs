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

    [Theory]
    [InlineData("0\r\n\r\n", "")]
    [InlineData("2\r\nok\r\n0\r\nX-A: 1\r\nX-B: 2\r\n\r\n", "X-A: 1\r\nX-B: 2\r\n")]
    [InlineData("2\nok\n0\nX-A: 1\n\n", "X-A: 1\n")]
    public void Decode_TrailerSection_KeptWholeAcrossCalls(string coded, string trailers)
    {
        foreach (var step in new[] { 1, 3, int.MaxValue })
        {
            var decoder = new ChunkedDecoder();
            var bytes = Encoding.ASCII.GetBytes(coded);
            var position = 0;
            var result = ChunkResult.NeedMore;
            while (result != ChunkResult.Done)
            {
                var window = bytes.AsSpan(position, Math.Min(step, bytes.Length - position));
                result = decoder.Decode(window, out var consumed, out _, out _);
                Assert.NotEqual(ChunkResult.Invalid, result);
                position += consumed;
            }

            Assert.Equal(trailers, Encoding.ASCII.GetString(decoder.Trailers));
            decoder.Reset();
            Assert.True(decoder.Trailers.IsEmpty);
        }
    }

    [Fact]
    public void Decode_TrailerSectionOverLimit_Invalid()
    {
        var decoder = new ChunkedDecoder();
        var line = Encoding.ASCII.GetBytes("X-Long: " + new string('a', 1000) + "\r\n");
        Assert.Equal(ChunkResult.NeedMore, decoder.Decode("0\r\n"u8, out _, out _, out _));
        var result = ChunkResult.NeedMore;
        for (var sent = 0; result == ChunkResult.NeedMore && sent <= ChunkedDecoder.MaxTrailerSize + line.Length; sent += line.Length)
        {
            result = decoder.Decode(line, out _, out _, out _);
        }

        Assert.Equal(ChunkResult.Invalid, result);
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
