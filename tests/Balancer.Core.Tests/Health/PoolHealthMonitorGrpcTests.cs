using Balancer.Core.Configuration;
using Balancer.Core.Grpc;
using Balancer.Core.LoadBalancing;
using Balancer.Core.Model;

namespace Balancer.Core.Tests.Health;

/// <summary>Passive health of gRPC calls: the pool's grpcFailureStatuses count like a 5xx, every other status like a 2xx.</summary>
public sealed class PoolHealthMonitorGrpcTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void OnResponse_UnavailableByDefault_EjectsAtThreshold()
    {
        using var pool = CreatePool(consecutive: 3);
        var b = pool.Snapshot.All[0];

        pool.Health.OnResponse(b, 200, GrpcStatusCodes.Unavailable);
        pool.Health.OnResponse(b, 200, GrpcStatusCodes.Unavailable);
        Assert.Equal(BackendHealth.Up, b.Health);
        pool.Health.OnResponse(b, 200, GrpcStatusCodes.Unavailable);

        Assert.Equal(BackendHealth.Down, b.Health);
        Assert.StartsWith("passive: 3 consecutive 5xx responses or gRPC failures, last: grpc-status 14 UNAVAILABLE", b.HealthReason);
    }

    [Fact]
    public void OnResponse_ApplicationStatusOrOk_EndsTheStreak()
    {
        using var pool = CreatePool(consecutive: 2);
        var b = pool.Snapshot.All[0];

        pool.Health.OnResponse(b, 200, GrpcStatusCodes.Unavailable);
        pool.Health.OnResponse(b, 200, 5); // NOT_FOUND: the application's answer
        pool.Health.OnResponse(b, 200, GrpcStatusCodes.Unavailable);
        pool.Health.OnResponse(b, 200, GrpcStatusCodes.Ok);
        pool.Health.OnResponse(b, 200, GrpcStatusCodes.Unavailable);

        Assert.Equal(BackendHealth.Up, b.Health);
    }

    [Fact]
    public void OnResponse_MixedWith5xx_OneStreak()
    {
        using var pool = CreatePool(consecutive: 2);
        var b = pool.Snapshot.All[0];

        pool.Health.OnResponse(b, 503);
        pool.Health.OnResponse(b, 200, GrpcStatusCodes.Unavailable);

        Assert.Equal(BackendHealth.Down, b.Health);
    }

    [Fact]
    public void OnResponse_ConfiguredList_ReplacesTheDefault()
    {
        using var pool = CreatePool(consecutive: 1, statuses: ["INTERNAL", "DATA_LOSS"]);
        var b = pool.Snapshot.All[0];

        pool.Health.OnResponse(b, 200, GrpcStatusCodes.Unavailable);
        Assert.Equal(BackendHealth.Up, b.Health);
        pool.Health.OnResponse(b, 200, 15);

        Assert.Equal(BackendHealth.Down, b.Health);
        Assert.Contains("grpc-status 15 DATA_LOSS", b.HealthReason, StringComparison.Ordinal);
    }

    [Fact]
    public void OnResponse_PassiveOff_GrpcFailuresIgnored()
    {
        using var pool = CreatePool(consecutive: 0);
        var b = pool.Snapshot.All[0];

        for (var i = 0; i < 10; i++)
        {
            pool.Health.OnResponse(b, 200, GrpcStatusCodes.Unavailable);
        }

        Assert.Equal(BackendHealth.Up, b.Health);
    }

    private Pool CreatePool(int consecutive, string[]? statuses = null)
    {
        var passive = new PassiveHealthConfig { Consecutive5xx = consecutive };
        var config = new PoolConfig
        {
            Passive = statuses is null ? passive : passive with { GrpcFailureStatuses = statuses },
            Backends = [new BackendConfig { Address = "http://b1" }],
        };
        return new Pool("web", config, BalancingAlgorithms.Create("round-robin", _time, new Random(1)), _time);
    }
}
