using System.Text.Json;
using Balancer.Tests.Common;
using Grpc.Core;

namespace Balancer.Tests.Grpc;

/// <summary>gRPC status in /metrics and the access log.</summary>
public sealed class GrpcTelemetryTests
{
    [Fact]
    public async Task Calls_CountedByGrpcStatus_InMetricsAndAccessLog()
    {
        await using var a = await GrpcTestBackend.StartAsync("a");
        var dir = Directory.CreateTempSubdirectory("balancer-grpc-log-").FullName;
        var log = Path.Combine(dir, "access.log");
        try
        {
            var config = GrpcClients.Config("", a).Replace("\"admin\":", $"\"telemetry\": {{ \"accessLog\": \"{log}\" }}, \"admin\":", StringComparison.Ordinal);
            await using (var balancer = await TestBalancer.StartAsync(config))
            {
                using var channel = GrpcClients.Channel(balancer);
                var client = new Echo.EchoClient(channel);
                for (var i = 0; i < 50; i++)
                {
                    await client.UnaryAsync(new Msg(), deadline: GrpcClients.Deadline);
                }

                await Assert.ThrowsAsync<RpcException>(async () => await client.FailAsync(new FailRequest { Code = 5, Message = "gone" }, deadline: GrpcClients.Deadline));
                using var http = balancer.CreateClient();
                await http.GetStringAsync("/plain");

                // A call's client has its trailers a moment before the balancer has recorded it. Every balancer in this
                // test process shares the meter name: only this test's backend counts.
                var backend = $"backend=\"{a.ConfigAddress}\"";
                MetricsScrape metrics = null!;
                await Wait.Until(async () => (metrics = await MetricsScrape.TakeAsync(balancer)).Values("balancer_requests_total", backend).Sum() == 52, TimeSpan.FromSeconds(20), "52 requests recorded");
                // Every call read as OK: its trailers are read after the response completed (and they turned read-only).
                Assert.Equal(50, metrics.Single("balancer_grpc_calls_total", backend, "grpc_code=\"OK\"", "pool=\"web\""));
                Assert.Equal(1, metrics.Single("balancer_grpc_calls_total", backend, "grpc_code=\"NOT_FOUND\""));
                Assert.Equal(51, metrics.Values("balancer_grpc_calls_total", backend).Sum()); // the plain GET is not a gRPC call
            }

            var entries = (await File.ReadAllLinesAsync(log)).Select(line => JsonDocument.Parse(line).RootElement).ToList();
            Assert.Equal(52, entries.Count);
            Assert.Equal([.. Enumerable.Repeat(0, 50), 5], entries.Take(51).Select(e => e.GetProperty("grpcStatus").GetInt32()));
            Assert.All(entries.Take(51), e => Assert.Equal(200, e.GetProperty("status").GetInt32()));
            Assert.Equal("/balancer.test.Echo/Fail", entries[50].GetProperty("path").GetString());
            Assert.False(entries[51].TryGetProperty("grpcStatus", out _));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Call_ClientGivesUpBeforeTheAnswer_CountedAsCancelled_NotUnavailable()
    {
        await using var a = await GrpcTestBackend.StartAsync("a");
        await using var balancer = await TestBalancer.StartAsync(GrpcClients.Config(""" "passive": { "consecutive5xx": 1 }, """, a));
        using var channel = GrpcClients.Channel(balancer);
        var client = new Echo.EchoClient(channel);
        await client.UnaryAsync(new Msg(), deadline: GrpcClients.Deadline);

        // No deadline, so no grpc-timeout: the backend would sleep on; the client resets the stream before any answer.
        using var giveUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var error = await Assert.ThrowsAsync<RpcException>(async () => await client.SleepAsync(new SleepRequest { Ms = 20_000 }, cancellationToken: giveUp.Token));
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);

        var backend = $"backend=\"{a.ConfigAddress}\"";
        MetricsScrape metrics = null!;
        await Wait.Until(async () => (metrics = await MetricsScrape.TakeAsync(balancer)).Values("balancer_grpc_calls_total", backend).Sum() == 2, TimeSpan.FromSeconds(20), "2 calls recorded");
        Assert.Equal(1, metrics.Single("balancer_grpc_calls_total", backend, "grpc_code=\"CANCELLED\""));
        Assert.Equal(0, metrics.Single("balancer_grpc_calls_total", backend, "grpc_code=\"UNAVAILABLE\""));
        var status = await balancer.BackendStatusAsync("web", a.ConfigAddress);
        Assert.True(status.GetProperty("healthy").GetBoolean()); // a client giving up is not the backend failing
        Assert.Equal(0, status.GetProperty("failures").GetInt32());
    }
}
