using System.Net;
using Balancer.Admin.Timeline;
using Balancer.Core.Configuration;
using Balancer.Core.Failover;
using Balancer.Core.Model;
using Balancer.Core.Reload;
using Balancer.Hosting;
using Balancer.Telemetry;

namespace Balancer.Failover;

/// <summary>
/// The I/O around <see cref="FailoverMachine"/> (RFC 5798 §6.4 over unicast): start-up, shutdown with its hand-over,
/// reloads and the view for <c>/status</c>. The parts: <see cref="AdvertSocket"/> sends and receives,
/// <see cref="FailoverLoop"/> feeds the machine, <see cref="FailoverEffects"/> applies what it decides, and
/// <see cref="FailoverWorker"/> runs the slow effects off the loop.
/// </summary>
internal sealed class FailoverService : IAsyncDisposable
{
    private readonly FailoverMachine _machine;
    private readonly AdvertSocket _socket;
    private readonly FailoverWorker _worker;
    private readonly FailoverEffects _effects;
    private readonly FailoverLoop _loop;
    private readonly Dictionary<string, GroupEffects> _groups;
    private readonly ILogger _logger;
    private readonly string _configDirectory;
    private readonly TaskCompletionSource _shutdownRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private FailoverConfig _config;
    private FailoverKeyRing _keys;
    private FailoverKeyRing? _reloadedKeys;
    private int _shutdown;
    private volatile bool _started;

    private FailoverService(
        FailoverConfig config, string configDirectory, FailoverKeyRing keys, UInt128 configHash, AdvertSocket socket, Dictionary<string, GroupEffects> groups,
        CommandRunner runner, PoolRegistry pools, ILogger logger, TimeProvider time, EventTimeline? timeline, bool vipsOverridden)
    {
        var clock = new ElapsedClock(time);
        _config = config;
        _configDirectory = configDirectory;
        _keys = keys;
        _socket = socket;
        _logger = logger;
        _machine = new FailoverMachine(FailoverOptions.From(config, configHash), keys, time);
        _worker = new FailoverWorker(logger);
        _groups = groups;
        _effects = new FailoverEffects(config, socket, _worker, groups, runner, clock, logger, timeline);
        // The real address actions only: a test's fake ones have no interface of this host to watch.
        var link = vipsOverridden || config.VipAction != VipActions.Ip || config.Interface is not { } device ? null : new InterfaceWatch(device, clock, logger);
        _loop = new FailoverLoop(_machine, socket, _effects, new PoolTracking(pools, clock), link, () => _config, _shutdownRequested.Task, clock, time, logger);
    }

    /// <summary>The UDP address adverts are received on, as bound.</summary>
    public string BoundAddress => _socket.BoundAddress;

    /// <summary>The running failover config.</summary>
    public FailoverConfig Config => _config;

    /// <summary>The machine's view, for <c>/status</c>.</summary>
    public FailoverSnapshot Snapshot => _machine.GetSnapshot();

