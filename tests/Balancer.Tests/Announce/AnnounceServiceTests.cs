using System.Net;
using Balancer.Announce;
using Balancer.Core.Announce;
using Balancer.Core.Configuration;
using Balancer.Core.Model;
using Balancer.Tests.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Balancer.Tests.Announce;

/// <summary>
/// <see cref="AnnounceService"/> on a fake clock with a fake interface: what it puts on the interface and when, what
/// it logs, and the shutdown order (withdraw, serve for withdrawDelay, then return).
/// </summary>
public sealed class AnnounceServiceTests : IDisposable
{
    private static readonly TimeSpan _interval = TimeSpan.FromMilliseconds(100);
    private readonly FakeTimeProvider _time = new();
    private readonly FakeAddressActions _actions = new();
    private readonly PoolRegistry _pools;
    private readonly ReconnectHint _reconnect = new();
    private readonly LogSink _log = new();
    private readonly ILoggerFactory _logs;

    public AnnounceServiceTests()
    {
        _pools = new PoolRegistry(_time, new Random(1));
        _pools.Load(new BalancerConfig
        {
            Pools = new Dictionary<string, PoolConfig> { ["web"] = new() { Backends = [new BackendConfig { Address = "http://10.0.0.1:80" }] } },
        });
        _logs = LoggerFactory.Create(b => b.AddProvider(_log));
    }

    [Fact]
    public async Task Start_HealthyNode_ClearsLeftoversThenAnnouncesAtRiseAndRenewsAtEveryCheck()
    {
        await using var service = Start(Config() with { Rise = 2 });
        Assert.Equal(["accept 198.18.10.100/32", "remove lo 198.18.10.100/32"], _actions.Calls); // a crashed predecessor's address goes first

        _time.Advance(_interval);
        Assert.Equal(AnnounceState.Announced, service.Snapshot.State);
        Assert.Equal(["lo 198.18.10.100/32"], _actions.Present);
        _time.Advance(_interval);

        Assert.Equal(["accept 198.18.10.100/32", "remove lo 198.18.10.100/32", "accept 198.18.10.100/32", "renew lo 198.18.10.100/32 3s", "accept 198.18.10.100/32", "renew lo 198.18.10.100/32 3s"], _actions.Calls);
        Assert.Contains("Warning: announce Withdrawn -> Announced: healthy for 2 checks", _log.Lines);
        Assert.False(_reconnect.Active);
    }

    [Fact]
    public async Task Tick_TrackedPoolLosesItsBackends_WithdrawsAndAsksClientsToReconnectUntilBack()
    {
        await using var service = Start(Config());
        var pool = _pools.Get("web")!;

        pool.SetDraining(pool.Snapshot.All[0], true);
        _time.Advance(_interval);

        Assert.Empty(_actions.Present);
        Assert.Equal("pool web has no healthy backend (0 of 1)", service.Snapshot.Reason);
        Assert.True(_reconnect.Active);
        Assert.Contains("Warning: announce Announced -> Withdrawn: pool web has no healthy backend (0 of 1)", _log.Lines);

        pool.SetDraining(pool.Snapshot.All[0], false);
        _time.Advance(_interval);

        Assert.Equal(["lo 198.18.10.100/32"], _actions.Present);
        Assert.False(_reconnect.Active);
    }

    [Fact]
    public async Task ShutdownAsync_Announced_WithdrawsAtOnceAndReturnsAfterTheWithdrawDelay()
    {
        await using var service = Start(Config() with { WithdrawDelay = TimeSpan.FromSeconds(2) });

        var shutdown = service.ShutdownAsync();

        Assert.Empty(_actions.Present);
        Assert.Equal(["198.18.10.100/32"], _actions.Local); // still taking in the connections on their way
        Assert.Equal(AnnounceState.Stopping, service.Snapshot.State);
        Assert.True(_reconnect.Active);
        _time.Advance(TimeSpan.FromSeconds(1.9));
        Assert.False(shutdown.IsCompleted);
        Assert.Empty(_actions.Present); // checks go on, but never put the addresses back
        _time.Advance(TimeSpan.FromSeconds(0.1));
        await shutdown.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Contains("Information: announce: withdrew 198.18.10.100/32 for shutdown; serving 2.0 s more while the router converges, then draining", _log.Lines);
    }

