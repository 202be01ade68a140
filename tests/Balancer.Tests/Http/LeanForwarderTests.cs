using System.Net;
using System.Net.Sockets;
using System.Text;
using Balancer.Core.Configuration;
using Balancer.Core.Model;
using Balancer.Http.Forwarding;
using Balancer.Http.Http1;
using Balancer.Tests.Common;
using Microsoft.AspNetCore.Http;

namespace Balancer.Tests.Http;

/// <summary>
/// The lean HTTP/1.1 forwarder (src/Balancer/Http/Http1) against scripted raw backends: response framing as it is
/// removed and redone, connection reuse and when it must not happen, and the errors YARP would report.
/// </summary>
public sealed class LeanForwarderTests
{
    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n", false, "hello world", true)] // de-chunked
    [InlineData("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end", true, "until the end", false)] // read to the end
    [InlineData("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", false, "ok", false)] // the backend said close (and left the socket open)
    public async Task ResponseFraming_BodyCopied_ConnectionReusedOnlyWhenItMayBe(string response, bool closeAfter, string body, bool reused)
    {
        await using var backend = ScriptedBackend.Start(_ => response, closeAfter);
        await using var balancer = await ProxyTo(backend.ConfigAddress);
        using var client = balancer.CreateClient();

        Assert.Equal(body, await client.GetStringAsync("/a"));
        Assert.Equal(body, await client.GetStringAsync("/b"));
        Assert.Equal(reused, backend.ConnectionOf("/a") == backend.ConnectionOf("/b"));
    }

