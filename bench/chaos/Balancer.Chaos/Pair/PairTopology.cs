namespace Balancer.Chaos.Pair;

/// <summary>
/// Five network namespaces as the failover tests build them (tests/Balancer.Tests/Failover/NetnsTopology.cs): client,
/// lb1, lb2 and backend on a bridge that lives in a switch namespace, joined by veth pairs made inside the namespaces,
/// so nothing touches a real interface. Addresses in 198.18.0.0/24 (RFC 2544). Names carry the driver's PID, so runs
/// of several engineers never meet. Dispose deletes the namespaces, and their links with them.
/// </summary>
internal sealed class PairTopology : IDisposable
{
    public const string Lb1Address = "198.18.0.11";
    public const string Lb2Address = "198.18.0.12";
    public const string BackendAddress = "198.18.0.20";
    public const string ClientAddress = "198.18.0.30";
    public const string VirtualIp = "198.18.0.100";

    private readonly string _suffix = $"{Environment.ProcessId:x}";
    private readonly List<string> _created = [];

    public string Client => $"blc-c-{_suffix}";

    public string Lb1 => $"blc-1-{_suffix}";

    public string Lb2 => $"blc-2-{_suffix}";

    public string Backend => $"blc-b-{_suffix}";

    private string Switch => $"blc-s-{_suffix}";

    public static PairTopology Create()
    {
        var topology = new PairTopology();
        Interrupt.OnInterrupt(topology.Dispose);
        try
        {
            topology.Build();
            return topology;
        }
        catch
        {
            topology.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        lock (_created)
        {
            foreach (var netns in _created.AsEnumerable().Reverse())
            {
                Shell.Run("ip", "netns", "del", netns);
            }

            _created.Clear(); // disposed twice (an interrupt during the normal disposal) deletes nothing twice
        }
    }

    private void Build()
    {
        foreach (var netns in new[] { Switch, Client, Lb1, Lb2, Backend })
        {
            Shell.Ip("netns", "add", netns);
            lock (_created)
            {
                _created.Add(netns);
            }

            Shell.Ip("-n", netns, "link", "set", "lo", "up");
        }

        Shell.Ip("-n", Switch, "link", "add", "br0", "type", "bridge");
        Shell.Ip("-n", Switch, "link", "set", "br0", "up");
        foreach (var (netns, address, port) in new[] { (Client, ClientAddress, "pc"), (Lb1, Lb1Address, "p1"), (Lb2, Lb2Address, "p2"), (Backend, BackendAddress, "pb") })
        {
            Shell.Ip("link", "add", "eth0", "netns", netns, "type", "veth", "peer", "name", port, "netns", Switch);
            Shell.Ip("-n", Switch, "link", "set", port, "master", "br0");
            Shell.Ip("-n", Switch, "link", "set", port, "up");
            Shell.Ip("-n", netns, "addr", "add", $"{address}/24", "dev", "eth0");
            Shell.Ip("-n", netns, "link", "set", "eth0", "up");
        }
    }
}