    [Fact]
    public async Task ShutdownAsync_WithdrawnLongAgo_ReturnsAtOnce()
    {
        await using var service = Start(Config() with { WithdrawDelay = TimeSpan.FromSeconds(2) });
        var pool = _pools.Get("web")!;
        pool.SetDraining(pool.Snapshot.All[0], true);
        _time.Advance(_interval); // withdrawn
        _time.Advance(TimeSpan.FromSeconds(3)); // the router converged on the withdrawal long ago

        await service.ShutdownAsync().WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(AnnounceState.Stopping, service.Snapshot.State);
    }

    [Fact]
    public async Task Tick_KernelRefuses_LogsOnceRetriesEveryCheckAndLogsTheRecovery()
    {
        _actions.Failure = "RTM_NEWADDR: Operation not permitted (1)";
        await using var service = Start(Config());
        _time.Advance(_interval * 3);

        Assert.Equal(AnnounceState.Announced, service.Snapshot.State);
        Assert.False(service.Interface.InSync);
        Assert.Equal(8, service.Interface.Failures); // at each of the four checks, the local route and the address
        var error = Assert.Single(_log.Lines, l => l.Contains("Operation not permitted", StringComparison.Ordinal)); // once, not every check
        Assert.Equal("Error: announce: cannot add the local route for 198.18.10.100/32 on lo: RTM_NEWADDR: Operation not permitted (1) (retried every check; logged again when the problem changes)", error);

        _actions.Failure = null;
        _time.Advance(_interval);

        Assert.True(service.Interface.InSync);
        Assert.Null(service.Interface.LastError);
        Assert.Contains("Information: announce: add the local route for 198.18.10.100/32 on lo works again", _log.Lines);
    }

    [Fact]
    public async Task Reconfigure_AddressesAndInterface_MovesWhatChangedAtOnce()
    {
        await using var service = Start(Config() with { VirtualIps = ["198.18.10.100/32", "198.18.10.101/32"] });

        service.Reconfigure(Config() with { VirtualIps = ["198.18.10.101/32", "198.18.10.102/32"] });
        Assert.Equal(["lo 198.18.10.101/32", "lo 198.18.10.102/32"], _actions.Present);
        Assert.Equal(["198.18.10.101/32", "198.18.10.102/32"], _actions.Local);

        service.Reconfigure(Config() with { VirtualIps = ["198.18.10.102/32"], Interface = "vip0", Rise = 5 });
        Assert.Equal(["vip0 198.18.10.102/32"], _actions.Present);
        Assert.Equal(5, service.Snapshot.Options.Rise);
    }

    [Fact]
    public async Task DisposeAsync_WithoutShutdown_WithdrawsStopsTakingTrafficInAndStopsChecking()
    {
        var service = Start(Config());
        Assert.Equal(["198.18.10.100/32"], _actions.Local);

        await service.DisposeAsync();
        var calls = _actions.Calls.Count;
        _time.Advance(_interval * 5);

        Assert.Empty(_actions.Present);
        Assert.Empty(_actions.Local);
        Assert.Equal(calls, _actions.Calls.Count);
    }

    [Fact]
    public void ReconnectHint_Active_ClosesOnlyConnectionsToAnnouncedAddresses()
    {
        _reconnect.Set([IPAddress.Parse("198.18.10.100")]);

        Assert.Equal("close", Apply("198.18.10.100", "HTTP/1.1"));
        Assert.Equal("close", Apply("::ffff:198.18.10.100", "HTTP/1.1"));
        Assert.Equal("", Apply("198.18.1.11", "HTTP/1.1")); // the node's own address: not the router's to move
        _reconnect.Set(null);
        Assert.Equal("", Apply("198.18.10.100", "HTTP/1.1"));
    }

    public void Dispose()
    {
        _pools.Dispose();
        _logs.Dispose();
    }

    private static AnnounceConfig Config() => new()
    {
        VirtualIps = ["198.18.10.100/32"], Track = new AnnounceTrackConfig { Pools = ["web"] }, Interval = _interval, Rise = 1,
    };

    private AnnounceService Start(AnnounceConfig config) => AnnounceService.Start(config, _pools, _reconnect, _logs, _time, _actions);

    private string Apply(string local, string protocol)
    {
        var context = new DefaultHttpContext();
        context.Connection.LocalIpAddress = IPAddress.Parse(local);
        context.Request.Protocol = protocol;
        if (_reconnect.Active)
        {
            _reconnect.Apply(context);
        }

        return context.Response.Headers.Connection.ToString();
    }
}
