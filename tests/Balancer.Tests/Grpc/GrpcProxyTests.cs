using Balancer.Tests.Common;
using Google.Protobuf;
using Grpc.Core;

namespace Balancer.Tests.Grpc;

/// <summary>gRPC through the balancer to h2c-only gRPC servers: per-call balancing, every streaming kind, status and trailers, deadlines.</summary>
public sealed class GrpcProxyTests : IAsyncLifetime
{
    private GrpcTestBackend _a = null!;
    private GrpcTestBackend _b = null!;
    private TestBalancer _balancer = null!;

    public async Task InitializeAsync()
    {
        _a = await GrpcTestBackend.StartAsync("a");
        _b = await GrpcTestBackend.StartAsync("b");
        _balancer = await TestBalancer.StartAsync(GrpcClients.Config("", _a, _b));
    }

    public async Task DisposeAsync()
    {
        await _balancer.DisposeAsync();
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    [Fact]
    public async Task Unary_HundredCallsOnOneChannel_RoundRobinOverBothBackends()
    {
        using var channel = GrpcClients.Channel(_balancer);
        var client = new Echo.EchoClient(channel);

        var backends = new List<string>();
        for (var i = 0; i < 100; i++)
        {
            var reply = await client.UnaryAsync(new Msg { Text = "hi", N = i }, deadline: GrpcClients.Deadline);
            Assert.Equal((i, "hi"), (reply.N, reply.Text));
            backends.Add(reply.Backend);
        }

        // One connection from the client, yet each call is placed on its own: a, b, a, b, ...
        Assert.Equal(50, backends.Count(b => b == "a"));
        Assert.Equal(50, backends.Count(b => b == "b"));
        Assert.All(backends.Chunk(2), pair => Assert.NotEqual(pair[0], pair[1]));
    }

    [Fact]
    public async Task Hash_HeaderKeyIsGrpcMetadata_EachKeysCallsOnOneBackend()
    {
        var fields = """ "httpVersion": "2", "hashKey": "header:x-tenant", """;
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.PoolConfig("hash", fields, (_a.ConfigAddress, 1), (_b.ConfigAddress, 1)));
        using var channel = GrpcClients.Channel(balancer);
        var client = new Echo.EchoClient(channel);

        var placed = new Dictionary<string, HashSet<string>>();
        for (var i = 0; i < 60; i++)
        {
            var tenant = $"t{i % 20}";
            var reply = await client.UnaryAsync(new Msg(), new Metadata { { "x-tenant", tenant } }, GrpcClients.Deadline);
            (placed.TryGetValue(tenant, out var backends) ? backends : placed[tenant] = []).Add(reply.Backend);
        }

        // One connection, yet each call is placed by its own metadata: a key's calls together, the keys over both.
        Assert.All(placed.Values, backends => Assert.Single(backends));
        Assert.Equal(["a", "b"], placed.Values.SelectMany(b => b).Distinct().Order());
    }

    [Fact]
    public async Task ServerStream_HundredMessages_IntactAndInOrder()
    {
        using var channel = GrpcClients.Channel(_balancer);
        var client = new Echo.EchoClient(channel);

        // 100 × 16 KiB: more than the HTTP/2 stream windows on either leg, so flow control has to work for it to finish.
        using var call = client.ServerStream(new StreamRequest { Count = 100, Size = 16 * 1024 }, deadline: GrpcClients.Deadline);
        var n = 0;
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            Assert.Equal(n, message.N);
            Assert.Equal(EchoService.Payload(n, 16 * 1024), message.Payload.ToByteArray());
            n++;
        }

        Assert.Equal(100, n);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task ClientStream_EveryMessageArrives()
    {
        using var channel = GrpcClients.Channel(_balancer);
        var client = new Echo.EchoClient(channel);

        using var call = client.ClientStream(deadline: GrpcClients.Deadline);
        for (var i = 0; i < 50; i++)
        {
            await call.RequestStream.WriteAsync(new Msg { Text = $"m{i}" });
        }

        await call.RequestStream.CompleteAsync();
        var reply = await call;

        Assert.Equal(50, reply.N);
        Assert.Equal(string.Join(",", Enumerable.Range(0, 50).Select(i => $"m{i}")), reply.Text);
    }

