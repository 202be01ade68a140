using System.Text.RegularExpressions;
using Balancer.Core.Configuration.Binding;

namespace Balancer.Core.Configuration.Validation;

/// <summary>Checks the <c>failover</c> block: priority, timers, the peer and virtual IP addresses, tracking and hooks.</summary>
internal static partial class FailoverValidator
{
    private const string Path = "failover";

    /// <summary>RFC 5798 counts the advert interval in centiseconds, so 10 ms is the finest it can be.</summary>
    private static readonly TimeSpan _minAdvertInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>The advert carries the interval in 16 bits of centiseconds (RFC 5798 §5.2.7 uses 12).</summary>
    private static readonly TimeSpan _maxAdvertInterval = TimeSpan.FromMilliseconds(655_350);

    /// <summary>Checks <paramref name="failover"/>; tracked pools must be among <paramref name="pools"/>.</summary>
    public static void Validate(FailoverConfig failover, IReadOnlyDictionary<string, PoolConfig> pools, ConfigDiagnostics diagnostics)
    {
        CheckAdvertInterval(failover.AdvertInterval, diagnostics);
        CheckBinds(failover.Binds, diagnostics);

        FailoverPeerValidator.Validate(failover, diagnostics);
        if (failover.Groups.Count == 0)
        {
            CheckGroup(Path, failover.EffectiveGroups[0], pools, diagnostics);
        }
        else
        {
            CheckGroups(failover.Groups, pools, diagnostics);
        }

        if (failover.Interface is { } name && !InterfaceName().IsMatch(name))
        {
            diagnostics.Report(ConfigPath.Child(Path, "interface"), $"'{name}' is not a network interface name (1-15 characters, no '/' or spaces)");
        }
        else if (failover.Interface is null && failover.VipAction == VipActions.Ip && failover.AllVirtualIps.Any())
        {
            diagnostics.Report(ConfigPath.Child(Path, "interface"), "vipAction \"ip\" needs the 'interface' the virtual IPs are added to; or set vipAction \"none\"");
        }

        if (failover.MaxClockSkew > TimeSpan.FromMinutes(1))
        {
            diagnostics.Report(ConfigPath.Child(Path, "maxClockSkew"), "maxClockSkew must be at most 1m: a replayed advert is taken while it is younger than this (\"0s\" trusts the echo alone)");
        }

        // keepalived caps garp_master_repeat far lower; 100 is plenty and bounds the work of one takeover.
        PoolValidator.CheckRange(diagnostics, ConfigPath.Child(Path, "garpRepeat"), "garpRepeat", failover.GarpRepeat, 0, 100);
        PoolValidator.CheckRange(diagnostics, ConfigPath.Child(Path, "realtimePriority"), "realtimePriority", failover.RealtimePriority, 0, 99);
        if (failover.Witness is { } witness)
        {
            CheckWitness(failover, witness, diagnostics);
        }

    }

