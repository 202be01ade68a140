using System.Net;
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
        // Probes every 60 s: only passive checks can notice the death in time.
        const string health = """ "health": { "probe": "http", "interval": "60s", "timeout": "1s" }, """;
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.PoolConfig("round-robin", health, (a.ConfigAddress, 1), (bAddress, 1)));
        await Wait.Until(async () => await balancer.IsHealthyAsync(a.ConfigAddress) && await balancer.IsHealthyAsync(bAddress), TimeSpan.FromSeconds(20), "both up");
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
        await Wait.Until(async () => !await balancer.IsHealthyAsync(bAddress), TimeSpan.FromSeconds(20), "b ejected");
        var atEjection = sent;
        await Wait.Until(() => sent > atEjection + 50, TimeSpan.FromSeconds(20), "load continues");
        await stop.CancelAsync();
        await load;

        Assert.Equal(0, failures);
        Assert.StartsWith("passive: connection refused (ejected for", (await balancer.BackendStatusAsync("web", bAddress)).GetProperty("healthReason").GetString());
    }
}
