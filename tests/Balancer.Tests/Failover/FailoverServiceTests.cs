using System.Net;
using System.Net.Sockets;
using Balancer.Core.Configuration;
using Balancer.Core.Failover;
using Balancer.Core.Model;
using Balancer.Failover;
using Balancer.Tests.Common;
using Microsoft.Extensions.Logging.Abstractions;

namespace Balancer.Tests.Failover;

/// <summary>One <see cref="FailoverService"/> on loopback with a fake for the virtual IPs and a UDP socket as its peer.</summary>
public sealed class FailoverServiceTests : IDisposable
{
    private static readonly TimeSpan _timeout = TimeSpan.FromSeconds(10);
    private readonly FailoverFiles _files = new();
    private readonly Socket _peer = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly FakeVipActions _vips = new();
    private readonly PoolRegistry _pools = new(TimeProvider.System, Random.Shared);

    public FailoverServiceTests()
    {
        _peer.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _pools.Load(new BalancerConfig
        {
            Pools = new Dictionary<string, PoolConfig> { ["web"] = new() { Backends = [new BackendConfig { Address = "http://127.0.0.1:9" }] } },
        });
    }

    [Fact]
    public async Task Alone_BecomesMasterAnnouncesGarpRepeatTimesThenResignsOnShutdown()
    {
        await using var service = Start(Config());
        await Wait.Until(() => _vips.Adds == 1 && _vips.Announces == 3, _timeout, "master adds the VIPs and sends 3 GARPs");
        Assert.Equal(FailoverState.Master, service.Snapshot.State);

        await service.ShutdownAsync();

        Assert.Equal(1, _vips.Removes);
        Assert.Equal(FailoverState.Init, service.Snapshot.State);
        Assert.Contains(ReceivedPriorities(), p => p == 0); // RFC 5798 §6.4.3: the resign advert
    }

    [Fact]
    public async Task TrackedPoolWithoutAvailableBackend_LowersThePriorityByTheWeightUntilItRecovers()
    {
        await using var service = Start(Config() with { Track = new FailoverTrackConfig { Pools = ["web"], Weight = 30 } });
        var pool = _pools.Get("web")!;
        await Wait.Until(() => service.Snapshot.State == FailoverState.Master, _timeout, "master");

        pool.SetDraining(pool.Snapshot.All[0], true);
        await Wait.Until(() => service.Snapshot.EffectivePriority == 70, _timeout, "priority 100 - 30");
        pool.SetDraining(pool.Snapshot.All[0], false);
        await Wait.Until(() => service.Snapshot.EffectivePriority == 100, _timeout, "priority back to 100");
    }

    [Fact]
    public async Task ShutdownAsMaster_ResignsAtOnceAndKeepsTheVipsUntilTheSuccessorsSecondAdvert()
    {
        // 1 s adverts: the hand-over bound is 3 s, so a shutdown done well before it was ended by the successor.
        await using var service = Start(Config() with { AdvertInterval = TimeSpan.FromSeconds(1) });
        await Wait.Until(() => _vips.Adds == 1, _timeout, "master adds the VIPs");
        ReceivedPriorities();

        service.RequestShutdown();
        Assert.Equal([0], ReceivedPriorities()); // sent on the caller's thread, before RequestShutdown returns
        var stopped = System.Diagnostics.Stopwatch.StartNew();
        var shutdown = service.ShutdownAsync();
        SendSuccessorAdvert(service, 1);
        await Wait.Until(() => service.Snapshot.LastAdvertFrom == "lb2", _timeout, "the successor's first advert taken in");
        Assert.Equal((FailoverState.Master, 0), (service.Snapshot.State, _vips.Removes)); // still serving the VIPs
        SendSuccessorAdvert(service, 2);
        await shutdown.WaitAsync(_timeout);

        Assert.True(stopped.Elapsed < TimeSpan.FromSeconds(2), $"hand-over took {stopped.Elapsed}; the bound is 3 s");
        Assert.Equal((FailoverState.Init, 1), (service.Snapshot.State, _vips.Removes));
    }

    [Fact]
    public async Task GarbageAndForeignDatagrams_AreCountedByReasonAndChangeNothing()
    {
        await using var service = Start(Config());
        var target = IPEndPoint.Parse(service.BoundAddress);
        for (var i = 0; i < 5; i++)
        {
            _peer.SendTo("hello"u8, target);
        }

        await Wait.Until(() => service.Snapshot.RejectedPackets.GetValueOrDefault("TooShort") == 5, _timeout, "5 rejected as TooShort");
        Assert.Equal(["TooShort"], service.Snapshot.RejectedPackets.Keys);
    }

    public void Dispose()
    {
        _peer.Dispose();
        _pools.Dispose();
        _files.Dispose();
    }

    private FailoverConfig Config() => new()
    {
        NodeId = "lb1",
        Bind = "127.0.0.1:0",
        Peers = [$"127.0.0.1:{((IPEndPoint)_peer.LocalEndPoint!).Port}"],
        AdvertInterval = TimeSpan.FromMilliseconds(100),
        KeyFile = _files.KeyFile,
        VirtualIps = ["198.18.0.100/24"],
        GarpRepeat = 3,
        GarpRefresh = TimeSpan.Zero,
    };

    private FailoverService Start(FailoverConfig config) =>
        FailoverService.Start(config, _files.Directory, 0, _pools, NullLoggerFactory.Instance, TimeProvider.System, _vips);

    /// <summary>A master advert of "lb2" at priority 100 from the peer socket, as a successor sends it.</summary>
    private void SendSuccessorAdvert(FailoverService service, ulong sequence)
    {
        FailoverKey.TryParse(File.ReadAllText(_files.KeyFile), out var key, out _);
        var buffer = new byte[AdvertCodec.MaxLength];
        var length = AdvertCodec.Encode(new AdvertPacket("lb2", FailoverState.Master, 100, TimeSpan.FromSeconds(1), 1, sequence, 0), key, buffer);
        _peer.SendTo(buffer.AsSpan(0, length), IPEndPoint.Parse(service.BoundAddress));
    }

    /// <summary>The priorities of the adverts queued at the peer socket.</summary>
    private List<byte> ReceivedPriorities()
    {
        FailoverKey.TryParse(File.ReadAllText(_files.KeyFile), out var key, out _);
        var priorities = new List<byte>();
        var buffer = new byte[2048];
        while (_peer.Available > 0)
        {
            var length = _peer.Receive(buffer);
            if (AdvertCodec.TryDecode(buffer.AsSpan(0, length), key, out var packet, out _))
            {
                priorities.Add(packet.Priority);
            }
        }

        return priorities;
    }
}
