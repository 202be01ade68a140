using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Balancer.Tests.Common;

namespace Balancer.Tests.Http;

public sealed class ProxyTests : ThreeBackends
{
    [Fact]
    public async Task RoundRobin_Weights511_SmoothOrder()
    {
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.SinglePoolConfig(
            "round-robin", (Backends[0].ConfigAddress, 5), (Backends[1].ConfigAddress, 1), (Backends[2].ConfigAddress, 1)));
        using var client = balancer.CreateClient();

        var order = new StringBuilder();
        for (var i = 0; i < 14; i++)
        {
            using var response = await client.GetAsync("/");
            order.Append(response.Headers.GetValues("X-Backend").Single());
        }

        Assert.Equal("aabacaaaabacaa", order.ToString());
    }

    [Fact]
    public async Task RoundRobin_EqualWeights_EvenSplit()
    {
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.SinglePoolConfig(
            "round-robin", [.. Backends.Select(b => (b.ConfigAddress, 1))]));
        using var client = balancer.CreateClient();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            for (var i = 0; i < 75; i++)
            {
                (await client.GetAsync("/")).EnsureSuccessStatusCode();
            }
        }));

        Assert.All(Backends, b => Assert.Equal(200, b.Requests));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1024 * 1024)]
    public async Task Bodies_UploadAndDownload_ArriveIntact(int size)
    {
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.SinglePoolConfig("round-robin", (Backends[0].ConfigAddress, 1)));
        using var client = balancer.CreateClient();
        var data = RandomNumberGenerator.GetBytes(size);

        using var echoed = await client.PostAsync("/echo", new ByteArrayContent(data));
        var download = await client.GetByteArrayAsync($"/bytes?n={size}");

        Assert.Equal(data, await echoed.Content.ReadAsByteArrayAsync());
        var expected = new byte[size];
        new Random(size).NextBytes(expected);
        Assert.Equal(expected, download);
    }

    [Fact]
    public async Task Bodies_ChunkedStreamingUpload_ArrivesIntact()
    {
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.SinglePoolConfig("round-robin", (Backends[0].ConfigAddress, 1)));
        using var client = balancer.CreateClient();
        var data = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);
        var content = new StreamContent(new TrickleStream(data, 60 * 1024));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/sha256") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await client.SendAsync(request);

        Assert.Equal($"{data.Length} {Convert.ToHexStringLower(SHA256.HashData(data))}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Headers_TrustedClientXForwardedFor_AppendedAndProtoHostSet()
    {
        var config = TestBalancer.SinglePoolConfig("round-robin", (Backends[0].ConfigAddress, 1))
            .Replace("\"protocol\": \"http\",", "\"protocol\": \"http\", \"trustedProxies\": [\"127.0.0.0/8\"],", StringComparison.Ordinal);
        await using var balancer = await TestBalancer.StartAsync(config);
        using var client = balancer.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/headers");
        request.Headers.Add("X-Forwarded-For", "198.18.5.5");
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Connection.Add("X-Secret");
        request.Headers.Add("X-Secret", "hop-by-hop");
        request.Headers.Host = "shop.example";

        using var response = await client.SendAsync(request);
        var headers = JsonSerializer.Deserialize<Dictionary<string, string>>(await response.Content.ReadAsStringAsync())!;
        headers = new Dictionary<string, string>(headers, StringComparer.OrdinalIgnoreCase);

        Assert.Equal("198.18.5.5, 127.0.0.1", headers["X-Forwarded-For"]);
        Assert.Equal("http", headers["X-Forwarded-Proto"]);
        Assert.Equal("shop.example", headers["X-Forwarded-Host"]);
        Assert.False(headers.ContainsKey("X-Secret"), "a header named in Connection is hop-by-hop and must not be forwarded");
    }

    [Fact]
    public async Task Headers_UntrustedClientXForwardedFor_ReplacedByClientAddress()
    {
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.SinglePoolConfig("round-robin", (Backends[0].ConfigAddress, 1)));
        using var client = balancer.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/headers");
        request.Headers.Add("X-Forwarded-For", "198.18.5.5");
        request.Headers.Add("Forwarded", "for=198.18.5.5");

        using var response = await client.SendAsync(request);
        var headers = JsonSerializer.Deserialize<Dictionary<string, string>>(await response.Content.ReadAsStringAsync())!;
        headers = new Dictionary<string, string>(headers, StringComparer.OrdinalIgnoreCase);

        Assert.Equal("127.0.0.1", headers["X-Forwarded-For"]);
        Assert.False(headers.ContainsKey("Forwarded"), "an untrusted client's Forwarded header must not reach the backend");
    }

    [Fact]
    public async Task Response_BackendStatusAndHeaders_PassedBackUntouched()
    {
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.SinglePoolConfig("round-robin", (Backends[0].ConfigAddress, 1)));
        using var client = balancer.CreateClient();

        using var response = await client.GetAsync("/no/such/thing?x=1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("a", response.Headers.GetValues("X-Backend").Single());
        Assert.Equal("a /no/such/thing", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task WebSocket_Echo_ThroughProxy()
    {
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.SinglePoolConfig("round-robin", (Backends[0].ConfigAddress, 1)));
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://{balancer.ProxyAddress.Authority}/ws"), CancellationToken.None);

        var buffer = new byte[1024];
        foreach (var message in new[] { "hello", "through", "the balancer" })
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, true, CancellationToken.None);
            var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
            Assert.Equal(message, Encoding.UTF8.GetString(buffer, 0, result.Count));
        }

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        Assert.Equal(WebSocketState.Closed, socket.State);
    }

    [Fact]
    public async Task Http2_PriorKnowledge_Served()
    {
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.SinglePoolConfig("round-robin", (Backends[0].ConfigAddress, 1)));
        using var client = new HttpClient { BaseAddress = balancer.ProxyAddress, DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };

        using var response = await client.GetAsync("/h2");

        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal("a /h2", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task UnreachableBackend_Returns502WithShortBody()
    {
        var closedPort = Health.ActiveHealthTests.ClosedPort();
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.SinglePoolConfig("round-robin", ($"http://127.0.0.1:{closedPort}", 1)));
        using var client = balancer.CreateClient();

        using var response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.StartsWith("502 Bad Gateway", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task NoUsableBackend_Returns503WithRetryAfter()
    {
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.SinglePoolConfig("round-robin", (Backends[0].ConfigAddress, 1)));
        using var admin = new HttpClient { BaseAddress = balancer.AdminAddress };
        var drain = await admin.PostAsync($"/pools/web/backends/{Uri.EscapeDataString(Backends[0].ConfigAddress)}/drain", null);
        drain.EnsureSuccessStatusCode();
        using var client = balancer.CreateClient();

        using var response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(new RetryConditionHeaderValue(TimeSpan.FromSeconds(1)), response.Headers.RetryAfter);
        Assert.StartsWith("503 Service Unavailable", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, Backends[0].Requests);
    }

    [Fact]
    public async Task UnreachableBackend_IdempotentGetRetriedOnAnother()
    {
        var closedPort = Health.ActiveHealthTests.ClosedPort();
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.SinglePoolConfig(
            "round-robin", ($"http://127.0.0.1:{closedPort}", 1), (Backends[0].ConfigAddress, 1)));
        using var client = balancer.CreateClient();

        for (var i = 0; i < 6; i++)
        {
            using var response = await client.GetAsync("/");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    /// <summary>A stream that hands out data in small pieces with pauses, so the upload is really streamed.</summary>
    private sealed class TrickleStream(byte[] data, int piece) : MemoryStream(data)
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            return await base.ReadAsync(buffer[..Math.Min(piece, buffer.Length)], cancellationToken);
        }
    }
}
