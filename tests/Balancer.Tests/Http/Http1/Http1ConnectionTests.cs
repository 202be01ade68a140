using System.Net;
using System.Text;
using Balancer.Http.Http1;
using Balancer.Tests.Common;

namespace Balancer.Tests.Http.Http1;

/// <summary>One backend connection of the lean forwarder on its own: what it holds between responses.</summary>
public sealed class Http1ConnectionTests
{
    [Fact]
    public async Task ReadBuffer_HeldOnlyWhileAResponseIsRead()
    {
        await using var server = TestTcpServer.Start(async socket =>
        {
            var reader = new RawRequestReader(socket, CancellationToken.None);
            while (await reader.ReadAsync() is not null)
            {
                await socket.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"u8.ToArray());
            }
        });
        using var connection = await Http1Connection.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.Port), TimeProvider.System, CancellationToken.None);
        for (var i = 0; i < 2; i++)
        {
            Assert.False(connection.HoldsBuffer); // connected or idle: no buffer
            connection.BeginRequest(CancellationToken.None, TimeSpan.FromSeconds(30));
            await connection.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());
            while (connection.Buffered.Length < 40)
            {
                Assert.NotEqual(0, await connection.FillAsync());
            }

            Assert.True(connection.HoldsBuffer);
            Assert.EndsWith("ok", Encoding.ASCII.GetString(connection.Buffered.Span));
            connection.Consume(connection.Buffered.Length);
            Assert.True(connection.EndRequest());
        }

        Assert.False(connection.HoldsBuffer);
    }
}
