using System.Net;
using System.Net.Sockets;
using Balancer.Reload;
using Balancer.Tests.Common;

namespace Balancer.Tests.Reload;

/// <summary>Reloads that start a listener: what /status shows while it starts, and a shutdown that meets one.</summary>
public sealed class ReloadListenerTests : ThreeBackends
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);

    /// <summary>A second listener, "api", spliced in front of the config's own.</summary>
    private const string SecondListener = """
        "listeners": { "api": { "protocol": "http", "bind": "127.0.0.1:0", "routes": [ { "path": "/{**rest}", "pool": "web" } ] },
        """;

    [Fact]
    public async Task Shutdown_DuringAReloadThatStartsAListener_WaitsForIt_StopsThatListenerToo_RefusesLaterReloads()
    {
        // SIGTERM while a reload is starting a listener: the shutdown enumerated the listeners as the reload added one
        // ("Collection was modified", a fresh-clone run), or missed it and left it serving after the process stopped.
        var inReload = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.SinglePoolConfig("round-robin", (Backends[0].ConfigAddress, 1)), watch: false, beforeReload: async _ =>
        {
            inReload.TrySetResult();
            await release.Task;
        });
        await File.WriteAllTextAsync(balancer.ConfigPath, TestBalancer.SinglePoolConfig("round-robin", (Backends[0].ConfigAddress, 1)).Replace("\"listeners\": {", SecondListener, StringComparison.Ordinal));
        var reload = balancer.Server.ReloadAsync(ReloadTrigger.AdminApi);
        await inReload.Task.WaitAsync(Generous);

        var stop = balancer.Server.StopAsync();
        Assert.False(stop.IsCompleted); // it waits for the reload in flight
        release.SetResult();

        Assert.True((await reload.WaitAsync(Generous)).Applied);
        await stop.WaitAsync(Generous);
        using var client = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => client.ConnectAsync(IPEndPoint.Parse(balancer.Server.State.BoundListeners["api"])));
        var later = await balancer.Server.ReloadAsync(ReloadTrigger.Signal);
        Assert.False(later.Applied);
        Assert.Contains("shutting down", Assert.Single(later.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reload_CountedBeforeItsPoolsRoute()
    {
        // Watches the routing state as closely as a test can (no HTTP round trip in between): the moment the new
        // backend is in the pool that routes, the reload count and the config hash /status shows already moved. The
        // same reload starts a listener, which keeps the reload busy for milliseconds after its pools route.
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.SinglePoolConfig("round-robin", (Backends[0].ConfigAddress, 1)));
        var before = balancer.Server.State.ConfigHash;

        await File.WriteAllTextAsync(balancer.ConfigPath, TestBalancer.SinglePoolConfig("round-robin", (Backends[0].ConfigAddress, 1), (Backends[1].ConfigAddress, 1)).Replace("\"listeners\": {", SecondListener, StringComparison.Ordinal));

        var deadline = DateTime.UtcNow + Generous;
        while (balancer.Server.Pools.Get("web")!.Snapshot.All.Length < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "reload never applied");
            Thread.SpinWait(20);
        }

        Assert.Equal(1, balancer.Reloads);
        Assert.NotEqual(before, balancer.Server.State.ConfigHash);
    }
}
