using System.Net;
using Balancer.Core.Configuration;
using Balancer.Tests.Common;
using YamlDotNet.RepresentationModel;

namespace Balancer.Tests.Deployment;

/// <summary>
/// Docker cannot run on our machines, so docker-compose.yml is checked against the repository
/// instead: files it mounts exist, the Balancer configs it runs pass <c>balancer check</c>, and
/// addresses, ports, priorities and the virtual IP agree between the compose file and the configs.
/// </summary>
public sealed class ComposeFileTests
{
    private static readonly string Root = RepositoryRoot.Path;
    private readonly YamlMappingNode _services;
    private readonly YamlMappingNode _compose;

    public ComposeFileTests()
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(Root, "docker-compose.yml")))
        {
            yaml.Load(reader);
        }

        _compose = (YamlMappingNode)yaml.Documents[0].RootNode;
        _services = Map(_compose, "services");
    }

    [Fact]
    public void MountedFiles_ExistInRepository_AndNamedVolumesAreDeclared()
    {
        var named = Map(_compose, "volumes").Children.Keys.Select(k => k.ToString()).ToHashSet();
        var sources = _services.Children.Values.Cast<YamlMappingNode>()
            .SelectMany(Volumes)
            .Select(v => v.Split(':')[0])
            .Distinct()
            .ToList();

        Assert.NotEmpty(sources);
        Assert.All(sources, source => Assert.True(
            source.StartsWith('.') ? Path.Exists(Path.Combine(Root, source)) : named.Contains(source),
            $"{source} is mounted but neither in the repository nor a declared volume"));
        Assert.True(File.Exists(Path.Combine(Root, "Dockerfile")));
    }

    /// <summary>
    /// No deployment may run a published key: the repository holds no peer key or admin token, and
    /// the one-shot "secrets" service generates fresh ones into a volume on the first <c>up</c>,
    /// keeps them on later ones, and the Balancers wait for it.
    /// </summary>
    [Fact]
    public void Secrets_AreGeneratedOnFirstUp_NotCommitted()
    {
        Assert.False(_compose.Children.ContainsKey("secrets"), "top-level secrets: would mount files from the repository");
        Assert.Empty(Directory.GetFiles(Path.Combine(Root, "config"), "*.key", SearchOption.AllDirectories));
        Assert.Empty(Directory.GetFiles(Path.Combine(Root, "config"), "*.token", SearchOption.AllDirectories));

        foreach (var lb in new[] { "lb1", "lb2" })
        {
            var service = Map(_services, lb);
            Assert.Contains(Volumes(service), v => v.StartsWith("balancer-secrets:", StringComparison.Ordinal));
            var dependsOn = Map((YamlMappingNode)service["<<"], "depends_on");
            Assert.Equal("service_completed_successfully", Map(dependsOn, "secrets")["condition"].ToString());
        }

        // Run the init script as compose would (its $$ unescaped), against a scratch directory.
        var script = ((YamlSequenceNode)Map(_services, "secrets")["entrypoint"])[2].ToString();
        var dir = Directory.CreateTempSubdirectory("balancer-secrets-").FullName;
        try
        {
            var runnable = script.Replace("$$", "$", StringComparison.Ordinal).Replace("/secrets", dir, StringComparison.Ordinal)
                .Replace("chown app:app", "true", StringComparison.Ordinal);
            RunShell(runnable);
            var key = File.ReadAllText(Path.Combine(dir, "peer.key"));
            var token = File.ReadAllText(Path.Combine(dir, "admin.token"));
            Assert.Matches("^[0-9a-f]{64}$", key);
            Assert.Matches("^[0-9a-f]{64}$", token);
            Assert.NotEqual(key, token);

            RunShell(runnable);
            Assert.Equal(key, File.ReadAllText(Path.Combine(dir, "peer.key")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void RunShell(string script)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("/bin/sh", ["-c", script])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)), "secrets script hung");
        Assert.True(process.ExitCode == 0, $"secrets script failed: {stderr.Result}");
    }

    /// <summary>volumes of the service and of the anchor it merges in.</summary>
    private static IEnumerable<string> Volumes(YamlMappingNode service)
    {
        var own = service.Children.TryGetValue("volumes", out var volumes) ? ((YamlSequenceNode)volumes).Select(v => v.ToString()) : [];
        var merged = service.Children.TryGetValue("<<", out var anchor) ? Volumes((YamlMappingNode)anchor) : [];
        return own.Concat(merged);
    }

    [Theory]
    [InlineData("lb1", "lb2", 150)]
    [InlineData("lb2", "lb1", 100)]
    public void BalancerService_ConfigValidAndAgreesWithCompose(string name, string peerName, int priority)
    {
        var service = Map(_services, name);
        var config = LoadConfig(service);
        var failover = config.Failover!;
        var subnet = ((YamlSequenceNode)Map(Map(Map(_compose, "networks"), "lbnet"), "ipam")["config"])[0]["subnet"].ToString();

        Assert.Equal(name, failover.NodeId);
        Assert.Equal(priority, failover.Priority);
        Assert.Equal([$"{Address(peerName)}:{Port(failover.Bind)}"], failover.Peers);
        Assert.Equal(Port(failover.Bind), Port(LoadConfig(Map(_services, peerName)).Failover!.Bind));
        var vip = failover.VirtualIps.Single();
        Assert.True(InSubnet(vip.Split('/')[0], subnet), $"VIP {vip} outside the compose subnet {subnet}");
        Assert.True(InSubnet(Address(name), subnet));
        Assert.Contains("NET_ADMIN", Caps(service));
        Assert.Contains("NET_RAW", Caps(service));
        Assert.Equal(LoadConfig(Map(_services, peerName)).Failover!.VirtualIps, failover.VirtualIps);
    }

    [Fact]
    public void Backends_InConfigsAreTheComposeDemoBackends()
    {
        var demo = _services.Children
            .Where(s => ((YamlMappingNode)s.Value).Children.TryGetValue("command", out var c) && c.ToString().Contains("demo-backend", StringComparison.Ordinal))
            .Select(s => $"http://{Address(s.Key.ToString())}:{Port(CommandValue((YamlMappingNode)s.Value, "--bind"))}")
            .Order()
            .ToList();

        foreach (var lb in new[] { "lb1", "lb2" })
        {
            var backends = LoadConfig(Map(_services, lb)).Pools.Values.SelectMany(p => p.Backends).Select(b => b.Address).Order().ToList();
            Assert.Equal(demo, backends);
        }

        Assert.Equal(3, demo.Count);
    }

    private BalancerConfig LoadConfig(YamlMappingNode service)
    {
        var entry = string.Join(' ', ((YamlSequenceNode)service["entrypoint"]).Select(n => n.ToString()));
        var containerPath = entry[(entry.IndexOf("--config ", StringComparison.Ordinal) + "--config ".Length)..].Split(' ')[0];
        var mount = Volumes(service).Select(v => v.Split(':')).Single(v => containerPath.StartsWith(v[1], StringComparison.Ordinal));
        var hostPath = Path.Combine(Root, mount[0], containerPath[mount[1].Length..].TrimStart('/'));
        var result = ConfigLoader.Load(hostPath, ReferencedFileCheck.Warn);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Config!;
    }

    private string Address(string service) => Map(Map(Map(_services, service), "networks"), "lbnet")["ipv4_address"].ToString();

    private static string CommandValue(YamlMappingNode service, string option)
    {
        var args = ((YamlSequenceNode)service["command"]).Select(n => n.ToString()).ToList();
        return args[args.IndexOf(option) + 1];
    }

    /// <summary>cap_add of the service or of the anchor it merges in (<c>&lt;&lt;: *balancer</c>).</summary>
    private static IEnumerable<string> Caps(YamlMappingNode service)
    {
        var own = service.Children.TryGetValue("cap_add", out var caps) ? ((YamlSequenceNode)caps).Select(c => c.ToString()) : [];
        var merged = service.Children.TryGetValue("<<", out var anchor) ? Caps((YamlMappingNode)anchor) : [];
        return own.Concat(merged);
    }

    private static int Port(string bind) => int.Parse(bind[(bind.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    private static bool InSubnet(string address, string cidr)
    {
        var parts = cidr.Split('/');
        var prefix = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
        var network = IPAddress.Parse(parts[0]).GetAddressBytes();
        var candidate = IPAddress.Parse(address).GetAddressBytes();
        for (var bit = 0; bit < prefix; bit++)
        {
            var mask = 0x80 >> (bit % 8);
            if ((network[bit / 8] & mask) != (candidate[bit / 8] & mask))
            {
                return false;
            }
        }

        return true;
    }

    private static YamlMappingNode Map(YamlMappingNode node, string key) => (YamlMappingNode)node[key];
}
