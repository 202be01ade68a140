using System.Net.Sockets;
using System.Text;
using Balancer.Tests.Common;

namespace Balancer.Tests.Cli;

public sealed class SystemdNotifyTests
{
    [Fact]
    public async Task NotifySocket_ReadyReloadingStopping_Sent()
    {
        var dir = Directory.CreateTempSubdirectory("balancer-notify-").FullName;
        try
        {
            var socketPath = Path.Combine(dir, "notify.sock");
            using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            notify.Bind(new UnixDomainSocketEndPoint(socketPath));
            var config = Path.Combine(dir, "balancer.json");
            await File.WriteAllTextAsync(config, TestBalancer.SinglePoolConfig("round-robin", ("http://127.0.0.1:1", 1)));
            using var process = BalancerProcess.Start(new Dictionary<string, string> { ["NOTIFY_SOCKET"] = socketPath }, "--config", config);

            Assert.StartsWith("READY=1", await Receive(notify));
            process.Signal(1); // SIGHUP
            Assert.StartsWith("RELOADING=1", await Receive(notify));
            Assert.StartsWith("READY=1", await Receive(notify));
            process.Signal(15);
            Assert.StartsWith("STOPPING=1", await Receive(notify));
            Assert.Equal(0, await process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<string> Receive(Socket socket)
    {
        var buffer = new byte[1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        return Encoding.UTF8.GetString(buffer, 0, read);
    }
}
