using System.Text;
using Balancer.Core.Http1;

namespace Balancer.Core.Tests.Http1;

public sealed class ResponseHeadParserTests
{
    [Fact]
    public void Parse_FullHead_FieldsAndFraming()
    {
        var bytes = Bytes("HTTP/1.1 404 Not Found\r\nContent-Length: 12\r\nX-A:  v \r\nConnection: Keep-Alive, Close\r\n\r\nbody");
        var head = new ResponseHead();

        Assert.Equal(HeadParseResult.Complete, ResponseHeadParser.Parse(bytes, head));

        Assert.Equal(404, head.StatusCode);
        Assert.Equal("Not Found", Encoding.ASCII.GetString(bytes, head.ReasonStart, head.ReasonLength));
        Assert.Equal(12, head.ContentLength);
        Assert.True(head.ConnectionClose);
        Assert.False(head.KeepAlive);
        Assert.Equal(bytes.Length - 4, head.Length);
        var field = head.Fields[1];
        Assert.Equal("X-A", Encoding.ASCII.GetString(bytes, field.NameStart, field.NameLength));
        Assert.Equal("v", Encoding.ASCII.GetString(bytes, field.ValueStart, field.ValueLength));
    }

    [Fact]
    public void Parse_BareLfAndNoReason_Accepted()
    {
        var head = new ResponseHead();

        Assert.Equal(HeadParseResult.Complete, ResponseHeadParser.Parse(Bytes("HTTP/1.0 200\nTransfer-Encoding: gzip, chunked\n\n"), head));

        Assert.Equal(0, head.ReasonLength);
        Assert.True(head.Chunked);
        Assert.False(head.KeepAlive); // HTTP/1.0
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 1")]
    [InlineData("HTTP/1.1 200 OK\r\n")]
    [InlineData("HTTP/1.")]
    public void Parse_Partial_Incomplete(string text) =>
        Assert.Equal(HeadParseResult.Incomplete, ResponseHeadParser.Parse(Bytes(text), new ResponseHead()));

    [Theory]
    [InlineData("HTTP/2.0 200 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 2000 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 099 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nName : v\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nA: 1\r\n folded\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nA: 1\r2\r\n\r\n")]
    [InlineData("ICY 200 OK\r\n\r\n")]
    public void Parse_Malformed_Invalid(string text) =>
        Assert.Equal(HeadParseResult.Invalid, ResponseHeadParser.Parse(Bytes(text), new ResponseHead()));

    [Fact]
    public void Parse_NoEndWithinLimit_TooLarge()
    {
        var bytes = Bytes("HTTP/1.1 200 OK\r\nX: " + new string('a', 200));

        Assert.Equal(HeadParseResult.TooLarge, ResponseHeadParser.Parse(bytes, new ResponseHead(), maxLength: 100));
    }

    [Fact]
    public void Parse_ManyFields_ArrayGrows()
    {
        var text = "HTTP/1.1 200 OK\r\n" + string.Concat(Enumerable.Range(0, 40).Select(i => $"X-{i}: {i}\r\n")) + "\r\n";
        var head = new ResponseHead();

        Assert.Equal(HeadParseResult.Complete, ResponseHeadParser.Parse(Bytes(text), head));

        Assert.Equal(40, head.FieldCount);
    }

    private static byte[] Bytes(string text) => Encoding.ASCII.GetBytes(text);
}
