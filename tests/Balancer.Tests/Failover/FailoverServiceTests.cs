using System.Net;
using System.Net.Sockets;
using Balancer.Core.Configuration;
using Balancer.Core.Failover;
using Balancer.Core.Model;
using Balancer.Failover;
using Balancer.Hosting;
using Balancer.Tests.Common;
using Microsoft.Extensions.Logging;

namespace Balancer.Tests.Failover;

/// <summary>
/// One <see cref="FailoverService"/> on loopback with a fake for the virtual IPs and a UDP socket as its peer. Its
/// timers run on a fake clock that only the test moves, so nothing here depends on how fast the machine is.
/// </summary>
public sealed class FailoverServiceTests : IDisposable
{
    private static readonly TimeSpan _timeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan _interval = TimeSpan.FromMilliseconds(100);
    private readonly FailoverFiles _files = new();
    private readonly Socket _peer = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private FakeVipActions _vips = new();
    private readonly PoolRegistry _pools = new(TimeProvider.System, Random.Shared);
    private readonly FakeTimeProvider _clock = new();
    private readonly LogSink _log = new();
    private readonly ILoggerFactory _logs;

    public FailoverServiceTests()
    {
        _logs = LoggerFactory.Create(b => b.AddProvider(_log));
        _peer.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _pools.Load(new BalancerConfig
        {
            Pools = new Dictionary<string, PoolConfig> { ["web"] = new() { Backends = [new BackendConfig { Address = "http://127.0.0.1:9" }] } },
        });
    }

    [Fact]
    public async Task Alone_BecomesMasterAnnouncesGarpRepeatTimesThenResignsOnShutdown()
    {
        await using var service = await StartAsync(Config());
        await AdvanceUntil(() => _vips.Adds == 1, "master after Master_Down_Interval: adds the VIPs");
        await AdvanceUntil(() => _vips.Announces == 3, "3 GARPs, 100 ms apart on the fake clock", GarpSchedule.BurstSpacing);
        Assert.Equal(FailoverState.Master, service.Snapshot.State);

        var shutdown = service.ShutdownAsync();
        await AdvanceUntil(() => shutdown.IsCompleted, "the hand-over bound passes with no successor");
        await shutdown;

        Assert.Equal((FailoverState.Init, false), (service.Snapshot.State, _vips.OnInterface));
        Assert.Contains(ReceivedPriorities(), p => p == 0); // RFC 5798 §6.4.3: the resign advert
        Assert.Contains(_log.Lines, l => l.Contains("Master -> Init on Shutdown: no successor advertised within 00:00:00.3", StringComparison.Ordinal));
    }

    [Fact]
    public async Task VipActionsNotReady_StaysInInitUntilPreparedThenTakesOver()
    {
        // A chaos run (#17) saw a restarted node preempt 5 ms after start while its cold interface check still held the
        // worker: the old master let the address go at once, the new one added it 100-250 ms later.
        var prepared = new TaskCompletionSource();
        _vips = new FakeVipActions(prepared: prepared.Task);
        await using var service = await StartAsync(Config());
        await Wait.Until(() => _vips.Prepares == 1, _timeout, "the service prepares the virtual IP actions");
        for (var i = 0; i < 10; i++)
        {
            _clock.Advance(_interval); // 1 s on the fake clock: well past Master_Down_Interval
            await Task.Delay(20);      // real time in which a started loop would act on it (it polls at most 50 ms)
        }

        Assert.Equal((FailoverState.Init, 0), (service.Snapshot.State, _vips.Adds));
        Assert.Equal(0, _peer.Available); // not in the protocol yet: no advert at all, none that could displace a master

        prepared.SetResult();
        await AdvanceUntil(() => _vips.Adds == 1, "master after Master_Down_Interval once prepared");
    }

    [Fact]
    public async Task TrackedPoolWithoutAvailableBackend_LowersThePriorityByTheWeightUntilItRecovers()
    {
        await using var service = await StartAsync(Config() with { Track = new FailoverTrackConfig { Pools = ["web"], Weight = 30 } });
        var pool = _pools.Get("web")!;
        await AdvanceUntil(() => service.Snapshot.State == FailoverState.Master, "master");

        pool.SetDraining(pool.Snapshot.All[0], true);
        await AdvanceUntil(() => service.Snapshot.EffectivePriority == 70, "priority 100 - 30 at the next check");
        pool.SetDraining(pool.Snapshot.All[0], false);
        await AdvanceUntil(() => service.Snapshot.EffectivePriority == 100, "priority back to 100 at the next check");
    }

