using System.Net;
using System.Net.Sockets;
using Balancer.Reload;
using Balancer.Tests.Common;
using Grpc.Core;

namespace Balancer.Tests.Grpc;

/// <summary>
/// What a gRPC client sees when things go wrong: a call the balancer cannot place ends with UNAVAILABLE and a message
/// (not "HTTP status 502"), UNAVAILABLE from a backend ejects it passively, a slow stream is not cut.
/// </summary>
public sealed class GrpcFailureTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task BackendUnreachable_CallEndsWithUnavailableAndMessage()
    {
        var closed = ClosedPort();
        var config = TestBalancer.PoolConfig("round-robin", """ "httpVersion": "2", "retries": 1, """, ($"http://127.0.0.1:{closed}", 1));
        await using var balancer = await TestBalancer.StartAsync(config);
        using var channel = GrpcClients.Channel(balancer);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await new Echo.EchoClient(channel).UnaryAsync(new Msg(), deadline: GrpcClients.Deadline));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal("balancer: the backend could not be reached", error.Status.Detail);
    }

    [Fact]
    public async Task NoHealthyBackend_TrailersOnlyResponse_NotA503()
    {
        // The probe never passes (nothing listens), so the pool has no backend to offer.
        var fields = """ "httpVersion": "2", "health": { "probe": "grpc", "interval": "1m" }, """;
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.PoolConfig("round-robin", fields, ($"http://127.0.0.1:{ClosedPort()}", 1)));
        using var client = new HttpClient(new SocketsHttpHandler()) { BaseAddress = balancer.ProxyAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/balancer.test.Echo/Unary")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent([0, 0, 0, 0, 0]),
        };
        request.Content.Headers.ContentType = new("application/grpc");

        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/grpc", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("14", response.Headers.GetValues("grpc-status").Single());
        Assert.Equal("balancer: no healthy backend", response.Headers.GetValues("grpc-message").Single());
        Assert.Empty(body);
    }

    [Fact]
    public async Task BackendAnswersUnavailable_EjectedPassively_CallsGoToTheOther()
    {
        await using var a = await GrpcTestBackend.StartAsync("a");
        await using var b = await GrpcTestBackend.StartAsync("b");
        a.Echo.Unavailable = true;
        await using var balancer = await TestBalancer.StartAsync(GrpcClients.Config(""" "passive": { "consecutive5xx": 3, "ejectTime": "1m" }, """, a, b));
        using var channel = GrpcClients.Channel(balancer);
        var client = new Echo.EchoClient(channel);

        var failed = 0;
        for (var i = 0; i < 6; i++)
        {
            try
            {
                await client.UnaryAsync(new Msg(), deadline: GrpcClients.Deadline);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
            {
                Assert.Equal("a is unavailable", e.Status.Detail); // the backend's own status, passed through
                failed++;
            }
        }

        Assert.Equal(3, failed);
        var status = await balancer.BackendStatusAsync("web", a.ConfigAddress);
        Assert.False(status.GetProperty("healthy").GetBoolean());
        Assert.StartsWith("passive: 3 consecutive 5xx responses or gRPC failures, last: grpc-status 14 UNAVAILABLE", status.GetProperty("healthReason").GetString());
        var callsAtA = a.Echo.Calls;
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal("b", (await client.UnaryAsync(new Msg(), deadline: GrpcClients.Deadline)).Backend);
        }

        Assert.Equal(callsAtA, a.Echo.Calls);
    }

    [Fact]
    public async Task BackendEndsCallBeforeReadingTheStream_StatusPassedOn_NotABackendFailure()
    {
        await using var a = await GrpcTestBackend.StartAsync("a");
        await using var balancer = await TestBalancer.StartAsync(GrpcClients.Config(""" "passive": { "consecutive5xx": 1 }, """, a));
        using var client = new HttpClient(new SocketsHttpHandler()) { BaseAddress = balancer.ProxyAddress };

        for (var i = 0; i < 5; i++)
        {
            // The client keeps streaming while the backend has already answered and reset the rest of the stream.
            using var request = new HttpRequestMessage(HttpMethod.Post, "/early.Service/Call")
            {
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                Content = new StreamContent(new TricklingStream(chunks: 200, TimeSpan.FromMilliseconds(5))),
            };
            request.Content.Headers.ContentType = new("application/grpc");
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal("9", response.Headers.GetValues("grpc-status").Single());
        }

        await Wait.Until(async () => (await balancer.BackendStatusAsync("web", a.ConfigAddress)).GetProperty("inflight").GetInt32() == 0, Generous, "calls finished");
        var status = await balancer.BackendStatusAsync("web", a.ConfigAddress);
        Assert.Equal(0, status.GetProperty("failures").GetInt32());
        Assert.True(status.GetProperty("healthy").GetBoolean());
    }

    [Fact]
    public async Task SlowClientStream_UnderTheListenersDataRate_NotCut()
    {
        await using var a = await GrpcTestBackend.StartAsync("a");
        // A stream sending a few bytes every 300 ms is far under 100 kB/s for longer than the 2 s grace period: an
        // upload at that pace is cut, a gRPC stream must not be.
        await using var balancer = await StartWithLimitsAsync(""" "minRequestBodyDataRate": 100000, "minDataRateGracePeriod": "2s", "maxRequestBodySize": 100 """, a);
        using var channel = GrpcClients.Channel(balancer);

        using var call = new Echo.EchoClient(channel).ClientStream(deadline: GrpcClients.Deadline);
        for (var i = 0; i < 12; i++)
        {
            await call.RequestStream.WriteAsync(new Msg { Text = $"slow message number {i}" });
            await Task.Delay(300);
        }

        await call.RequestStream.CompleteAsync();
        var reply = await call;

        Assert.Equal(12, reply.N); // also over maxRequestBodySize (100 bytes) in all: a stream is not a request body
    }

    [Fact]
    public async Task SlowBidi_OutlivesKeepAliveTimeoutAndDataRateGrace_NotCut()
    {
        await using var a = await GrpcTestBackend.StartAsync("a");
        // Every one of the listener's own timeouts far shorter than the stream: a connection with a stream open is not
        // idle, and a stream that trickles both ways is not a slow upload or download.
        await using var balancer = await StartWithLimitsAsync(
            """ "keepAliveTimeout": "1s", "minRequestBodyDataRate": 100000, "minResponseDataRate": 100000, "minDataRateGracePeriod": "2s" """, a);
        using var channel = GrpcClients.Channel(balancer);

        using var call = new Echo.EchoClient(channel).Bidi(deadline: GrpcClients.Deadline);
        for (var i = 0; i < 12; i++)
        {
            // 300 ms apart, then 1.5 s of silence either way before the last: 4.8 s in all.
            await Task.Delay(i == 11 ? 1500 : 300);
            await call.RequestStream.WriteAsync(new Msg { N = i });
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Equal(i, call.ResponseStream.Current.N);
        }

        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Reload_HttpVersionTo2_GrpcStartsWorking()
    {
        await using var a = await GrpcTestBackend.StartAsync("a");
        await using var balancer = await TestBalancer.StartAsync(GrpcClients.Config("", a).Replace("\"httpVersion\": \"2\"", "\"httpVersion\": \"1.1\"", StringComparison.Ordinal), watch: false);
        using var channel = GrpcClients.Channel(balancer);
        var client = new Echo.EchoClient(channel);
        await Assert.ThrowsAsync<RpcException>(async () => await client.UnaryAsync(new Msg(), deadline: GrpcClients.Deadline));

        await File.WriteAllTextAsync(balancer.ConfigPath, GrpcClients.Config("", a));
        var result = await balancer.Server.ReloadAsync(ReloadTrigger.AdminApi);

        Assert.True(result.Applied);
        Assert.Contains(result.Changes, c => c.ToString().Contains("httpVersion 1.1 → 2", StringComparison.Ordinal));
        Assert.Equal("a", (await client.UnaryAsync(new Msg(), deadline: GrpcClients.Deadline)).Backend);
        using var http11 = balancer.CreateClient();
        Assert.Equal("plain a HTTP/2", await http11.GetStringAsync("/plain"));
    }

    /// <summary>A balancer in front of <paramref name="backend"/> whose listener has these <c>limits</c> fields.</summary>
    private static Task<TestBalancer> StartWithLimitsAsync(string limits, GrpcTestBackend backend) =>
        TestBalancer.StartAsync(GrpcClients.Config("", backend).Replace(
            "\"bind\": \"127.0.0.1:0\",", $"\"bind\": \"127.0.0.1:0\", \"limits\": {{ {limits} }},", StringComparison.Ordinal));

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A request body sent a kilobyte at a time, with a pause between.</summary>
    private sealed class TricklingStream(int chunks, TimeSpan pause) : Stream
    {
        private int _left = chunks;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_left-- <= 0)
            {
                return 0;
            }

            await Task.Delay(pause, cancellationToken);
            var length = Math.Min(1024, buffer.Length);
            buffer.Span[..length].Clear();
            return length;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
