using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Balancer.Core.Configuration;
using Balancer.Tests.Common;

namespace Balancer.Tests.Demo;

/// <summary>
/// <c>balancer demo</c> as the README's demo walk-through uses it, the real executable over the repository's own
/// config/demo.json (only its ports moved to free ones): rotation, a sick backend, a live edit, drain, Ctrl+C.
/// </summary>
public sealed partial class DemoTests : IDisposable
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);
    private readonly string _dir = Directory.CreateTempSubdirectory("balancer-demo-").FullName;
    private readonly int[] _ports = FreePorts(4);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ShippedDemoConfig_ProbesSoASickBackendIsDownWithinAboutTwoSeconds()
    {
        var health = ConfigLoader.Load(Path.Combine(RepositoryRoot.Path, "config", "demo.json")).Config!.Pools["web"].Health!;

        // fall probes, each at most one interval apart, then the dashboard's 1 s refresh.
        Assert.Equal("http", health.Probe);
        Assert.True(health.Interval * health.Fall + TimeSpan.FromSeconds(1) <= TimeSpan.FromSeconds(2.5), $"{health.Interval} x {health.Fall}");
        Assert.True(health.Interval * health.Rise <= TimeSpan.FromSeconds(1.5));
    }

    [Fact]
    public async Task Demo_ReadmeWalkThrough()
    {
        var config = Path.Combine(_dir, "demo.json");
        await File.WriteAllTextAsync(config, DemoConfig(includeFourth: false));
        using var demo = BalancerProcess.StartWithDefaultSignals("demo", "--config", config);
        await Wait.Until(() => demo.Stdout.Contains($"demo: watching {config}", StringComparison.Ordinal), Generous, "the watched path printed");
        using var proxy = new HttpClient { BaseAddress = new Uri(Printed(demo, "listener web on ")), Timeout = Generous };
        using var admin = new HttpClient { BaseAddress = new Uri(Printed(demo, "dashboard ")), Timeout = Generous };
        await Wait.Until(async () => (await HealthyAsync(admin)).Count == 3, Generous, "three backends up");

        // 1. Rotation.
        Assert.Equal(["demo-1", "demo-2", "demo-3"], (await BackendsAsync(proxy, 3)).Order());

        // 2. A sick backend: DOWN, out of the rotation, then back.
        using var direct = new HttpClient();
        await direct.PostAsync($"http://127.0.0.1:{_ports[1]}/demo/unhealthy", null);
        await Wait.Until(async () => !(await HealthyAsync(admin)).Contains(Address(1)), Generous, "demo-2 DOWN");
        Assert.DoesNotContain("demo-2", await BackendsAsync(proxy, 6));
        Assert.Contains($"web {Address(1)} DOWN: 2 consecutive failed probes", demo.Stdout, StringComparison.Ordinal);
        await direct.PostAsync($"http://127.0.0.1:{_ports[1]}/demo/healthy", null);
        await Wait.Until(async () => (await HealthyAsync(admin)).Contains(Address(1)), Generous, "demo-2 back");

        // 3. A live edit: a weight and a new backend, which the demo starts itself.
        await File.WriteAllTextAsync(config, DemoConfig(includeFourth: true));
        await Wait.Until(async () => (await HealthyAsync(admin)).Count == 4, Generous, "demo-4 up");
        Assert.Contains($"demo: started demo backend demo-4 on 127.0.0.1:{_ports[3]}", demo.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain($"{Address(3)} DOWN", demo.Stdout, StringComparison.Ordinal);
        await Wait.Until(() => demo.Stdout.Contains($"~backend web/{Address(0)} (weight 1 → 3)", StringComparison.Ordinal), Generous, "the reload logged:\n" + demo.Stdout);
        var weighted = await BackendsAsync(proxy, 12);
        Assert.InRange(weighted.Count(b => b == "demo-1"), 5, 7); // weight 3 of 6
        Assert.Contains("demo-4", weighted);

        // 4. Drain by host:port.
        (await admin.PostAsync($"pools/web/backends/127.0.0.1:{_ports[2]}/drain", null)).EnsureSuccessStatusCode();
        Assert.DoesNotContain("demo-3", await BackendsAsync(proxy, 6));

        // 5. Ctrl+C: the message the README quotes, then exit 0.
        demo.Signal(2);
        Assert.Equal(0, await demo.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var quoted = ReadmeStopMessage().Match(RepositoryRoot.Read("README.md"));
        Assert.True(quoted.Success, "README's demo walk-through quotes the Ctrl+C message");
        Assert.Contains(quoted.Groups[1].Value, demo.Stdout, StringComparison.Ordinal);
    }

    private string Address(int i) => $"http://127.0.0.1:{_ports[i]}";

    /// <summary>The repository's demo config with its ports moved; the fourth backend and a weight as the README's live edit adds them.</summary>
    private string DemoConfig(bool includeFourth)
    {
        var text = RepositoryRoot.Read("config/demo.json")
            .Replace("127.0.0.1:8080", "127.0.0.1:0", StringComparison.Ordinal)
            .Replace("127.0.0.1:9901", "127.0.0.1:0", StringComparison.Ordinal);
        for (var i = 0; i < 3; i++)
        {
            text = text.Replace($"127.0.0.1:500{i + 1}\"", $"127.0.0.1:{_ports[i]}\"", StringComparison.Ordinal);
        }

        return includeFourth
            ? text.Replace($"{{ \"address\": \"{Address(0)}\" }},", $"{{ \"address\": \"{Address(0)}\", \"weight\": 3 }},\n        {{ \"address\": \"{Address(3)}\" }},", StringComparison.Ordinal)
            : text;
    }

    private static string Printed(BalancerProcess demo, string prefix) =>
        demo.Stdout.Split('\n').Select(l => l.Split(prefix)).First(p => p.Length == 2)[1].Split(' ', ',')[0];

    private static async Task<List<string>> HealthyAsync(HttpClient admin)
    {
        using var status = JsonDocument.Parse(await admin.GetStringAsync("status"));
        return [.. status.RootElement.GetProperty("pools").GetProperty("web").GetProperty("backends").EnumerateArray()
            .Where(b => b.GetProperty("healthy").GetBoolean() && !b.GetProperty("draining").GetBoolean())
            .Select(b => b.GetProperty("address").GetString()!)];
    }

    private static async Task<List<string>> BackendsAsync(HttpClient proxy, int count)
    {
        var names = new List<string>();
        for (var i = 0; i < count; i++)
        {
            using var response = await proxy.GetAsync("/");
            names.Add(response.Headers.GetValues("X-Backend").Single());
        }

        return names;
    }

    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Stop());
        return ports;
    }

    [GeneratedRegex(@"Ctrl\+C logs `([^`]+)`")]
    private static partial Regex ReadmeStopMessage();
}
