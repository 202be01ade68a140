namespace Balancer.Core.Configuration.Binding;

/// <summary>Binds the <c>failover</c> block.</summary>
internal static class FailoverBinder
{
    /// <summary>Fields of the <c>failover</c> block.</summary>
    public static readonly string[] FailoverFields =
        ["nodeId", "priority", "preempt", "bind", "peers", "advertInterval", "keyFile", "virtualIps", "interface"];

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
            Bind = reader.String("bind") ?? defaults.Bind,
            Peers = reader.Strings("peers") ?? defaults.Peers,
            AdvertInterval = reader.Duration("advertInterval") ?? defaults.AdvertInterval,
            KeyFile = reader.RequiredString("keyFile"),
            VirtualIps = reader.Strings("virtualIps") ?? defaults.VirtualIps,
            Interface = reader.String("interface") ?? defaults.Interface,
        };
    }

}
