using Balancer.Tests.Common;
using Balancer.Tests.Failover;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Balancer.Tests.Admin;

/// <summary>
/// A failover pair in network namespaces, each node's dashboard open in Chromium run in the client namespace: a
/// transition shows on both nodes' timelines and cluster panels. Every process and namespace is removed in finally.
/// </summary>
[Collection(BrowserSession.Collection)]
public sealed class ClusterBrowserTests(ITestOutputHelper output)
{
    private const string Token = "cluster-browser-test-token";
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);

    [RootChromiumFact]
    public async Task FailoverTransition_ShowsOnBothNodesTimelines()
    {
        RootFactAttribute.RequireRoot();
        using var files = new FailoverFiles();
        using var net = NetnsTopology.Create();
        var tokenFile = Path.Combine(files.Directory, "admin.token");
        await File.WriteAllTextAsync(tokenFile, Token);
        File.SetUnixFileMode(tokenFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        // Playwright speaks to Chromium over pipes, which `ip netns exec` passes on: the browser sits on the clients' side.
        var chromium = Path.Combine(files.Directory, "chromium-in-client-netns");
        await File.WriteAllTextAsync(chromium, $"#!/bin/sh\nexec ip netns exec {net.Client} {ChromiumFactAttribute.ExecutablePath} \"$@\"\n");
        File.SetUnixFileMode(chromium, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var processes = new List<BalancerProcess>();
        try
        {
            processes.Add(NamespacePair.StartBackend(net));
            var lb1Config = WriteNode(files, "lb1", 150, NetnsTopology.Lb1Address, NetnsTopology.Lb2Address);
            WriteNode(files, "lb2", 100, NetnsTopology.Lb2Address, NetnsTopology.Lb1Address);
            processes.Add(BalancerProcess.StartInNamespace(net.Lb1, "--config", lb1Config));
            processes.Add(BalancerProcess.StartInNamespace(net.Lb2, "--config", Path.Combine(files.Directory, "lb2.json")));
            await files.WaitForRolesAsync("lb1", "lb2", Settle);
            await using var browser = await BrowserSession.LaunchAsync(chromium);
            var lb1 = await OpenAsync(browser, NetnsTopology.Lb1Address, "master");
            var lb2 = await OpenAsync(browser, NetnsTopology.Lb2Address, "backup");

            // lb1 lowers its priority by a live edit; lb2, which preempts, takes over.
            WriteNode(files, "lb1", 50, NetnsTopology.Lb1Address, NetnsTopology.Lb2Address);

            await Assertions.Expect(lb2.Locator(".event[data-kind='failover'][data-result='master']").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await Assertions.Expect(lb1.Locator(".event[data-kind='failover'][data-result='backup']").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await Assertions.Expect(lb1.Locator("[data-node-state]")).ToHaveTextAsync("backup", new() { Timeout = 30_000 });
            await Assertions.Expect(lb2.Locator("[data-node-state]")).ToHaveTextAsync("master", new() { Timeout = 30_000 });
            await Assertions.Expect(lb1.Locator("[data-peer]")).ToContainTextAsync("lb2");
            // The single-group form is one group, "default" (#23): its state, its master; and the heartbeat path to the peer.
            await Assertions.Expect(lb2.Locator("[data-group='default'] [data-group-state]")).ToHaveTextAsync("master", new() { Timeout = 30_000 });
            await Assertions.Expect(lb1.Locator("[data-group='default'] [data-group-master]")).ToHaveTextAsync("lb2", new() { Timeout = 30_000 });
            await Assertions.Expect(lb1.Locator($"[data-paths] [data-path='{NetnsTopology.Lb2Address}']")).ToContainTextAsync("working");
            await Assertions.Expect(lb1.Locator(".event[data-kind='reload'][data-result='applied']").First).ToBeVisibleAsync();
            await BrowserSession.ShotAsync(lb1, "dashboard-failover-lb1", lb1.Locator("#timeline"));
            await BrowserSession.ShotAsync(lb2, "dashboard-failover-lb2", lb2.Locator("#timeline"));
            await BrowserSession.ShotAsync(lb2, "dashboard-cluster", lb2.Locator("#cluster"));
        }
        catch
        {
            processes.ForEach(p => output.WriteLine($"--- pid {p.Id}\n{p.Stdout}{p.Stderr}"));
            throw;
        }
        finally
        {
            processes.ForEach(p => p.Dispose());
        }
    }

    private static async Task<IPage> OpenAsync(BrowserSession browser, string address, string state)
    {
        var page = await browser.NewPageAsync(Token);
        await page.GotoAsync($"http://{address}:9901/");
        await Assertions.Expect(page.Locator("[data-node-state]")).ToHaveTextAsync(state, new() { Timeout = 30_000 });
        return page;
    }

    /// <summary>A node of the pair with its admin API on every address of its namespace, behind the token.</summary>
    private static string WriteNode(FailoverFiles files, string nodeId, int priority, string address, string peer)
    {
        var path = files.WriteNode(nodeId, priority, $"{address}:7946", $"{peer}:7946",
            $"\"vipAction\": \"ip\", \"interface\": \"eth0\", \"virtualIps\": [\"{NetnsTopology.VirtualIp}/24\"], \"garpRepeat\": 1",
            listenerBind: "0.0.0.0:8080", backend: $"http://{NetnsTopology.BackendAddress}:8080");
        var json = File.ReadAllText(path).Replace("\"admin\": { \"bind\": \"127.0.0.1:0\" }", "\"admin\": { \"bind\": \"0.0.0.0:9901\", \"tokenFile\": \"admin.token\" }", StringComparison.Ordinal);
        // Written whole by a rename, as editors do, so the watching node never reads half a file.
        File.WriteAllText(path + ".new", json);
        File.Move(path + ".new", path, overwrite: true);
        return path;
    }
}