    [Theory]
    [InlineData("HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n")]
    [InlineData("GET", "HTTP/1.1 204 No Content\r\n\r\n")]
    [InlineData("GET", "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n")]
    public async Task BodylessResponse_NoBodyRead_ConnectionReused(string method, string response)
    {
        await using var backend = ScriptedBackend.Start(r => r.Target == "/next" ? "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext" : response);
        await using var balancer = await ProxyTo(backend.ConfigAddress);
        using var client = balancer.CreateClient();

        using var first = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), "/first"));
        Assert.Empty(await first.Content.ReadAsByteArrayAsync());
        Assert.Equal("next", await client.GetStringAsync("/next"));
        Assert.Equal(backend.ConnectionOf("/first"), backend.ConnectionOf("/next"));
    }

    [Fact]
    public async Task PooledConnectionClosedByBackend_RetriedOnNewConnection_NotEjected()
    {
        // Answers one request per connection without saying so: the pooled connection is dead when reused.
        await using var backend = ScriptedBackend.Start(_ => "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", closeAfter: true);
        await using var balancer = await ProxyTo(backend.ConfigAddress);
        using var client = balancer.CreateClient();

        for (var i = 0; i < 5; i++)
        {
            using var response = await client.GetAsync($"/{i}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.True(await balancer.IsHealthyAsync(backend.ConfigAddress));
        var status = await balancer.BackendStatusAsync("web", backend.ConfigAddress);
        Assert.Equal(0, status.GetProperty("failures").GetInt64());
    }

    [Theory]
    [InlineData("HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok")]
    [InlineData("HTTP/1.1 200 OK\r\nBad Name: 1\r\nContent-Length: 0\r\n\r\n")]
    public async Task MalformedResponseHead_Returns502(string response)
    {
        await using var backend = ScriptedBackend.Start(_ => response);
        await using var balancer = await ProxyTo(backend.ConfigAddress);
        using var client = balancer.CreateClient();

        using var reply = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.BadGateway, reply.StatusCode);
    }

    [Fact]
    public async Task BackendClosesMidBody_ClientResponseAborted()
    {
        await using var backend = ScriptedBackend.Start(_ => "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\ntoo short", closeAfter: true);
        await using var balancer = await ProxyTo(backend.ConfigAddress);
        using var client = balancer.CreateClient();

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.GetByteArrayAsync("/"));
    }

    [Fact]
    public async Task RequestBodies_ContentLengthAndChunked_ForwardedIntact()
    {
        await using var backend = RecorderBackend.Start();
        await using var balancer = await ProxyTo(backend.ConfigAddress);
        using var client = balancer.CreateClient();
        var data = Encoding.ASCII.GetBytes(new string('x', 100_000));

        (await client.PostAsync("/length", new ByteArrayContent(data))).EnsureSuccessStatusCode();
        using var chunked = new HttpRequestMessage(HttpMethod.Post, "/chunked") { Content = new StreamContent(new MemoryStream(data)) };
        chunked.Headers.TransferEncodingChunked = true;
        (await client.SendAsync(chunked)).EnsureSuccessStatusCode();

        Assert.Equal(2, backend.Requests.Count);
        Assert.All(backend.Requests, r => Assert.Equal(data, r.Body));
        Assert.Equal("100000", backend.Requests[0].Values("Content-Length").Single());
        Assert.All(backend.Requests, r => Assert.Empty(r.Problems()));
    }

    [Fact]
    public async Task RequestHeaders_AsThePlanDescribes()
    {
        await using var backend = RecorderBackend.Start();
        await using var balancer = await ProxyTo(backend.ConfigAddress);
        var request = "GET /p?q=1 HTTP/1.1\r\nHost: front.example:8080\r\nConnection: X-Secret\r\nX-Secret: s\r\n"
            + "Keep-Alive: timeout=5\r\nProxy-Authorization: x\r\nTE: trailers\r\nX-Forwarded-For: 6.6.6.6\r\nX-Forwarded-Proto: ftp\r\n"
            + "X-Forwarded-Host: evil\r\nForwarded: for=6.6.6.6\r\nX-Real-IP: 6.6.6.6\r\nX-Kept: k\r\n\r\n";

        var exchange = await RawHttpClient.ExchangeAsync(balancer.ListenerAddress, Encoding.ASCII.GetBytes(request), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10));

        Assert.Equal([200], exchange.Statuses);
        var recorded = Assert.Single(backend.Requests);
        Assert.Equal("/p?q=1", recorded.Target);
        Assert.Equal("front.example:8080", recorded.Values("Host").Single()); // the client's (#19 item 5)
        Assert.Equal("127.0.0.1", recorded.Values("X-Forwarded-For").Single());
        Assert.Equal("http", recorded.Values("X-Forwarded-Proto").Single());
        Assert.Equal("front.example:8080", recorded.Values("X-Forwarded-Host").Single());
        Assert.Equal("k", recorded.Values("X-Kept").Single());
        foreach (var gone in new[] { "Connection", "X-Secret", "Keep-Alive", "Proxy-Authorization", "TE", "Forwarded", "X-Real-IP" })
        {
            Assert.Empty(recorded.Values(gone));
        }
    }

    [Fact]
    public async Task ResponseHeaders_HopByHopAndConnectionNamed_Stripped()
    {
        await using var backend = ScriptedBackend.Start(_ =>
            "HTTP/1.1 200 Fine\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\nKeep-Alive: timeout=5\r\nX-Kept: 2\r\nX-Kept: 3\r\nContent-Length: 2\r\n\r\nok");
        await using var balancer = await ProxyTo(backend.ConfigAddress);
        using var client = balancer.CreateClient();

        using var response = await client.GetAsync("/");

        Assert.Equal("Fine", response.ReasonPhrase);
        Assert.Equal(["2", "3"], response.Headers.GetValues("X-Kept"));
        Assert.False(response.Headers.Contains("X-Hop"));
        Assert.False(response.Headers.Contains("Keep-Alive"));
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ResponseHeadLargerThanTheFirstReadBuffer_ForwardedIntact_ConnectionReused()
    {
        // A 40 KB head: the pooled 16 KiB read buffer grows (to larger pooled arrays) while the head is parsed.
        var big = new string('b', 40_000);
        await using var backend = ScriptedBackend.Start(r => r.Target == "/big"
            ? $"HTTP/1.1 200 OK\r\nX-Big: {big}\r\nContent-Length: 3\r\n\r\nbig"
            : "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nsmall");
        await using var balancer = await ProxyTo(backend.ConfigAddress);
        using var client = balancer.CreateClient();

        using var response = await client.GetAsync("/big");
        Assert.Equal(big, response.Headers.GetValues("X-Big").Single());
        Assert.Equal("big", await response.Content.ReadAsStringAsync());
        Assert.Equal("small", await client.GetStringAsync("/small"));
        Assert.Equal(backend.ConnectionOf("/big"), backend.ConnectionOf("/small"));
    }

    [Fact]
    public void CanForward_TurnedOffOrNotEligible_LeftToYarp()
    {
        using var registry = new PoolRegistry(TimeProvider.System, new Random(1));
        using var pools = new Http1Pools(TimeProvider.System, registry);
        var forwarder = new Http1Forwarder(pools, null, TimeProvider.System);
        var auto = Plan(ListenerForwarders.Auto);
        var yarp = Plan(ListenerForwarders.Yarp);
        var plain = new BackendState("web", "http://127.0.0.1:1", 1, TimeProvider.System, TimeSpan.FromSeconds(10));
        var tls = new BackendState("web", "https://127.0.0.1:1", 1, TimeProvider.System, TimeSpan.FromSeconds(10));

        Assert.True(Http1Forwarder.CanForward(Request("HTTP/1.1"), auto));
        Assert.True(Http1Forwarder.CanForward(Request("HTTP/1.0"), auto));
        Assert.NotNull(forwarder.PoolFor(plain));
        Assert.False(Http1Forwarder.CanForward(Request("HTTP/1.1"), yarp));
        Assert.Null(forwarder.PoolFor(tls));
        Assert.False(Http1Forwarder.CanForward(Request("HTTP/2"), auto));
        Assert.False(Http1Forwarder.CanForward(Request("HTTP/1.1", ("Upgrade", "websocket")), auto));
        Assert.False(Http1Forwarder.CanForward(Request("HTTP/1.1", ("Expect", "100-continue")), auto));
        Assert.False(Http1Forwarder.CanForward(Request("HTTP/1.1", ("Transfer-Encoding", "chunked")), auto));

        static ForwardingPlan Plan(string forwarder) =>
            ForwardingPlan.For(new ListenerConfig { Forwarder = forwarder }, new ForwardedFor([]), new RouteConfig { Pool = "web" });

        static DefaultHttpContext Request(string protocol, params (string Name, string Value)[] headers)
        {
            var context = new DefaultHttpContext();
            context.Request.Protocol = protocol;
            context.Request.Method = "POST";
            foreach (var (name, value) in headers)
            {
                context.Request.Headers[name] = value;
            }

            return context;
        }
    }

    [Fact]
    public async Task Sweep_BackendRemovedByReload_IdleConnectionsClosed()
    {
        var closed = new TaskCompletionSource();
        var accepted = 0;
        await using var server = TestTcpServer.Start(async socket =>
        {
            var first = Interlocked.Increment(ref accepted) == 1; // the pool's; later ones would be strays
            await TestTcpServer.ReadToEndAsync(socket);
            if (first)
            {
                closed.TrySetResult();
            }
        });
        var kept = $"http://127.0.0.1:{server.Port}";
        using var registry = new PoolRegistry(TimeProvider.System, new Random(1));
        registry.Load(Config(kept, "http://127.0.0.1:1"));
        using var pools = new Http1Pools(TimeProvider.System, registry);
        var pool = pools.Get(registry.Get("web")!.Snapshot.All.Single(b => b.Address == kept))!;
        pool.Return(await pool.ConnectAsync(CancellationToken.None));

        pools.Sweep();
        Assert.False(closed.Task.IsCompleted); // still configured: kept idle
        registry.Apply(Config("http://127.0.0.1:1"));
        pools.Sweep();

        Assert.Null(pool.Rent());
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(5));

        static BalancerConfig Config(params string[] backends) =>
            ConfigLoader.Parse(TestBalancer.SinglePoolConfig("round-robin", [.. backends.Select(b => (b, 1))]), "test.json").Config!;
    }

    private static Task<TestBalancer> ProxyTo(string backend) => TestBalancer.StartAsync(TestBalancer.SinglePoolConfig("round-robin", (backend, 1)));

    /// <summary>
    /// A raw backend that answers each request with a scripted response and notes which of its connections carried
    /// which target (by target, not by counting accepts: another test's balancer may still probe a reused port).
    /// </summary>
    private sealed class ScriptedBackend : IAsyncDisposable
    {
        private readonly TestTcpServer _server;
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _connectionOf = new();
        private int _connections;

        private ScriptedBackend(Func<RecordedRequest, string> respond, bool closeAfter) =>
            _server = TestTcpServer.Start(socket => ServeAsync(socket, respond, closeAfter));

        public string ConfigAddress => $"http://{_server.Address}";

        public static ScriptedBackend Start(Func<RecordedRequest, string> respond, bool closeAfter = false) => new(respond, closeAfter);

        /// <summary>The number of the connection that carried the request for <paramref name="target"/>.</summary>
        public int ConnectionOf(string target) => _connectionOf[target];

        private async Task ServeAsync(Socket socket, Func<RecordedRequest, string> respond, bool closeAfter)
        {
            var connection = Interlocked.Increment(ref _connections);
            var reader = new RawRequestReader(socket, CancellationToken.None);
            while (await reader.ReadAsync() is { } request)
            {
                _connectionOf[request.Target] = connection;
                await socket.SendAsync(Encoding.ASCII.GetBytes(respond(request)));
                if (closeAfter)
                {
                    socket.Shutdown(SocketShutdown.Both);
                    return;
                }
            }
        }

        public ValueTask DisposeAsync() => _server.DisposeAsync();
    }
}