    [Fact]
    public async Task ShutdownAsMaster_ResignsAtOnceAndKeepsTheVipsUntilTheSuccessorsSecondAdvert()
    {
        await using var service = await StartAsync(Config());
        await AdvanceUntil(() => _vips.Adds == 1, "master adds the VIPs");
        ReceivedPriorities();

        service.RequestShutdown();
        Assert.Equal([0], ReceivedPriorities()); // sent on the caller's thread, before RequestShutdown returns
        var shutdown = service.ShutdownAsync();
        SendSuccessorAdvert(service, 1);
        await Wait.Until(() => service.Snapshot.LastAdvertFrom == "lb2", _timeout, "the successor's first advert taken in");
        Assert.Equal((FailoverState.Master, true), (service.Snapshot.State, _vips.OnInterface)); // still serving the VIPs
        SendSuccessorAdvert(service, 2);
        await shutdown.WaitAsync(_timeout);

        // The fake clock never moved after the resign, so the 3-interval bound cannot have ended the hand-over.
        Assert.Equal((FailoverState.Init, false), (service.Snapshot.State, _vips.OnInterface));
        Assert.Contains(_log.Lines, l => l.Contains("Master -> Init on Shutdown: handed over to lb2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bound_WithTheVipLeftByACrash_RemovesItBeforeStartingAndSaysSo()
    {
        // A chaos run (#17) saw a restarted node answer /status (and serve) ~1 s with a crash's address still on its
        // interface: it was removed only on entering BACKUP, once the failover service started after the listeners.
        _vips = new FakeVipActions(stale: true);
        await using var service = await FailoverService.BindAsync(Config(), _files.Directory, 0, _pools, _logs, _clock, _vips);

        Assert.False(_vips.OnInterface); // gone when the bind returns: before the caller starts its listeners
        Assert.Contains(_log.Lines, l => l.Contains("removed stale virtual IPs 198.18.0.100/24 from (no interface) at start-up", StringComparison.Ordinal));
        Assert.Equal((FailoverState.Init, 0), (service.Snapshot.State, _peer.Available)); // not in the protocol yet

        service.Start();
        await Wait.Until(() => service.Snapshot.State == FailoverState.Backup, _timeout, "BACKUP once started");
        Assert.Single(_log.Lines, l => l.Contains("stale", StringComparison.Ordinal)); // nothing left to remove on entering BACKUP
    }

    [Fact]
    public async Task DatagramsQueuedBeforeStart_AreDroppedNotJudged()
    {
        // Bound at the very start of the process, the socket queued the peer's adverts for the seconds the listeners
        // took to start; read once the node joined, their old send times were rejected as replays ("Unproven").
        await using var service = await FailoverService.BindAsync(Config(), _files.Directory, 0, _pools, _logs, _clock, _vips);
        var target = IPEndPoint.Parse(service.BoundAddress);
        for (var i = 0; i < 5; i++)
        {
            _peer.SendTo("stale"u8, target); // on loopback the datagram is queued when SendTo returns
        }

        service.Start();
        await Wait.Until(() => service.Snapshot.State == FailoverState.Backup, _timeout, "BACKUP once started");
        _peer.SendTo(new byte[120], target); // rejected for another reason than the short stale ones

        // Read in order: had the stale ones been kept, they would be counted by the time the fresh one is.
        await Wait.Until(() => service.Snapshot.RejectedPackets.Count > 0, _timeout, "the datagram sent after the start judged");
        Assert.DoesNotContain("TooShort", service.Snapshot.RejectedPackets.Keys);
    }

    [Fact]
    public async Task SecondProcessWithTheSameBind_FailsBeforeTouchingTheVips()
    {
        await using var running = await StartAsync(Config());
        await AdvanceUntil(() => _vips.Adds == 1, "the running node is master with the address");
        var second = new FakeVipActions(stale: true); // the running master's address, as a second process sees it
        var config = Config() with { Bind = running.BoundAddress };

        await Assert.ThrowsAsync<StartupException>(() => FailoverService.BindAsync(config, _files.Directory, 0, _pools, _logs, _clock, second));
        Assert.Equal((true, 0), (second.OnInterface, second.Removes));
    }

    [Fact]
    public async Task ResumedMaster_ReadsTheQueuedAdvertsOfANewMaster_OneDualMasterLineOneBurstNoTimingLine()
    {
        await using var service = await StartAsync(Config());
        await AdvanceUntil(() => _vips.Announces == 3, "master, its takeover burst of 3 sent", GarpSchedule.BurstSpacing);
        var takeoverLines = TimingLines();

        // What a master frozen by SIGSTOP finds on SIGCONT: the adverts its successor sent meanwhile, then its resign.
        for (ulong sequence = 1; sequence <= 18; sequence++)
        {
            SendAdvert(service, "lb2", 50, sequence);
        }

        SendAdvert(service, "lb2", 0, 19);
        await Wait.Until(() => service.Snapshot.PeerPriority == 0, _timeout, "all 19 datagrams taken in");
        await AdvanceUntil(() => _vips.Announces == 6, "one re-announcement burst of 3", GarpSchedule.BurstSpacing);
        for (var i = 0; i < 10; i++)
        {
            _clock.Advance(GarpSchedule.BurstSpacing);
            await Task.Delay(20);
        }

        // One re-announcement burst for the incident. The fake clock runs ahead of the loop (100 ms a step, 20 ms of real time
        // each): a loop that misses three steps sees its own adverts 3 intervals apart, as a frozen master would, and
        // re-announces for that too (one burst per stall line of the kind).
        var stalls = _log.Lines.Count(l => l.Contains("between two adverts sent as master", StringComparison.Ordinal));
        Assert.InRange(_vips.Announces, 6, 6 + (3 * stalls));
        Assert.Equal(1, service.Snapshot.DualMasterEvents);
        Assert.Single(_log.Lines, l => l.Contains("dual master", StringComparison.Ordinal));
        Assert.Equal(takeoverLines, TimingLines()); // a re-announcement follows no transition: nothing timed "after the transition"
    }

    [Fact]
    public async Task GarbageAndForeignDatagrams_AreCountedByReasonAndChangeNothing()
    {
        await using var service = await StartAsync(Config());
        var target = IPEndPoint.Parse(service.BoundAddress);
        await Wait.Until(() => service.Snapshot.State == FailoverState.Backup, _timeout, "in the protocol (what came before is dropped as stale)");
        for (var i = 0; i < 5; i++)
        {
            _peer.SendTo("hello"u8, target);
        }

        await Wait.Until(() => service.Snapshot.RejectedPackets.GetValueOrDefault("TooShort") == 5, _timeout, "5 rejected as TooShort");
        Assert.Equal(["TooShort"], service.Snapshot.RejectedPackets.Keys);
        Assert.Equal(FailoverState.Backup, service.Snapshot.State);
    }

    public void Dispose()
    {
        _peer.Dispose();
        _pools.Dispose();
        _logs.Dispose();
        _files.Dispose();
    }

    private FailoverConfig Config() => new()
    {
        NodeId = "lb1",
        Bind = "127.0.0.1:0",
        Peers = [$"127.0.0.1:{((IPEndPoint)_peer.LocalEndPoint!).Port}"],
        AdvertInterval = _interval,
        KeyFile = _files.KeyFile,
        VirtualIps = ["198.18.0.100/24"],
        GarpRepeat = 3,
        GarpRefresh = TimeSpan.Zero,
    };

    private async Task<FailoverService> StartAsync(FailoverConfig config)
    {
        var service = await FailoverService.BindAsync(config, _files.Directory, 0, _pools, _logs, _clock, _vips);
        service.Start();
        return service;
    }

    /// <summary>Moves the fake clock by <paramref name="step"/> (one advert interval by default) until <paramref name="condition"/> holds.</summary>
    private async Task AdvanceUntil(Func<bool> condition, string what, TimeSpan? step = null)
    {
        var deadline = DateTime.UtcNow + _timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting for: {what}; log: {string.Join(" | ", _log.Lines)}");
            }

            _clock.Advance(step ?? _interval);
            await Task.Delay(20); // real time for the loop (it polls at most 50 ms) and the worker to act on it
        }
    }

    /// <summary>A master advert of "lb2" at priority 100 from the peer socket, as a successor sends it.</summary>
    private void SendSuccessorAdvert(FailoverService service, ulong sequence) => SendAdvert(service, "lb2", 100, sequence);

    /// <summary>A master advert of <paramref name="nodeId"/> from the peer socket.</summary>
    private void SendAdvert(FailoverService service, string nodeId, byte priority, ulong sequence)
    {
        FailoverKey.TryParse(File.ReadAllText(_files.KeyFile), out var keys, out _);
        var buffer = new byte[AdvertCodec.MaxLength];
        var packet = new AdvertPacket(nodeId, FailoverState.Master, priority, _interval, 1, sequence, 0, SentAt: _clock.GetUtcNow().ToUnixTimeMilliseconds());
        var length = AdvertCodec.Encode(packet, keys, buffer);
        _peer.SendTo(buffer.AsSpan(0, length), IPEndPoint.Parse(service.BoundAddress));
    }

    private string[] TimingLines() => [.. _log.Lines.Where(l => l.Contains("after the transition", StringComparison.Ordinal))];

    /// <summary>The priorities of the adverts queued at the peer socket.</summary>
    private List<byte> ReceivedPriorities()
    {
        FailoverKey.TryParse(File.ReadAllText(_files.KeyFile), out var keys, out _);
        var priorities = new List<byte>();
        var buffer = new byte[2048];
        while (_peer.Available > 0)
        {
            var length = _peer.Receive(buffer);
            if (AdvertCodec.TryDecode(buffer.AsSpan(0, length), keys, out var packet, out _, out _) && packet.State == FailoverState.Master)
            {
                priorities.Add(packet.Priority);
            }
        }

        return priorities;
    }
}