    [Fact]
    public async Task Bidi_EachReplyArrivesBeforeTheNextMessageIsSent()
    {
        using var channel = GrpcClients.Channel(_balancer);
        var client = new Echo.EchoClient(channel);

        // Ping-pong: a proxy that buffered either direction until the end of the stream would deadlock here.
        using var call = client.Bidi(deadline: GrpcClients.Deadline);
        var payload = ByteString.CopyFrom(EchoService.Payload(1, 100 * 1024));
        string? backend = null;
        for (var i = 0; i < 20; i++)
        {
            await call.RequestStream.WriteAsync(new Msg { N = i, Payload = payload });
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Equal(i, call.ResponseStream.Current.N);
            Assert.Equal(payload, call.ResponseStream.Current.Payload);
            backend ??= call.ResponseStream.Current.Backend;
            Assert.Equal(backend, call.ResponseStream.Current.Backend); // a stream stays on its backend
        }

        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Fail_StatusMessageAndTrailers_ReachTheClientUnchanged()
    {
        using var channel = GrpcClients.Channel(_balancer);
        var client = new Echo.EchoClient(channel);

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await client.FailAsync(new FailRequest { Code = (int)StatusCode.NotFound, Message = "no such thing: ünïcode % 100" }, deadline: GrpcClients.Deadline));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Equal("no such thing: ünïcode % 100", error.Status.Detail);
        Assert.Equal("plain text", error.Trailers.GetValue("x-detail"));
        Assert.Equal(new byte[] { 0, 1, 2, 0xFE, 0xFF }, error.Trailers.GetValueBytes("x-detail-bin"));
    }

    [Fact]
    public async Task Deadline_PassedOnAsGrpcTimeout_ClientGetsDeadlineExceeded()
    {
        using var channel = GrpcClients.Channel(_balancer);
        var client = new Echo.EchoClient(channel);

        var started = DateTime.UtcNow;
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await client.SleepAsync(new SleepRequest { Ms = 20_000 }, deadline: DateTime.UtcNow.AddMilliseconds(500)));

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
        var seen = _a.Echo.Seen.Concat(_b.Echo.Seen).Single(s => s.Method.EndsWith("/Sleep", StringComparison.Ordinal));
        Assert.Matches("^[0-9]{1,8}[HMSmun]$", seen.Headers["grpc-timeout"]);
        Assert.Equal("trailers", seen.Headers["te"]);
    }

    [Fact]
    public async Task Metadata_RequestHeadersIncludingBinary_ReachTheBackend()
    {
        using var channel = GrpcClients.Channel(_balancer);
        var client = new Echo.EchoClient(channel);

        await client.UnaryAsync(new Msg(), new Metadata { { "x-tenant", "t1" }, { "x-token-bin", new byte[] { 0xFF, 0 } } }, GrpcClients.Deadline);

        var headers = _a.Echo.Seen.Concat(_b.Echo.Seen).Single().Headers;
        Assert.Equal("t1", headers["x-tenant"]);
        Assert.Equal(Convert.ToBase64String([0xFF, 0]).TrimEnd('='), headers["x-token-bin"].TrimEnd('='));
        Assert.Equal("application/grpc", headers["content-type"]);
    }

    [Fact]
    public async Task Http11Client_ToHttp2Pool_SentOverH2()
    {
        using var client = _balancer.CreateClient();

        var first = await client.GetStringAsync("/plain");
        var second = await client.GetStringAsync("/plain");

        // The backends accept HTTP/2 only: the lean HTTP/1.1 path must not take these requests.
        Assert.Equal(["plain a HTTP/2", "plain b HTTP/2"], new[] { first, second }.Order());
    }
}
