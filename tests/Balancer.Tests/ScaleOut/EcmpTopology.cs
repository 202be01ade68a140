using System.Net;
using System.Security.Cryptography;
using Balancer.Tests.Failover;

namespace Balancer.Tests.ScaleOut;

/// <summary>
/// The namespaces of an ECMP tier, linked only to each other: a router; three nodes and a backend host on one LAN,
/// a bridge in a switch namespace (so a node's port can go dark without the router seeing its link drop); a client
/// behind the router on a link of its own. Addresses from 198.18.0.0/15 (RFC 2544): LAN 198.18.1.0/24 (router .1,
/// nodes .11–.13, backends .20), client link 198.18.3.0/24, the announced address 198.18.10.100. The router forwards
/// with an L4 multipath hash (fib_multipath_hash_policy=1), so each flow (source port) picks a node. Names end in a
/// random suffix, so runs side by side do not collide; Dispose deletes the namespaces and their links.
/// </summary>
public sealed class EcmpTopology : IDisposable
{
    public const string RouterAddress = "198.18.1.1";
    public const string BackendAddress = "198.18.1.20";
    public const string ClientAddress = "198.18.3.2";
    public const string Vip = "198.18.10.100";
    public const int NodeCount = 3;

    private readonly string _suffix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
    private readonly List<string> _created = [];

    public string Router => $"blb-er-{_suffix}";

    public string Client => $"blb-ec-{_suffix}";

    public string Backend => $"blb-eb-{_suffix}";

    private string Switch => $"blb-es-{_suffix}";

    /// <summary>Node <paramref name="i"/>'s namespace, 1-based.</summary>
    public string Node(int i) => $"blb-e{i}-{_suffix}";

    /// <summary>Node <paramref name="i"/>'s LAN address, 1-based: 198.18.1.11 and on.</summary>
    public static string NodeAddress(int i) => $"198.18.1.{10 + i}";

    /// <summary>The node number of a LAN address, or 0.</summary>
    public static int NodeOf(string? address) =>
        Enumerable.Range(1, NodeCount).FirstOrDefault(i => NodeAddress(i) == address);

    public static IPEndPoint VipEndPoint(int port) => new(IPAddress.Parse(Vip), port);

    /// <summary>Builds everything; undoes what it made if a step fails.</summary>
    public static EcmpTopology Create()
    {
        var topology = new EcmpTopology();
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

    /// <summary>Takes node <paramref name="i"/>'s switch port down (<paramref name="dark"/>): its frames go nowhere, and the router's link stays up (a dead host); or up again.</summary>
    public void Isolate(int i, bool dark = true) => NetnsTopology.Ip("-n", Switch, "link", "set", $"p{i}", dark ? "down" : "up");

    /// <summary>The next hops the router's kernel uses for the announced address, e.g. [198.18.1.11, 198.18.1.13].</summary>
    public IReadOnlyList<string> VipNextHops()
    {
        var words = NetnsTopology.Run("ip", "-n", Router, "route", "show", $"{Vip}/32").Output.Split((char[])[' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries);
        return [.. words.Zip(words.Skip(1)).Where(p => p.First == "via").Select(p => p.Second).Order(StringComparer.Ordinal)];
    }

    public void Dispose()
    {
        foreach (var netns in _created.AsEnumerable().Reverse())
        {
            NetnsTopology.Run("ip", "netns", "del", netns);
        }
    }

    private void Build()
    {
        var nodes = Enumerable.Range(1, NodeCount).Select(i => (Node(i), NodeAddress(i), $"p{i}"));
        foreach (var netns in new[] { Switch, Router, Client, Backend }.Concat(nodes.Select(n => n.Item1)))
        {
            NetnsTopology.Ip("netns", "add", netns);
            _created.Add(netns);
            NetnsTopology.Ip("-n", netns, "link", "set", "lo", "up");
        }

        NetnsTopology.Ip("-n", Switch, "link", "add", "br0", "type", "bridge");
        NetnsTopology.Ip("-n", Switch, "link", "set", "br0", "up");
        foreach (var (netns, address, port) in nodes.Append((Router, RouterAddress, "pr")).Append((Backend, BackendAddress, "pb")))
        {
            NetnsTopology.Ip("link", "add", "eth0", "netns", netns, "type", "veth", "peer", "name", port, "netns", Switch);
            NetnsTopology.Ip("-n", Switch, "link", "set", port, "master", "br0");
            NetnsTopology.Ip("-n", Switch, "link", "set", port, "up");
            Up(netns, "eth0", $"{address}/24");
            if (netns != Router)
            {
                NetnsTopology.Ip("-n", netns, "route", "add", "default", "via", RouterAddress);
            }
        }

        NetnsTopology.Ip("link", "add", "eth1", "netns", Router, "type", "veth", "peer", "name", "eth0", "netns", Client);
        Up(Router, "eth1", "198.18.3.1/24");
        Up(Client, "eth0", $"{ClientAddress}/24");
        NetnsTopology.Ip("-n", Client, "route", "add", "default", "via", "198.18.3.1");
        Sysctl(Router, "net.ipv4.ip_forward=1", "net.ipv4.fib_multipath_hash_policy=1");
    }

    private static void Up(string netns, string device, string cidr)
    {
        NetnsTopology.Ip("-n", netns, "addr", "add", cidr, "dev", device);
        NetnsTopology.Ip("-n", netns, "link", "set", device, "up");
    }

    private static void Sysctl(string netns, params string[] settings)
    {
        var (code, output) = NetnsTopology.Run("ip", ["netns", "exec", netns, "sysctl", "-qw", .. settings]);
        if (code != 0)
        {
            throw new InvalidOperationException($"sysctl in {netns} failed: {output}");
        }
    }
}