    /// <summary>
    /// <c>groups</c> (#23): names that can go on the wire, in a log line, a metric label and a hook's environment, each
    /// once; a virtual IP in one group only (two masters would both add it). Then each group as the single form.
    /// </summary>
    private static void CheckGroups(IReadOnlyList<FailoverGroupConfig> groups, IReadOnlyDictionary<string, PoolConfig> pools, ConfigDiagnostics diagnostics)
    {
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        var vips = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < groups.Count; i++)
        {
            var path = ConfigPath.Item(ConfigPath.Child(Path, "groups"), i);
            var group = groups[i];
            if (group.Name.Length > 0 && !GroupName().IsMatch(group.Name))
            {
                diagnostics.Report(ConfigPath.Child(path, "name"), $"'{group.Name}' is not a group name: 1-32 letters, digits, '-', '_' or '.', starting with a letter or digit");
            }
            else if (group.Name.Length > 0 && !names.TryAdd(group.Name, i))
            {
                diagnostics.Report(ConfigPath.Child(path, "name"), $"group '{group.Name}' is already failover.groups[{names[group.Name]}]; each group needs its own name");
            }

            CheckGroup(path, group, pools, diagnostics);
            for (var j = 0; j < group.VirtualIps.Count; j++)
            {
                var vipPath = ConfigPath.Item(ConfigPath.Child(path, "virtualIps"), j);
                var address = group.VirtualIps[j].Split('/')[0];
                if (!vips.TryAdd(address, vipPath))
                {
                    diagnostics.Report(vipPath, $"'{address}' is already at {vips[address]}; a virtual IP belongs to one group");
                }
            }
        }
    }

    /// <summary>One group's own fields at <paramref name="path"/>: <c>failover</c> itself in the single-group form.</summary>
    private static void CheckGroup(string path, FailoverGroupConfig group, IReadOnlyDictionary<string, PoolConfig> pools, ConfigDiagnostics diagnostics)
    {
        // RFC 5798 section 5.2.4: 255 is reserved for the address owner and 0 for a master giving up.
        PoolValidator.CheckRange(diagnostics, ConfigPath.Child(path, "priority"), "priority", group.Priority, 1, 254);
        CheckList(ConfigPath.Child(path, "virtualIps"), group.VirtualIps, AddressSyntax.CheckCidr, diagnostics);
        if (group.PreemptDelay < TimeSpan.Zero)
        {
            diagnostics.Report(ConfigPath.Child(path, "preemptDelay"), "preemptDelay must not be negative");
        }

        if (group.Track is { } track)
        {
            CheckTrack(path, track, pools, diagnostics);
        }

        if (group.Notify is { } notify)
        {
            CheckHook(path, "onMaster", notify.OnMaster, diagnostics);
            CheckHook(path, "onBackup", notify.OnBackup, diagnostics);
            CheckHook(path, "onFault", notify.OnFault, diagnostics);
        }
    }

    /// <summary>
    /// One bind as before; several (one per heartbeat path) must each be a specific address, listed once, so that each
    /// path's adverts leave from its own address and a wildcard does not take the port from the others.
    /// </summary>
    private static void CheckBinds(IReadOnlyList<string> binds, ConfigDiagnostics diagnostics)
    {
        var bindPath = ConfigPath.Child(Path, "bind");
        var seen = new HashSet<BindEndpoint>();
        for (var i = 0; i < binds.Count; i++)
        {
            var path = binds.Count == 1 ? bindPath : ConfigPath.Item(bindPath, i);
            if (AddressSyntax.CheckBind(binds[i], out var endpoint) is { } error)
            {
                diagnostics.Report(path, error);
            }
            else if (binds.Count > 1 && endpoint.IsWildcard)
            {
                diagnostics.Report(path, $"'{binds[i]}' is a wildcard; with several heartbeat paths each bind is one of this node's addresses, e.g. 198.18.1.11:7946");
            }
            else if (!seen.Add(endpoint))
            {
                diagnostics.Report(path, $"'{binds[i]}' is listed twice; list each address once");
            }
        }
    }

    private static void CheckAdvertInterval(TimeSpan interval, ConfigDiagnostics diagnostics)
    {
        var path = ConfigPath.Child(Path, "advertInterval");
        if (interval < _minAdvertInterval)
        {
            diagnostics.Report(path, "advertInterval must be at least 10ms");
        }
        else if (interval > _maxAdvertInterval || interval.Ticks % (TimeSpan.TicksPerMillisecond * 10) != 0)
        {
            diagnostics.Report(path, "advertInterval must be whole centiseconds (e.g. 100ms, 1s) up to 655.35s");
        }
    }

    private static void CheckTrack(string groupPath, FailoverTrackConfig track, IReadOnlyDictionary<string, PoolConfig> pools, ConfigDiagnostics diagnostics)
    {
        var path = ConfigPath.Child(groupPath, "track");
        PoolValidator.CheckRange(diagnostics, ConfigPath.Child(path, "weight"), "weight", track.Weight, 0, 254);
        if (track.Pools.Count == 0)
        {
            diagnostics.Report(ConfigPath.Child(path, "pools"), "track needs at least one pool name");
        }

        for (var i = 0; i < track.Pools.Count; i++)
        {
            if (!pools.ContainsKey(track.Pools[i]))
            {
                diagnostics.Report(ConfigPath.Item(ConfigPath.Child(path, "pools"), i), $"unknown pool '{track.Pools[i]}'{NameSuggester.Hint(track.Pools[i], [.. pools.Keys])}");
            }
        }
    }

    /// <summary>
    /// The witness's address, and a timeout that leaves the answer time to matter: the backup asks when the master has
    /// been silent for Master_Down_Interval, so waiting longer than one more interval makes every takeover slow.
    /// </summary>
    private static void CheckWitness(FailoverConfig failover, FailoverWitnessConfig witness, ConfigDiagnostics diagnostics)
    {
        var path = ConfigPath.Child(Path, "witness");
        if (witness.Address.Length > 0 && AddressSyntax.CheckPeer(witness.Address) is { } error)
        {
            diagnostics.Report(ConfigPath.Child(path, "address"), error);
        }
        else if (failover.Peers.Contains(witness.Address, StringComparer.OrdinalIgnoreCase))
        {
            diagnostics.Report(ConfigPath.Child(path, "address"), $"'{witness.Address}' is a peer's address; the witness runs on a third host (balancer witness)");
        }

        if (witness.Timeout < TimeSpan.FromMilliseconds(1) || witness.Timeout > TimeSpan.FromSeconds(10))
        {
            diagnostics.Report(ConfigPath.Child(path, "timeout"), "timeout must be from 1ms to 10s (a takeover waits this long for the witness's answer)");
        }
        else if (witness.Timeout > failover.AdvertInterval * 3)
        {
            diagnostics.Report(ConfigPath.Child(path, "timeout"), $"timeout {witness.Timeout.TotalMilliseconds:0}ms is more than 3 advert intervals: every takeover on silence would wait that long; use at most {(failover.AdvertInterval * 3).TotalMilliseconds:0}ms");
        }
    }

    private static void CheckHook(string groupPath, string name, string? file, ConfigDiagnostics diagnostics)
    {
        if (file is not null && string.IsNullOrWhiteSpace(file))
        {
            diagnostics.Report(ConfigPath.Child(ConfigPath.Child(groupPath, "notify"), name), $"'{name}' must name an executable, or be left out");
        }
    }

    private static void CheckList(string path, IReadOnlyList<string> items, Func<string, string?> check, ConfigDiagnostics diagnostics)
    {
        for (var i = 0; i < items.Count; i++)
        {
            ConfigValidator.Report(diagnostics, ConfigPath.Item(path, i), check(items[i]));
        }
    }

    // On the wire a group name is 1-32 bytes (AdvertCodec.MaxGroupBytes); ASCII keeps it safe in labels and environments.
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")]
    private static partial Regex GroupName();

    // Linux IFNAMSIZ is 16 including the terminating NUL.
    [GeneratedRegex(@"^[^/\s:]{1,15}$")]
    private static partial Regex InterfaceName();
}
