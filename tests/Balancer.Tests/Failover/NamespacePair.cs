using System.Diagnostics;
using Balancer.Tests.Common;

namespace Balancer.Tests.Failover;

/// <summary>What the namespace failover tests share: the backend, a node's config in the topology, and a client that waits to be served.</summary>
internal static class NamespacePair
{
    /// <summary>Master_Down_Interval of the backup these tests run (priority 100) at their 100 ms adverts: 361 ms.</summary>
    public static readonly TimeSpan BackupMasterDown = Balancer.Core.Failover.FailoverTimers.MasterDownInterval(100, TimeSpan.FromMilliseconds(100));

    /// <summary>The demo backend <c>b1</c> in the backend namespace, on <see cref="NetnsTopology.BackendAddress"/>:8080.</summary>
    public static BalancerProcess StartBackend(NetnsTopology net) =>
        BalancerProcess.StartInNamespace(net.Backend, "demo-backend", "--bind", $"{NetnsTopology.BackendAddress}:8080", "--name", "b1");

    /// <summary>Node <paramref name="nodeId"/> at <paramref name="address"/> with <paramref name="peer"/>, moving the VIP on eth0.</summary>
    public static string WriteNode(FailoverFiles files, string nodeId, int priority, string address, string peer, string moreFields = "", string? keyFile = null) =>
        files.WriteNode(nodeId, priority, $"{address}:7946", $"{peer}:7946",
            $"\"vipAction\": \"ip\", \"interface\": \"eth0\", \"virtualIps\": [\"{NetnsTopology.VirtualIp}/24\"], \"garpRepeat\": 3{moreFields}",
            listenerBind: "0.0.0.0:8080", backend: $"http://{NetnsTopology.BackendAddress}:8080", keyFile: keyFile);

    /// <summary>
    /// Node <paramref name="nodeId"/> on two heartbeat paths (#23): bound to <paramref name="address"/> and
    /// <paramref name="heartbeat"/>, its peer <paramref name="peerId"/> at <paramref name="peer"/> and <paramref name="peerHeartbeat"/>.
    /// </summary>
    public static string WriteTwoPathNode(FailoverFiles files, string nodeId, int priority, (string Address, string Heartbeat) own, (string Id, string Address, string Heartbeat) peer)
    {
        var config = WriteNode(files, nodeId, priority, own.Address, peer.Address);
        var text = File.ReadAllText(config).Replace(
            $"\"bind\": \"{own.Address}:7946\", \"peers\": [\"{peer.Address}:7946\"]",
            $"\"bind\": [\"{own.Address}:7946\", \"{own.Heartbeat}:7946\"], \"peers\": [{{ \"nodeId\": \"{peer.Id}\", \"addresses\": [\"{peer.Address}:7946\", \"{peer.Heartbeat}:7946\"] }}]",
            StringComparison.Ordinal);
        File.WriteAllText(config, text);
        return text.Contains(own.Heartbeat, StringComparison.Ordinal) ? config : throw new InvalidOperationException("the node's config no longer has the shape this helper edits");
    }

    /// <summary>Curls the virtual IP from the client namespace until one request succeeds: at most 150 requests in 20 s.</summary>
    public static async Task UntilServedAsync(NetnsTopology net, string what)
    {
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 150 && watch.Elapsed < TimeSpan.FromSeconds(20); i++)
        {
            var (code, body) = NetnsTopology.Run("ip", "netns", "exec", net.Client, "curl", "-s", "-m", "1", $"http://{NetnsTopology.VirtualIp}:8080/");
            if (code == 0 && body.Length > 0)
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"{what}: the client got no answer from {NetnsTopology.VirtualIp} within {watch.Elapsed}");
    }
}
