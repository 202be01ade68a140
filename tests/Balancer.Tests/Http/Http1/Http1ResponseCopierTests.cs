using System.Net;
using System.Net.Sockets;
using System.Text;
using Balancer.Core.Configuration;
using Balancer.Http.Forwarding;
using Balancer.Http.Http1;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;

namespace Balancer.Tests.Http.Http1;

/// <summary>
/// The lean forwarder's response copy on its own: a scripted backend on a loopback socket, the head already read as
/// the forwarder reads it, and a <see cref="DefaultHttpContext"/> whose body is kept.
/// </summary>
public sealed class Http1ResponseCopierTests
{
    [Fact]
    public async Task CopyAsync_ContentLength_StatusHeadersBodyAndReusable()
    {
        var copy = await CopyAsync("HTTP/1.1 201 Created\r\nContent-Type: text/plain\r\nX-Kept: a\r\nX-Kept: b\r\nContent-Length: 5\r\n\r\nhello");

        Assert.Equal((ForwarderError.None, true), (copy.Error, copy.Reusable));
        Assert.Equal(201, copy.Response.StatusCode);
        Assert.Equal(5, copy.Response.ContentLength);
        Assert.Equal("text/plain", copy.Response.ContentType);
        Assert.Equal("a,b", copy.Response.Headers["X-Kept"].ToString());
        Assert.Equal("hello", copy.Body);
        Assert.Null(copy.Reason); // the standard phrase is Kestrel's own
    }

    [Fact]
    public async Task CopyAsync_HopByHopAndConnectionNamed_Dropped_OwnReasonKept()
    {
        var copy = await CopyAsync("HTTP/1.1 200 Fine Thanks\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\nKeep-Alive: timeout=5\r\nAlt-Svc: h3\r\nX-Kept: 2\r\nContent-Length: 0\r\n\r\n");

        Assert.Equal("Fine Thanks", copy.Reason);
        Assert.Equal(["Content-Length", "X-Kept"], copy.Response.Headers.Keys.Order(StringComparer.Ordinal));
        Assert.True(copy.Reusable);
    }

    [Fact]
    public async Task CopyAsync_Chunked_DechunkedForKestrelToFrameAgain()
    {
        var copy = await CopyAsync("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 100\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");

        Assert.Equal((ForwarderError.None, true), (copy.Error, copy.Reusable));
        Assert.Equal("hello world", copy.Body);
        Assert.Null(copy.Response.ContentLength); // Transfer-Encoding overrides it (RFC 9112 §6.3)
        Assert.False(copy.Response.Headers.ContainsKey("Transfer-Encoding"));
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nto the end", "to the end")] // no framing: read to close
    [InlineData("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", "ok")]
    [InlineData("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", "ok")]
    public async Task CopyAsync_BackendEndsTheConnection_CopiedButNotReused(string response, string body)
    {
        var copy = await CopyAsync(response, close: true);

        Assert.Equal((ForwarderError.None, false), (copy.Error, copy.Reusable));
        Assert.Equal(body, copy.Body);
    }

    [Theory]
    [InlineData("HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", 10L)]
    [InlineData("GET", "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n", null)] // YARP drops a 0 on a 204 too
    [InlineData("GET", "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n", null)]
    public async Task CopyAsync_BodylessResponse_NothingReadAndReusable(string method, string response, long? length)
    {
        var copy = await CopyAsync(response, method);

        Assert.Equal((ForwarderError.None, true), (copy.Error, copy.Reusable));
        Assert.Equal("", copy.Body);
        Assert.Equal(length, copy.Response.ContentLength);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort")] // ends early
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nbad\r\n")] // a chunk size that is not hex
    public async Task CopyAsync_BodyBroken_ResponseBodyDestinationAnd502BeforeAnythingWasSent(string response)
    {
        var copy = await CopyAsync(response, close: true);

        Assert.Equal((ForwarderError.ResponseBodyDestination, false), (copy.Error, copy.Reusable));
        Assert.Equal(StatusCodes.Status502BadGateway, copy.Response.StatusCode);
        Assert.Equal(ForwarderError.ResponseBodyDestination, copy.Context.Features.Get<IForwarderErrorFeature>()!.Error);
    }

    private static async Task<Copy> CopyAsync(string response, string method = "GET", bool close = false)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var accepting = listener.AcceptSocketAsync();
        using var connection = await Http1Connection.ConnectAsync(listener.LocalEndpoint, TimeProvider.System, CancellationToken.None);
        using var backend = await accepting;
        await backend.SendAsync(Encoding.Latin1.GetBytes(response));
        if (close)
        {
            backend.Shutdown(SocketShutdown.Send);
        }

        connection.BeginRequest(CancellationToken.None, TimeSpan.FromSeconds(10));
        while (!Http1Exchange.TryReadHead(connection))
        {
            Assert.NotEqual(0, connection.Received(await connection.ReceiveAsync()));
        }

        var context = new DefaultHttpContext();
        context.Request.Method = method;
        var body = new MemoryStream();
        context.Response.Body = body;
        var plan = ForwardingPlan.For(new ListenerConfig(), new ForwardedFor([]), new RouteConfig());
        var (error, reusable) = await Http1ResponseCopier.CopyAsync(context, plan, connection, null, TimeSpan.FromSeconds(10));
        connection.EndRequest();
        return new Copy(context, error, reusable, Encoding.Latin1.GetString(body.ToArray()));
    }

    private sealed record Copy(DefaultHttpContext Context, ForwarderError Error, bool Reusable, string Body)
    {
        public HttpResponse Response => Context.Response;

        public string? Reason => Context.Features.Get<IHttpResponseFeature>()!.ReasonPhrase;
    }
}
