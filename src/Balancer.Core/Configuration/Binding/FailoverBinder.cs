namespace Balancer.Core.Configuration.Binding;

/// <summary>Binds the <c>failover</c> block.</summary>
internal static class FailoverBinder
{
    /// <summary>Fields of the <c>failover</c> block.</summary>
    public static readonly string[] FailoverFields =
    [
        "nodeId", "priority", "preempt", "preemptDelay", "bind", "peers", "advertInterval", "keyFile", "virtualIps", "interface",
        "vipAction", "track", "notify", "garpRepeat", "garpRefresh", "maxClockSkew",
    ];

    private static readonly string[] _trackFields = ["pools", "weight", "fault"];
    private static readonly string[] _notifyFields = ["onMaster", "onBackup", "onFault"];
    private static readonly string[] _vipActions = [VipActions.Ip, VipActions.None];

    /// <summary>Binds a present <c>failover</c> block; nodeId, keyFile and peers are then required.</summary>
    public static FailoverConfig BindFailover(ObjectReader reader)
    {
        var defaults = new FailoverConfig();
        if (!reader.Has("peers"))
        {
            reader.Report("peers", "missing required field 'peers'");
        }
        else if (reader.Strings("peers") is [])
        {
            reader.Report("peers", "failover needs at least one peer");
        }

        return new FailoverConfig
        {
            NodeId = reader.RequiredString("nodeId"),
            Priority = reader.Int("priority") ?? defaults.Priority,
            Preempt = reader.Bool("preempt") ?? defaults.Preempt,
            PreemptDelay = reader.Duration("preemptDelay") ?? defaults.PreemptDelay,
            Bind = reader.String("bind") ?? defaults.Bind,
            Peers = reader.Strings("peers") ?? defaults.Peers,
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
        };
    }

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
