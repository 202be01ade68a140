using System.Text.Json;
using Balancer.Reload;
using Balancer.Tests.Common;
using Microsoft.Extensions.Logging;

namespace Balancer.Tests.Failover;

/// <summary>A running node with a failover block: /status shows it, a reload changes what it safely can and names what it cannot.</summary>
public sealed class FailoverReloadTests
{
    [Fact]
    public async Task Reload_PriorityChangesLive_BindChangeIsRejectedByName()
    {
        using var files = new FailoverFiles();
        var peer = $"127.0.0.1:{FailoverFiles.FreeUdpPort()}";
        var bind = $"127.0.0.1:{FailoverFiles.FreeUdpPort()}";
        var path = files.WriteNode("lb1", 150, bind, peer, "\"vipAction\": \"none\"");
        await using var balancer = await TestBalancer.StartAtAsync(path, watch: false);
        using var client = new HttpClient { BaseAddress = balancer.AdminAddress };
        var failover = (await Status(client)).GetProperty("failover");
        Assert.Equal(("lb1", 150), (failover.GetProperty("nodeId").GetString(), failover.GetProperty("effectivePriority").GetInt32()));
        Assert.Contains(failover.GetProperty("state").GetString(), new[] { "backup", "master" });

        await File.WriteAllTextAsync(path, (await File.ReadAllTextAsync(path)).Replace("\"priority\": 150", "\"priority\": 120", StringComparison.Ordinal));
        var applied = await balancer.Server.ReloadAsync(ReloadTrigger.AdminApi);
        Assert.True(applied.Applied, string.Join("; ", applied.Errors));
        Assert.Equal(120, (await Status(client)).GetProperty("failover").GetProperty("effectivePriority").GetInt32());

        await File.WriteAllTextAsync(path, (await File.ReadAllTextAsync(path)).Replace(bind, "127.0.0.1:1", StringComparison.Ordinal));
        var rejected = await balancer.Server.ReloadAsync(ReloadTrigger.AdminApi);
        Assert.False(rejected.Applied);
        Assert.Equal([$"{path}: failover.bind cannot change while running; restart balancer to change it"], rejected.Errors);
    }

    [Fact]
    public async Task Reload_NothingOfFailoverChanged_NoReconfiguredLine_APriorityChange_NamesIt()
    {
        using var files = new FailoverFiles();
        var path = files.WriteNode("lb1", 150, $"127.0.0.1:{FailoverFiles.FreeUdpPort()}", $"127.0.0.1:{FailoverFiles.FreeUdpPort()}", "\"vipAction\": \"none\"");
        var sink = new LogSink();
        await using var balancer = await TestBalancer.StartAtAsync(path, watch: false, logSink: sink, logLevel: LogLevel.Information);

        Assert.True((await balancer.Server.ReloadAsync(ReloadTrigger.AdminApi)).Applied); // the same file
        await File.WriteAllTextAsync(path, (await File.ReadAllTextAsync(path)).Replace("http://127.0.0.1:9", "http://127.0.0.1:10", StringComparison.Ordinal));
        Assert.True((await balancer.Server.ReloadAsync(ReloadTrigger.AdminApi)).Applied); // a pool's backend only
        Assert.DoesNotContain(sink.Lines, l => l.Contains("failover reconfigured live", StringComparison.Ordinal));

        await File.WriteAllTextAsync(path, (await File.ReadAllTextAsync(path)).Replace("\"priority\": 150", "\"priority\": 120", StringComparison.Ordinal));
        Assert.True((await balancer.Server.ReloadAsync(ReloadTrigger.AdminApi)).Applied);
        Assert.Equal(["Information: failover reconfigured live: priority 150 → 120"], sink.Lines.Where(l => l.Contains("failover reconfigured live", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Status_NoFailoverBlock_SaysDisabled()
    {
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.SinglePoolConfig("round-robin", ("http://127.0.0.1:9", 1)), watch: false);
        using var client = new HttpClient { BaseAddress = balancer.AdminAddress };

        Assert.Equal("disabled", (await Status(client)).GetProperty("failover").GetProperty("state").GetString());
    }

    private static async Task<JsonElement> Status(HttpClient client) =>
        JsonDocument.Parse(await client.GetStringAsync(new Uri("/status", UriKind.Relative))).RootElement;
}
