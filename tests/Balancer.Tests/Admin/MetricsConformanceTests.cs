using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using Balancer.Tests.Common;

namespace Balancer.Tests.Admin;

/// <summary>
/// /metrics that alerts correctly (#19 items 7, 9, 10): every counter with a known label set is there at 0 from the
/// start, HTTP backends carry no TCP byte counters, a WebSocket is counted as an upgrade and kept out of the latency
/// histogram, a removed pool leaves the exposition, and promtool finds nothing to lint after traffic, reloads and a
/// rejection.
/// </summary>
public sealed class MetricsConformanceTests : ThreeBackends
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private string Config(bool withOldPool) => $$"""
        {
          "listeners": { "web": { "bind": "127.0.0.1:0", "routes": [
            {{(withOldPool ? """{ "path": "/old/{**rest}", "pool": "old" },""" : "")}}
            { "path": "/{**rest}", "pool": "web" } ] } },
          "pools": {
            "web": { "health": { "probe": "http", "path": "/", "interval": "200ms" },
                     "backends": [ { "address": "{{Backends[0].ConfigAddress}}" } ] }
            {{(withOldPool ? $$""", "old": { "backends": [ { "address": "{{Backends[1].ConfigAddress}}" } ] }""" : "")}}
          },
          "admin": { "bind": "127.0.0.1:0" }
        }
        """;

    [Fact]
    public async Task Start_KnownLabelSets_ExportedAtZero()
    {
        await using var balancer = await TestBalancer.StartAsync(Config(withOldPool: true));

        var scrape = await MetricsScrape.TakeAsync(balancer);

        var web = $"backend=\"{Backends[0].ConfigAddress}\"";
        foreach (var statusClass in new[] { "1xx", "2xx", "3xx", "4xx", "5xx" })
        {
            Assert.Equal(0, scrape.Single("balancer_requests_total", web, $"status_class=\"{statusClass}\""));
        }

        Assert.Equal(0, scrape.Single("balancer_ejections_total", web, "cause=\"passive\""));
        Assert.Equal(0, scrape.Single("balancer_ejections_total", web, "cause=\"active\""));
        Assert.Equal(0, scrape.Single("balancer_retries_total", "pool=\"old\""));
        Assert.Equal(0, scrape.Single("balancer_config_reloads_total", "result=\"rejected\""));
        Assert.Equal(0, scrape.Single("balancer_config_reloads_total", "result=\"applied\""));
        Assert.Equal(0, scrape.Single("balancer_upgrades_total", web));
        // Probed pools count their probes, pass and fail, from 0; a pool without probes has none.
        Assert.Single(scrape.Values("balancer_health_checks_total", web, "result=\"fail\""));
        Assert.Empty(scrape.Values("balancer_health_checks_total", $"backend=\"{Backends[1].ConfigAddress}\""));
        // HTTP backends carry no TCP byte counters.
        Assert.DoesNotContain("balancer_tcp_bytes_total{", scrape.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WebSocket_CountedAsUpgrade_NotInLatencyHistogram()
    {
        await using var balancer = await TestBalancer.StartAsync(Config(withOldPool: false));
        using (var client = balancer.CreateClient())
        {
            (await client.GetAsync("/")).EnsureSuccessStatusCode();
        }

        using (var socket = new ClientWebSocket())
        {
            await socket.ConnectAsync(new Uri($"ws://{balancer.ListenerAddress}/ws"), new CancellationTokenSource(Timeout).Token);
            await socket.SendAsync(Encoding.UTF8.GetBytes("hi"), WebSocketMessageType.Text, true, CancellationToken.None);
            await socket.ReceiveAsync(new byte[16], new CancellationTokenSource(Timeout).Token);
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", new CancellationTokenSource(Timeout).Token);
        }

        var web = $"backend=\"{Backends[0].ConfigAddress}\"";
        await Wait.Until(async () => (await MetricsScrape.TakeAsync(balancer)).Values("balancer_upgrades_total", web).Sum() == 1, Timeout, "one upgrade counted");
        var scrape = await MetricsScrape.TakeAsync(balancer);
        Assert.Equal(1, scrape.Single("balancer_requests_total", web, "status_class=\"1xx\""));
        Assert.Equal(1, scrape.Single("balancer_request_duration_seconds_count", web));
    }

    [Fact]
    public async Task PoolRemovedByReload_ItsSeriesLeave()
    {
        await using var balancer = await TestBalancer.StartAsync(Config(withOldPool: true));
        using (var client = balancer.CreateClient())
        {
            (await client.GetAsync("/old/x")).EnsureSuccessStatusCode();
        }

        Assert.Contains("pool=\"old\"", (await MetricsScrape.TakeAsync(balancer)).Text, StringComparison.Ordinal);

        await File.WriteAllTextAsync(balancer.ConfigPath, Config(withOldPool: false));

        await Wait.Until(async () => !(await MetricsScrape.TakeAsync(balancer)).Text.Contains("pool=\"old\"", StringComparison.Ordinal), Timeout, "the old pool's series gone");
        Assert.Contains("pool=\"web\"", (await MetricsScrape.TakeAsync(balancer)).Text, StringComparison.Ordinal);
    }

    /// <summary>
    /// Meters of the same name made elsewhere in the process (another Balancer here; a listener a reload removed) share
    /// the SDK's stream with ours: disposed, they must not take our series with them.
    /// </summary>
    [Fact]
    public async Task OtherInstanceDisposed_OurSeriesStay()
    {
        await using var balancer = await TestBalancer.StartAsync(Config(withOldPool: false));
        var other = await TestBalancer.StartAsync(Config(withOldPool: true));
        using (var client = balancer.CreateClient())
        {
            (await client.GetAsync("/")).EnsureSuccessStatusCode();
        }

        await other.DisposeAsync();

        for (var i = 0; i < 3; i++)
        {
            var scrape = await MetricsScrape.TakeAsync(balancer);
            Assert.Equal(1, scrape.Single("balancer_requests_total", $"backend=\"{Backends[0].ConfigAddress}\"", "status_class=\"2xx\""));
            Assert.Equal(0, scrape.Single("balancer_config_reloads_total", "result=\"rejected\""));
            Assert.Empty(scrape.Values("balancer_retries_total", "pool=\"old\""));
            Assert.Contains("kestrel_active_connections{", scrape.Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Promtool_AfterTrafficReloadsAndRejection_Clean()
    {
        var promtool = new[] { "/usr/bin/promtool", "/usr/local/bin/promtool" }.FirstOrDefault(File.Exists);
        if (promtool is null)
        {
            Assert.True(Environment.GetEnvironmentVariable("CI") != "true", "promtool is missing: .ci/run installs Debian's prometheus package");
            return; // elsewhere: nothing to check with
        }

        await using var balancer = await TestBalancer.StartAsync(Config(withOldPool: true));
        using (var client = balancer.CreateClient())
        {
            for (var i = 0; i < 5; i++)
            {
                (await client.GetAsync(i % 2 == 0 ? "/" : "/old/x")).EnsureSuccessStatusCode();
            }
        }

        await File.WriteAllTextAsync(balancer.ConfigPath, Config(withOldPool: false));
        await Wait.Until(() => balancer.ReloadsFinished == 1, Timeout, "reload applied");
        await File.WriteAllTextAsync(balancer.ConfigPath, "{ \"listeners\": { ");
        await Wait.Until(async () => (await MetricsScrape.TakeAsync(balancer)).Single("balancer_config_reloads_total", "result=\"rejected\"") == 1, Timeout, "rejection counted");
        var scrape = (await MetricsScrape.TakeAsync(balancer)).Text;

        var (exit, output) = await RunAsync(promtool, "check metrics", scrape);

        Assert.True(exit == 0 && output.Trim().Length == 0, $"promtool check metrics (exit {exit}):\n{output}");
    }

    private static async Task<(int Exit, string Output)> RunAsync(string file, string arguments, string input)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        await process.WaitForExitAsync(new CancellationTokenSource(Timeout).Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
