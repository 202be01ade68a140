using System.Net;
using System.Net.Sockets;
using System.Text;
using Balancer.Core.Http1;
using Balancer.Tests.Common;

namespace Balancer.Tests.Http;

/// <summary>
/// Response trailers reach HTTP/1.1 clients on both forwarders, after the last chunk as HAProxy passes them, and a
/// <c>Trailer</c> header is never passed on where no trailers can follow (#19 item 4). A GET goes through the lean
/// forwarder; a POST with a chunked body goes through YARP's (the lean one takes sized bodies only).
/// </summary>
public sealed class ResponseTrailerTests : IAsyncLifetime
{
    private const string Chunked =
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n"
        + "5\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: abc\r\nSet-Cookie: no=1\r\nX-Count:  2 \r\n\r\n";

    private const string Sized = "HTTP/1.1 200 OK\r\nContent-Length: 11\r\nTrailer: X-Checksum\r\n\r\nhello world";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private TestTcpServer _backend = null!;
    private TestBalancer _balancer = null!;

    public async Task InitializeAsync()
    {
        _backend = TestTcpServer.Start(ServeAsync);
        _balancer = await TestBalancer.StartAsync(TestBalancer.SinglePoolConfig("round-robin", ($"http://{_backend.Address}", 1)));
    }

    public async Task DisposeAsync()
    {
        await _balancer.DisposeAsync();
        await _backend.DisposeAsync();
    }

    [Theory]
    [InlineData("GET /chunked HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")]
    [InlineData("POST /chunked HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n")]
    public async Task ChunkedWithTrailers_Http11Client_TrailersAfterLastChunk(string request)
    {
        var (head, body) = await ExchangeAsync(request);

        Assert.Contains("\r\nTransfer-Encoding: chunked\r\n", head);
        Assert.Contains("\r\nTrailer: X-Checksum\r\n", head);
        var (content, trailers) = Dechunk(body);
        Assert.Equal("hello world", content);
        // The framing and cookie fields RFC 9110 §6.5.1 keeps out of trailers are not passed; OWS is trimmed.
        Assert.Equal("X-Checksum: abc\r\nX-Count: 2\r\n", trailers);
    }

    [Theory]
    [InlineData("GET /chunked HTTP/1.0\r\nHost: x\r\n\r\n")]
    [InlineData("GET /sized HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")]
    [InlineData("HEAD /chunked HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")]
    [InlineData("POST /sized HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n")]
    public async Task NoTrailersCanFollow_TrailerHeaderNotPassedOn(string request)
    {
        var (head, body) = await ExchangeAsync(request);

        Assert.True(head.StartsWith("HTTP/1.1 200 ", StringComparison.Ordinal), head);
        Assert.DoesNotContain("Trailer:", head, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("X-Checksum", body);
        Assert.Equal(request.StartsWith("HEAD", StringComparison.Ordinal) ? "" : "hello world", head.Contains("chunked", StringComparison.Ordinal) ? Dechunk(body).Content : body);
    }

    [Fact]
    public async Task InvalidTrailerLine_LeanForwarder_DroppedOthersPassed()
    {
        var (head, body) = await ExchangeAsync("GET /bad-trailer HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

        Assert.True(head.StartsWith("HTTP/1.1 200 ", StringComparison.Ordinal), head);
        Assert.Equal("X-Good: 1\r\n", Dechunk(body).Trailers);
    }

    [Fact]
    public async Task ChunkedWithTrailers_Http2Client_TrailersAsHttp2()
    {
        using var client = new HttpClient { BaseAddress = _balancer.ProxyAddress, DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };

        using var response = await client.GetAsync("/chunked", HttpCompletionOption.ResponseContentRead);

        Assert.Equal("hello world", await response.Content.ReadAsStringAsync());
        Assert.Equal("abc", Assert.Single(response.TrailingHeaders.GetValues("X-Checksum")));
    }

    private async Task<(string Head, string Body)> ExchangeAsync(string request)
    {
        var exchange = await RawHttpClient.ExchangeAsync(_balancer.ListenerAddress, Encoding.ASCII.GetBytes(request), TimeSpan.FromSeconds(3), Timeout);
        var text = Encoding.Latin1.GetString(exchange.Response);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(end > 0, $"no response head: {exchange}");
        return (text[..(end + 2)], text[(end + 4)..]);
    }

    private static (string Content, string Trailers) Dechunk(string body)
    {
        var decoder = new ChunkedDecoder();
        var bytes = Encoding.Latin1.GetBytes(body).AsSpan();
        var content = new StringBuilder();
        while (true)
        {
            var result = decoder.Decode(bytes, out var consumed, out var offset, out var length);
            Assert.True(result is ChunkResult.Data or ChunkResult.Done, $"not a complete chunked body: {RecordedRequest.Escape(body)}");
            if (result == ChunkResult.Done)
            {
                return (content.ToString(), Encoding.Latin1.GetString(decoder.Trailers));
            }

            content.Append(Encoding.Latin1.GetString(bytes.Slice(offset, length)));
            bytes = bytes[consumed..];
        }
    }

    private static async Task ServeAsync(Socket socket)
    {
        var reader = new RawRequestReader(socket, CancellationToken.None);
        while (await reader.ReadAsync() is { } request)
        {
            var response = request.Target switch
            {
                "/sized" => Sized,
                "/bad-trailer" => "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nX-Bad: a\u0001b\r\n folded\r\nX-Good: 1\r\nno colon\r\n\r\n",
                _ => Chunked,
            };
            if (request.Method == "HEAD")
            {
                response = response[..(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)];
            }

            await socket.SendAsync(Encoding.Latin1.GetBytes(response));
        }
    }
}
