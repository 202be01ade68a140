using Balancer.Core.Configuration.Binding;

namespace Balancer.Core.Configuration.Validation;

/// <summary>
/// Checks <c>failover.peers</c>: every address of every path, no address twice (two paths to one address are one
/// path), no node id twice, none that is our own.
/// </summary>
internal static class FailoverPeerValidator
{
    private static readonly string _path = ConfigPath.Child("failover", "peers");

    public static void Validate(FailoverConfig failover, ConfigDiagnostics diagnostics)
    {
        // A config built in code may list addresses only; a loaded one has both, and the entries say where each is.
        var entries = failover.PeerNodes.Count > 0 ? failover.PeerNodes : [.. failover.Peers.Select(p => new FailoverPeerConfig { Addresses = [p] })];
        var addresses = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var nodeIds = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            var entryPath = ConfigPath.Item(_path, i);
            if (entry.NodeId is { } nodeId && nodeId.Length > 0)
            {
                if (nodeId == failover.NodeId)
                {
                    diagnostics.Report(ConfigPath.Child(entryPath, "nodeId"), $"'{nodeId}' is this node's own nodeId; a peer needs its own");
                }
                else if (!nodeIds.Add(nodeId))
                {
                    diagnostics.Report(ConfigPath.Child(entryPath, "nodeId"), $"peer '{nodeId}' is listed twice; give one entry all its addresses");
                }
            }

            for (var j = 0; j < entry.Addresses.Count; j++)
            {
                var path = entry.NodeId is null ? entryPath : ConfigPath.Item(ConfigPath.Child(entryPath, "addresses"), j);
                var address = entry.Addresses[j];
                if (AddressSyntax.CheckPeer(address) is { } error)
                {
                    diagnostics.Report(path, error);
                }
                else if (!addresses.TryAdd(address, path))
                {
                    diagnostics.Report(path, $"'{address}' is already at {addresses[address]}; each heartbeat path is one address, listed once");
                }
            }
        }
    }
}
