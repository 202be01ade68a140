using System.Net.Sockets;
using System.Text;
using Balancer.Core.ProxyProtocol;
using Balancer.Tests.Common;

namespace Balancer.Tests.Tcp;

/// <summary>PROXY protocol on real connections: sent to backends, accepted from clients, malformed ones refused.</summary>
public sealed class TcpProxyProtocolTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task PoolProxyProtocolV1_BackendReceivesClientAddressThenData()
    {
        var (backend, received) = CapturingServer();
        await using var _ = backend;
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.TcpConfig("round-robin", "", """ "proxyProtocol": "v1", """, backend.Address));
        using var client = await TcpTestClient.ConnectAsync(balancer.ListenerAddress);
        var clientPort = ((System.Net.IPEndPoint)client.LocalEndPoint!).Port;
        var listenerPort = System.Net.IPEndPoint.Parse(balancer.ListenerAddress).Port;

        await SendAndCloseAsync(client, "hello");

        Assert.Equal($"PROXY TCP4 127.0.0.1 127.0.0.1 {clientPort} {listenerPort}\r\nhello", Encoding.ASCII.GetString(await received.Task.WaitAsync(s_wait)));
    }

    [Fact]
    public async Task PoolProxyProtocolV2_BackendReceivesBinaryHeaderThenData()
    {
        var (backend, received) = CapturingServer();
        await using var _ = backend;
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.TcpConfig("round-robin", "", """ "proxyProtocol": "v2", """, backend.Address));
        using var client = await TcpTestClient.ConnectAsync(balancer.ListenerAddress);

        await SendAndCloseAsync(client, "hello");

        var bytes = await received.Task.WaitAsync(s_wait);
        var parsed = ProxyHeaderParser.Parse(new(bytes));
        Assert.Equal(ProxyParseStatus.Done, parsed.Status);
        Assert.Equal(28, parsed.Consumed);
        Assert.Equal(client.LocalEndPoint, parsed.Header!.Source);
        Assert.Equal("hello", Encoding.ASCII.GetString(bytes[28..]));
    }

    [Theory]
    [InlineData("v1")]
    [InlineData("v2")]
    public async Task AcceptProxyProtocol_ValidInboundHeader_ItsClientIsPassedOn(string inbound)
    {
        var (backend, received) = CapturingServer();
        await using var _ = backend;
        await using var balancer = await TestBalancer.StartAsync(
            TestBalancer.TcpConfig("round-robin", """ "acceptProxyProtocol": true, """, """ "proxyProtocol": "v1", """, backend.Address));
        using var client = await TcpTestClient.ConnectAsync(balancer.ListenerAddress);
        var origin = new ProxyHeader(System.Net.IPEndPoint.Parse("192.168.0.1:56324"), System.Net.IPEndPoint.Parse("192.168.0.11:443"));
        var header = new byte[ProxyHeaderWriter.MaxLength];
        var length = ProxyHeaderWriter.Write(inbound, origin, header);

        await client.SendAsync(header.AsMemory(0, length));
        await SendAndCloseAsync(client, "hello");

        Assert.Equal("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\nhello", Encoding.ASCII.GetString(await received.Task.WaitAsync(s_wait)));
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n\r\n")]
    [InlineData("PROXY TCP4 999.1.1.1 1.1.1.1 1 2\r\n")]
    [InlineData("PROXY TCP4 1.1.1.1 1.1.1.1 1 2")]
    public async Task AcceptProxyProtocol_MalformedOrMissingHeader_ConnectionClosedBeforeAnyBackend(string start)
    {
        await using var backend = TestTcpServer.Start();
        await using var balancer = await TestBalancer.StartAsync(
            TestBalancer.TcpConfig("round-robin", """ "acceptProxyProtocol": true, "connectTimeout": "1s", """, "", backend.Address));
        using var client = await TcpTestClient.ConnectAsync(balancer.ListenerAddress);

        // The third start never finishes its line: the header timeout (connectTimeout) closes it.
        await client.SendAsync(Encoding.ASCII.GetBytes(start));

        Assert.Empty(await TcpTestClient.ReadToEndAsync(client, s_wait));
        Assert.Equal(0, backend.Accepts);
    }

    /// <summary>A backend that records everything one connection sent, up to the client's FIN.</summary>
    private static (TestTcpServer Server, TaskCompletionSource<byte[]> Received) CapturingServer()
    {
        var received = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = TestTcpServer.Start(async socket => received.TrySetResult(await TestTcpServer.ReadToEndAsync(socket)));
        return (server, received);
    }

    private static async Task SendAndCloseAsync(Socket client, string text)
    {
        await client.SendAsync(Encoding.ASCII.GetBytes(text));
        client.Shutdown(SocketShutdown.Send);
    }
}