    /// <summary>
    /// Reads the key, binds the socket and removes the configured virtual IPs a previous process of this node left on
    /// the interface (a crash), all before the caller starts serving; <see cref="Start"/> then joins the protocol.
    /// <paramref name="vips"/> overrides <c>vipAction</c> (tests); transitions are reported to <paramref name="timeline"/>.
    /// </summary>
    /// <exception cref="StartupException">The key file is unusable or the address cannot be bound; one line.</exception>
    public static async Task<FailoverService> BindAsync(
        FailoverConfig config, string configDirectory, UInt128 configHash, PoolRegistry pools, ILoggerFactory logs, TimeProvider time, IVipActions? vips = null, EventTimeline? timeline = null)
    {
        var logger = logs.CreateLogger("Balancer.Failover");
        var keys = FailoverKeyFile.Read(Path.GetFullPath(config.KeyFile, configDirectory), logger);
        // The socket first: a second process started with this node's config fails here, before it could take the
        // addresses away from the running one.
        var socket = AdvertSocket.Bind(config.Binds, config.Peers, config.Witness?.Address, logger);
        var runner = new CommandRunner(logger);
        var groups = GroupEffects.For(config, vips, runner, logger);
        try
        {
            // A node that starts is not master, so an address of ours on the interface is a crashed process's leftover
            // (keepalived removes its VIPs in INIT too). Before the listeners and the admin API: with them up and the
            // address still there, clients and the peer saw two holders until the machine started (docs/benchmarks.md,
            // Chaos run). Only the configured virtual IPs are touched.
            var removed = new List<string>();
            foreach (var group in groups.Values)
            {
                removed.AddRange(await group.Vips.RemoveAsync());
            }

            if (removed.Count > 0)
            {
                Log.FailoverStaleVipsRemovedAtStart(logger, string.Join(", ", removed), config.Interface ?? "(no interface)");
            }

            WarmUp(config, keys, configHash, time);
            return new FailoverService(config, configDirectory, keys, configHash, socket, groups, runner, pools, logger, time, timeline, vipsOverridden: vips is not null);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Joins the protocol: the machine starts (INIT -> BACKUP, and a preemption right after) once the interface check
    /// has run. Call it once the node can serve the virtual IPs.
    /// </summary>
    public void Start()
    {
        Log.FailoverStarted(_logger, _config.NodeId, _config.Groups.Count == 0 ? $"{_config.Priority}" : string.Join(", ", _config.Groups.Select(g => $"{g.Priority} in group {g.Name}")), BoundAddress,
            string.Join(", ", _config.Peers), string.Join(", ", _config.AllVirtualIps), _config.VipAction);
        // Only once the interface check has bound and compiled the direct paths: queued ahead of a takeover, the cold
        // check held the first virtual IP add back 100-250 ms while the preempted master had already let the address
        // go (docs/benchmarks.md, Chaos run).
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _worker.Enqueue(async () =>
        {
            try
            {
                foreach (var group in _groups.Values)
                {
                    await group.Vips.PrepareAsync();
                }
            }
            finally
            {
                ready.TrySetResult();
            }
        });
        _started = true;
        _loop.Start(ready.Task);
    }

    /// <summary>
    /// Starts the shutdown event without waiting: a master's priority-0 advert goes out now, on the caller's thread.
    /// Call it first thing on SIGTERM; <see cref="ShutdownAsync"/> then waits for the hand-over.
    /// </summary>
    public void RequestShutdown()
    {
        if (_shutdownRequested.TrySetResult())
        {
            _effects.Apply(_machine.Shutdown());
        }
    }

    /// <summary>
    /// The shutdown event (RFC 5798 §6.4.3): a master sends a priority-0 advert so the peer takes over after its skew
    /// time, keeps the virtual IPs until the peer has taken them (at most <see cref="FailoverMachine.HandoverTimeout"/>),
    /// then removes them; the notify hook runs; then the socket closes. Safe to call twice.
    /// </summary>
    public async Task ShutdownAsync()
    {
        if (Interlocked.Exchange(ref _shutdown, 1) != 0)
        {
            return;
        }

        RequestShutdown();
        if (!_started)
        {
            // Bound but never started (a listener failed to bind): nothing was advertised or added.
            await _worker.CompleteAsync(TimeSpan.FromSeconds(15));
            _socket.Dispose();
            return;
        }

        var bound = FailoverMachine.HandoverTimeout(_config.AdvertInterval) + TimeSpan.FromSeconds(1);
        await _loop.Done.WaitAsync(bound).ContinueWith(_ => { }, TaskScheduler.Default);
        _loop.Stop();
        await _loop.Done.WaitAsync(TimeSpan.FromSeconds(1)).ContinueWith(_ => { }, TaskScheduler.Default);
        for (var i = 0; i < 2 && !_machine.AllIn(FailoverState.Init); i++)
        {
            _effects.Apply(_machine.Shutdown()); // the loop failed or overran: resign if not yet done, then leave at once
        }

        await _worker.CompleteAsync(TimeSpan.FromSeconds(15));
        _socket.Dispose();
    }

    public async ValueTask DisposeAsync() => await ShutdownAsync();

    /// <summary>Why <paramref name="next"/> cannot be applied to this running node, each naming the field; empty when it can.</summary>
    public IReadOnlyList<string> CheckReload(FailoverConfig next)
    {
        var problems = _machine.ReconfigureProblems(FailoverOptions.From(next)).ToList();
        Check(_config.Binds.SequenceEqual(next.Binds, StringComparer.Ordinal), "bind");
        Check(_config.VipAction == next.VipAction, "vipAction");
        Check(_config.Interface == next.Interface, "interface");
        Check(_config.RealtimePriority == next.RealtimePriority, "realtimePriority"); // the loop's thread takes it once, at start
        Check(_config.VirtualIps.SequenceEqual(next.VirtualIps, StringComparer.Ordinal), "virtualIps");
        Check(_config.EffectiveGroups.Select(g => (g.Name, string.Join(",", g.VirtualIps))).SequenceEqual(next.EffectiveGroups.Select(g => (g.Name, string.Join(",", g.VirtualIps)))),
            "groups (names and virtualIps)");

        // The key file is read again on every reload: that is how a key is rotated (docs/failover.md).
        try
        {
            _reloadedKeys = FailoverKeyFile.Read(Path.GetFullPath(next.KeyFile, _configDirectory), _logger);
        }
        catch (StartupException e)
        {
            problems.Add(e.Message);
        }

        return problems;

        void Check(bool same, string field)
        {
            if (!same)
            {
                problems.Add($"failover.{field} cannot change while running; restart balancer to change it");
            }
        }
    }

    /// <summary>Applies a reload that passed <see cref="CheckReload"/>: priority, preempt, track, hooks, GARP timing, config hash.</summary>
    public void Reconfigure(FailoverConfig next, UInt128 configHash)
    {
        var changed = ConfigDiff.Fields(_config, next);
        _effects.Reconfigure(next, group => _machine.StateOf(group) == FailoverState.Master);
        _config = next;
        _effects.Apply(_machine.Reconfigure(FailoverOptions.From(next, configHash)));
        foreach (var group in next.EffectiveGroups.Where(g => g.Track is null))
        {
            _effects.Apply(_machine.SetTrackedHealth(group.Name, true)); // nothing tracked any more: a sick group must not stay sick
        }

        if (changed.Count > 0)
        {
            Log.FailoverReconfigured(_logger, string.Join(", ", changed)); // a reload of other sections changes nothing here: no line
        }
        if (_reloadedKeys is { } keys && !keys.SameAs(_keys))
        {
            _machine.SetKeys(keys);
            _keys = keys;
            Log.FailoverKeysReloaded(_logger, FailoverKeyRing.Format(keys.SigningKeyId), string.Join(", ", keys.KeyIds.Select(FailoverKeyRing.Format)));
        }
    }

    /// <summary>
    /// Runs a takeover, a hand-over and every kind of rejection on a throwaway machine, whose actions are dropped, so
    /// that neither the first real takeover of this process (milliseconds, on a crash's critical path) nor the first
    /// second of a flood (the reject paths, cold, while forged datagrams pile up) pays for compiling them.
    /// </summary>
    private static void WarmUp(FailoverConfig config, FailoverKeyRing keys, UInt128 configHash, TimeProvider time)
    {
        var scratch = new FailoverMachine(FailoverOptions.From(config, configHash) with { Priority = 255, Groups = [] }, keys, time);
        scratch.Start();
        scratch.Tick();
        var peer = new IPEndPoint(IPEndPoint.Parse(config.Peers[0]).Address, 7946);
        var buffer = new byte[AdvertCodec.MaxLength];
        var advert = buffer[..AdvertCodec.Encode(new AdvertPacket("warm-up", FailoverState.Master, 1, config.AdvertInterval, 1, 1, configHash,
            SentAt: time.GetUtcNow().ToUnixTimeMilliseconds()), keys, buffer)];
        var forged = (byte[])advert.Clone();
        forged[^1] ^= 1;
        foreach (var datagram in new[] { advert, advert, forged, [.. advert[..4], 1, .. advert[5..]], advert[..10], new byte[120] })
        {
            scratch.OnDatagram(datagram, peer);
        }

        scratch.GetSnapshot();
        scratch.Shutdown();
        scratch.Shutdown();
    }
}
