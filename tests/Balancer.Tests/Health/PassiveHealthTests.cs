using System.Net;
using Microsoft.Extensions.Logging;
using Balancer.Tests.Common;

namespace Balancer.Tests.Health;

public sealed class PassiveHealthTests
{
    [Fact]
    public async Task KilledBackend_UnderSteadyLoad_EjectedAtFirstRefusalAndNoRequestFails()
    {
        await using var a = await TestBackend.StartAsync("a");
        var b = await TestBackend.StartAsync("b");
        var bAddress = b.ConfigAddress;
        // Probes every 60 s: only passive checks can notice the death in time. A generous timeout: a first probe that
        // timed out on a busy machine would leave b down for the whole minute.
        const string health = """ "health": { "probe": "http", "interval": "60s", "timeout": "5s" }, """;
        var log = new LogSink();
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.PoolConfig("round-robin", health, (a.ConfigAddress, 1), (bAddress, 1)), logSink: log, logLevel: LogLevel.Information);
        try
        {
            await Wait.Until(async () => await balancer.IsHealthyAsync(a.ConfigAddress) && await balancer.IsHealthyAsync(bAddress), TimeSpan.FromSeconds(20), "both up");
        }
        catch (TimeoutException e)
        {
            throw new Xunit.Sdk.XunitException($"{e.Message}\nlog:\n{string.Join("\n", log.Lines)}");
        }

        using var client = balancer.CreateClient();

        var failures = 0;
        var sent = 0;
        using var stop = new CancellationTokenSource();
        var load = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested && sent < 5000)
            {
                using var response = await client.GetAsync("/");
                sent++;
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    failures++;
                }
            }
        });
        await Wait.Until(() => sent > 50, TimeSpan.FromSeconds(20), "load running");
        await b.DisposeAsync();
        var atStop = sent;
        try
        {
            // Only the load can eject b: a load loop that died (its request threw) is the failure to show, not the wait.
            await Wait.Until(async () => load.IsCompleted || !await balancer.IsHealthyAsync(bAddress), TimeSpan.FromSeconds(20), "b ejected");
            Assert.False(load.IsCompleted, "the load loop ended before b was ejected");
            var atEjection = sent;
            await Wait.Until(() => load.IsCompleted || sent > atEjection + 50, TimeSpan.FromSeconds(20), "load continues");
        }
        catch (Exception e) when (e is TimeoutException or Xunit.Sdk.XunitException)
        {
            var error = load.IsFaulted ? load.Exception!.GetBaseException().ToString() : "none";
            throw new Xunit.Sdk.XunitException($"{e.Message}; {sent - atStop} requests sent since b stopped, load error: {error}\nlog:\n{string.Join("\n", log.Lines)}");
        }

        await stop.CancelAsync();
        await load;

        Assert.Equal(0, failures);
        Assert.StartsWith("passive: connection refused (ejected for", (await balancer.BackendStatusAsync("web", bAddress)).GetProperty("healthReason").GetString());
    }

    [Fact]
    public async Task RestartedBackend_ProbesPass_EndPassiveEjectionLongBeforeEjectTime()
    {
        await using var a = await TestBackend.StartAsync("a");
        var b = await TestBackend.StartAsync("b");
        var bAddress = b.ConfigAddress;
        // A 5-minute ejection: only the probes (rise 2 x 200 ms) can bring b back within the test. Fall 25 (5 s of failed
        // probes) leaves the ejection to the requests below, also on a machine slow enough to take 600 ms to send them.
        const string fields = """ "health": { "probe": "http", "interval": "200ms", "timeout": "500ms", "rise": 2, "fall": 25 }, "passive": { "ejectTime": "5m" }, """;
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.PoolConfig("round-robin", fields, (a.ConfigAddress, 1), (bAddress, 1)));
        await Wait.Until(async () => await balancer.IsHealthyAsync(a.ConfigAddress) && await balancer.IsHealthyAsync(bAddress), TimeSpan.FromSeconds(20), "both up");
        using var client = balancer.CreateClient();

        await b.DisposeAsync();
        for (var i = 0; i < 4; i++)
        {
            using var response = await client.GetAsync("/");
        }

        await Wait.Until(async () => !await balancer.IsHealthyAsync(bAddress), TimeSpan.FromSeconds(20), "b ejected");
        await using var restarted = await TestBackend.StartAsync("b", b.Address.Port);
        await Wait.Until(async () => await balancer.IsHealthyAsync(bAddress), TimeSpan.FromSeconds(20), "b back by its probes");

        Assert.Equal("passive ejection ended by 2 consecutive successful probes", (await balancer.BackendStatusAsync("web", bAddress)).GetProperty("healthReason").GetString());
        await Wait.Until(async () => (await client.GetAsync("/")).IsSuccessStatusCode && restarted.Requests > 0, TimeSpan.FromSeconds(20), "b serves again");
    }
}
