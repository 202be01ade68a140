using System.Net;
using System.Net.Sockets;
using Balancer.Core.Failover;
using Balancer.Tests.Common;
using Balancer.Tests.Failover;

namespace Balancer.Tests.Cli;

/// <summary><c>balancer witness</c> (#23) over loopback: mistakes get one line, a running witness answers what it heard.</summary>
public sealed class WitnessCommandTests
{
    [Theory]
    [InlineData("nonsense", "witness --bind: 'nonsense' is not ip:port")]
    [InlineData("127.0.0.1:0", "witness --key-file: cannot read /nonexistent/peer.key")]
    public async Task Witness_BadBindOrKeyFile_OneLineExitOne(string bind, string expected)
    {
        var (code, stdout, stderr) = await BalancerProcess.RunAsync("witness", "--bind", bind, "--key-file", "/nonexistent/peer.key");

        Assert.Equal(1, code);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Witness_HearsAnAdvert_AnswersAQueryWithTheMaster()
    {
        using var files = new FailoverFiles();
        var port = FailoverFiles.FreeUdpPort();
        using var witness = BalancerProcess.Start("witness", "--bind", $"127.0.0.1:{port}", "--key-file", files.KeyFile, "--peers", "127.0.0.1");
        await Wait.Until(() => witness.Stdout.Contains("witness listening", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the witness listens");
        var keys = new FailoverKeyRing(Convert.FromHexString(File.ReadAllText(files.KeyFile).Trim()));
        using var node = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        node.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var to = new IPEndPoint(IPAddress.Loopback, port);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var buffer = new byte[AdvertCodec.MaxLength];
        node.SendTo(buffer.AsSpan(0, AdvertCodec.Encode(new AdvertPacket("lb1", FailoverState.Master, 150, TimeSpan.FromMilliseconds(100), 7, 1, 0, "default", 0, now), keys, buffer)), to);
        await Wait.Until(() => witness.Stdout.Contains("witness hears lb1 as master of group default (priority 150)", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the witness hears the advert");

        var query = new byte[WitnessCodec.MaxLength];
        node.SendTo(query.AsSpan(0, WitnessCodec.Encode(new WitnessMessage(false, "lb2", "default", 9, 4, now), keys, query)), to);
        node.ReceiveTimeout = 10_000;
        var answer = new byte[2048];
        var length = node.Receive(answer);

        Assert.True(WitnessCodec.TryDecode(answer.AsSpan(0, length), keys, out var message, out var error), error.ToString());
        Assert.Equal((true, "lb1", (byte)150, 9UL, 4UL), (message.IsAnswer, message.NodeId, message.Priority, message.NonceEpoch, message.NonceSequence));
        Assert.InRange(message.HeardAgo, TimeSpan.Zero, TimeSpan.FromSeconds(30));
    }
}
