using Balancer.Core.Configuration.Parsing;

namespace Balancer.Core.Configuration.Binding;

/// <summary>Binds the <c>failover</c> block.</summary>
internal static class FailoverBinder
{
    /// <summary>Fields of the <c>failover</c> block.</summary>
    public static readonly string[] FailoverFields =
    [
        "nodeId", "priority", "preempt", "preemptDelay", "bind", "peers", "advertInterval", "keyFile", "virtualIps", "interface",
        "vipAction", "track", "notify", "garpRepeat", "garpRefresh", "maxClockSkew", "realtimePriority", "witness", "groups",
    ];

    private static readonly string[] _groupFields = ["name", "priority", "virtualIps", "preempt", "preemptDelay", "track", "notify"];

    /// <summary>The single-group form's fields: with <c>groups</c>, each group has its own.</summary>
    private static readonly string[] _perGroupFields = ["priority", "virtualIps", "preempt", "preemptDelay", "track", "notify"];

    private static readonly string[] _witnessFields = ["address", "timeout", "required"];

    private static readonly string[] _peerFields = ["nodeId", "addresses"];
    private static readonly string[] _trackFields = ["pools", "weight", "fault"];
    private static readonly string[] _notifyFields = ["onMaster", "onBackup", "onFault"];
    private static readonly string[] _vipActions = [VipActions.Ip, VipActions.None];

    /// <summary>Binds a present <c>failover</c> block; nodeId, keyFile and peers are then required.</summary>
    public static FailoverConfig BindFailover(ObjectReader reader)
    {
        var defaults = new FailoverConfig();
        var peers = BindPeers(reader);
        return new FailoverConfig
        {
            NodeId = reader.RequiredString("nodeId"),
            Priority = reader.Int("priority") ?? defaults.Priority,
            Preempt = reader.Bool("preempt") ?? defaults.Preempt,
            PreemptDelay = reader.Duration("preemptDelay") ?? defaults.PreemptDelay,
            Binds = BindBinds(reader) ?? defaults.Binds,
            Peers = [.. peers.SelectMany(p => p.Addresses)],
            PeerNodes = peers,
            AdvertInterval = reader.Duration("advertInterval") ?? defaults.AdvertInterval,
            KeyFile = reader.RequiredString("keyFile"),
            VirtualIps = reader.Strings("virtualIps") ?? defaults.VirtualIps,
            Interface = reader.String("interface") ?? defaults.Interface,
            VipAction = reader.Choice("vipAction", "vipAction", _vipActions) ?? defaults.VipAction,
            Track = reader.Object("track", _trackFields) is { } track ? BindTrack(track) : defaults.Track,
            Notify = reader.Object("notify", _notifyFields) is { } notify ? BindNotify(notify) : defaults.Notify,
            GarpRepeat = reader.Int("garpRepeat") ?? defaults.GarpRepeat,
            GarpRefresh = reader.Duration("garpRefresh") ?? defaults.GarpRefresh,
            MaxClockSkew = reader.Duration("maxClockSkew") ?? defaults.MaxClockSkew,
            RealtimePriority = reader.Int("realtimePriority") ?? defaults.RealtimePriority,
            Witness = reader.Object("witness", _witnessFields) is { } witness ? BindWitness(witness) : defaults.Witness,
            Groups = BindGroups(reader),
        };
    }

    /// <summary>
    /// <c>groups</c> (#23): each item <c>{ "name", "priority", "virtualIps", "preempt", "preemptDelay", "track", "notify" }</c>.
    /// With groups, the single-group form's fields at the top of <c>failover</c> are errors: which group would they be?
    /// </summary>
    private static List<FailoverGroupConfig> BindGroups(ObjectReader reader)
    {
        var groups = new List<FailoverGroupConfig>();
        if (!reader.Has("groups") || reader.Get<JsonArray>("groups", "an array of { \"name\", \"priority\", \"virtualIps\", ... } objects") is not { } array)
        {
            return groups;
        }

        foreach (var field in _perGroupFields.Where(reader.Has))
        {
            reader.Report(field, $"'{field}' is set per group when 'groups' is used: move it into each entry of failover.groups");
        }

        if (array.Items.Count == 0)
        {
            reader.Report("groups", "groups needs at least one group; or leave it out for the single-group form (priority and virtualIps at the top of failover)");
        }

        for (var i = 0; i < array.Items.Count; i++)
        {
            var itemPath = ConfigPath.Item(reader.PathOf("groups"), i);
            if (array.Items[i] is not JsonObject node)
            {
                groups.Add(new FailoverGroupConfig()); // keeps the validator's indexes those of the file; the config is refused anyway
                reader.Diagnostics.Report(array.Items[i].Offset, itemPath, $"expected a group object {{ \"name\", \"priority\", \"virtualIps\" }}, got {array.Items[i].Kind}");
                continue;
            }

            var group = new ObjectReader(reader.Diagnostics, node, itemPath, _groupFields);
            var defaults = new FailoverGroupConfig();
            groups.Add(new FailoverGroupConfig
            {
                Name = group.RequiredString("name"),
                Priority = group.Int("priority") ?? defaults.Priority,
                VirtualIps = group.Strings("virtualIps") ?? defaults.VirtualIps,
                Preempt = group.Bool("preempt") ?? defaults.Preempt,
                PreemptDelay = group.Duration("preemptDelay") ?? defaults.PreemptDelay,
                Track = group.Object("track", _trackFields) is { } track ? BindTrack(track) : null,
                Notify = group.Object("notify", _notifyFields) is { } notify ? BindNotify(notify) : null,
            });
        }

        return groups;
    }

