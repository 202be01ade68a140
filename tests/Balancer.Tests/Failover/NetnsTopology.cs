using System.Diagnostics;
using System.Security.Cryptography;

namespace Balancer.Tests.Failover;

/// <summary>
/// Four network namespaces (client, lb1, lb2, backend) on one bridge that lives in a fifth, switch namespace, joined
/// by veth pairs created directly inside the namespaces: nothing is linked to a real interface and the host's own
/// namespace gets no link at all. Addresses come from 198.18.0.0/15 (RFC 2544 benchmarking). Dispose deletes every
/// namespace, which deletes their links with them.
/// </summary>
public sealed class NetnsTopology : IDisposable
{
    public const string Lb1Address = "198.18.0.11";
    public const string Lb2Address = "198.18.0.12";
    public const string BackendAddress = "198.18.0.20";
    public const string ClientAddress = "198.18.0.30";
    public const string VirtualIp = "198.18.0.100";
    public const string VirtualIpB = "198.18.0.101"; // active-active's second group (#23)
    public const string Lb1HeartbeatAddress = "198.18.1.11";
    public const string Lb2HeartbeatAddress = "198.18.1.12";

    private readonly string _suffix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
    private readonly List<string> _created = [];

    public string Client => $"blb-c-{_suffix}";

    public string Lb1 => $"blb-1-{_suffix}";

    public string Lb2 => $"blb-2-{_suffix}";

    public string Backend => $"blb-b-{_suffix}";

    private string Switch => $"blb-s-{_suffix}";

    /// <summary>Builds the namespaces, the bridge and one veth pair per node; undoes what it made if a step fails.</summary>
    public static NetnsTopology Create()
    {
        var topology = new NetnsTopology();
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

    /// <summary>Runs <c>ip</c> with <paramref name="args"/>; throws with its stderr when it fails.</summary>
    public static string Ip(params string[] args)
    {
        var (code, output) = Run("ip", args);
        return code == 0 ? output : throw new InvalidOperationException($"ip {string.Join(' ', args)} failed ({code}): {output}");
    }

    /// <summary>Runs a command to completion within 10 s; returns its exit code and output.</summary>
    public static (int Code, string Output) Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        args.ToList().ForEach(info.ArgumentList.Add);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(10_000))
        {
            process.Kill(entireProcessTree: true);
            return (-1, "timed out");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>The addresses on <paramref name="netns"/>'s eth0.</summary>
    public static string Addresses(string netns) => Ip("-n", netns, "-brief", "addr", "show", "dev", "eth0");

    /// <summary>
    /// A second heartbeat network (#23): a bridge of its own in the switch namespace and an <c>eth1</c> in lb1 and lb2
    /// only, on 198.18.1.0/24; deleted with the namespaces.
    /// </summary>
    public void AddHeartbeatLink()
    {
        Ip("-n", Switch, "link", "add", "br1", "type", "bridge");
        Ip("-n", Switch, "link", "set", "br1", "up");
        foreach (var (netns, address, port) in new[] { (Lb1, Lb1HeartbeatAddress, "h1"), (Lb2, Lb2HeartbeatAddress, "h2") })
        {
            Ip("link", "add", "eth1", "netns", netns, "type", "veth", "peer", "name", port, "netns", Switch);
            Ip("-n", Switch, "link", "set", port, "master", "br1");
            Ip("-n", Switch, "link", "set", port, "up");
            Ip("-n", netns, "addr", "add", $"{address}/24", "dev", "eth1");
            Ip("-n", netns, "link", "set", "eth1", "up");
        }
    }

    public void Dispose()
    {
        foreach (var netns in _created.AsEnumerable().Reverse())
        {
            Run("ip", "netns", "del", netns);
        }
    }

    private void Build()
    {
        foreach (var netns in new[] { Switch, Client, Lb1, Lb2, Backend })
        {
            Ip("netns", "add", netns);
            _created.Add(netns);
            Ip("-n", netns, "link", "set", "lo", "up");
        }

        Ip("-n", Switch, "link", "add", "br0", "type", "bridge");
        Ip("-n", Switch, "link", "set", "br0", "up");
        foreach (var (netns, address, port) in new[] { (Client, ClientAddress, "pc"), (Lb1, Lb1Address, "p1"), (Lb2, Lb2Address, "p2"), (Backend, BackendAddress, "pb") })
        {
            Ip("link", "add", "eth0", "netns", netns, "type", "veth", "peer", "name", port, "netns", Switch);
            Ip("-n", Switch, "link", "set", port, "master", "br0");
            Ip("-n", Switch, "link", "set", port, "up");
            Ip("-n", netns, "addr", "add", $"{address}/24", "dev", "eth0");
            Ip("-n", netns, "link", "set", "eth0", "up");
        }
    }
}
