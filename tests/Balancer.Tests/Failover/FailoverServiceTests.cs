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