    /// <summary>
    /// <c>peers</c>: each item an address string (one peer, one path) or <c>{ "nodeId": …, "addresses": [ … ] }</c>
    /// (one peer, a path per address). Required, and not empty.
    /// </summary>
    private static List<FailoverPeerConfig> BindPeers(ObjectReader reader)
    {
        var peers = new List<FailoverPeerConfig>();
        if (!reader.Has("peers"))
        {
            reader.Report("peers", "missing required field 'peers'");
            return peers;
        }

        if (reader.Get<JsonArray>("peers", "an array of addresses or { \"nodeId\", \"addresses\" } objects") is not { } array)
        {
            return peers;
        }

        for (var i = 0; i < array.Items.Count; i++)
        {
            var itemPath = ConfigPath.Item(reader.PathOf("peers"), i);
            switch (array.Items[i])
            {
                case JsonString address:
                    peers.Add(new FailoverPeerConfig { Addresses = [address.Value] });
                    break;
                case JsonObject node:
                    var peer = new ObjectReader(reader.Diagnostics, node, itemPath, _peerFields);
                    var addresses = peer.Has("addresses") ? peer.Strings("addresses") ?? [] : [];
                    if (addresses.Count == 0)
                    {
                        peer.Report("addresses", "a peer needs at least one address (ip:port), one per heartbeat path");
                    }

                    peers.Add(new FailoverPeerConfig { NodeId = peer.RequiredString("nodeId"), Addresses = addresses });
                    break;
                default:
                    peers.Add(new FailoverPeerConfig()); // keeps the validator's indexes those of the file; the config is refused anyway
                    reader.Diagnostics.Report(array.Items[i].Offset, itemPath, $"expected an address string or an object {{ \"nodeId\", \"addresses\" }}, got {array.Items[i].Kind}");
                    break;
            }
        }

        if (array.Items.Count == 0)
        {
            reader.Report("peers", "failover needs at least one peer");
        }

        return peers;
    }

    /// <summary><c>bind</c>: one address as a string, or an array of them (one per heartbeat path), not empty.</summary>
    private static IReadOnlyList<string>? BindBinds(ObjectReader reader)
    {
        switch (reader.Get<JsonNode>("bind", "an address"))
        {
            case null:
                return null;
            case JsonString one:
                return [one.Value];
            case JsonArray:
                var many = reader.Strings("bind") ?? [];
                if (many.Count == 0)
                {
                    reader.Report("bind", "bind needs at least one address (ip:port); list several only for several heartbeat paths");
                    return null;
                }

                return many;
            case var other:
                reader.Report("bind", $"expected an address string (ip:port) or an array of them, one per heartbeat path, got {other.Kind}");
                return null;
        }
    }

    private static FailoverWitnessConfig BindWitness(ObjectReader reader) => new()
    {
        Address = reader.RequiredString("address"),
        Timeout = reader.Duration("timeout") ?? new FailoverWitnessConfig().Timeout,
        Required = reader.Bool("required") ?? false,
    };

    private static FailoverTrackConfig BindTrack(ObjectReader reader)
    {
        var defaults = new FailoverTrackConfig();
        return new FailoverTrackConfig
        {
            Pools = reader.Strings("pools") ?? defaults.Pools,
            Weight = reader.Int("weight") ?? defaults.Weight,
            Fault = reader.Bool("fault") ?? defaults.Fault,
        };
    }

    private static FailoverNotifyConfig BindNotify(ObjectReader reader) => new()
    {
        OnMaster = reader.String("onMaster"),
        OnBackup = reader.String("onBackup"),
        OnFault = reader.String("onFault"),
    };
}
