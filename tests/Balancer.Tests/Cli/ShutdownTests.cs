using System.Net;
using Balancer.Tests.Common;

namespace Balancer.Tests.Cli;

public sealed class ShutdownTests
{
    [Fact]
    public async Task Sigterm_InFlightSlowRequest_CompletesAndExitsZero()
    {
        await using var backend = await TestBackend.StartAsync("slow");
        var dir = Directory.CreateTempSubdirectory("balancer-sigterm-").FullName;
        try
        {
            var config = Path.Combine(dir, "balancer.json");
            await File.WriteAllTextAsync(config, TestBalancer.SinglePoolConfig("round-robin", (backend.ConfigAddress, 1)));
            using var process = BalancerProcess.Start("--config", config);
            var proxy = await process.WaitForListenerAsync("web", TimeSpan.FromSeconds(30));
            using var client = new HttpClient { BaseAddress = proxy, Timeout = TimeSpan.FromSeconds(30) };

            var slow = client.GetAsync("/slow?ms=1500");
            await Wait.Until(() => backend.InFlight == 1, TimeSpan.FromSeconds(10), "request in flight at the backend");
            process.Signal(15);
            var exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(30));

            using var response = await slow;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("slow slow", await response.Content.ReadAsStringAsync());
            Assert.Equal(0, exitCode);
            Assert.Contains("draining", process.Stdout, StringComparison.Ordinal);
            // Once stopped, nothing listens any more.
            await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("/"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
