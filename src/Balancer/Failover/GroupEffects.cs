using Balancer.Core.Configuration;

namespace Balancer.Failover;

/// <summary>
/// What one group of virtual IPs acts on (#23): its addresses on the interface, its gratuitous ARP schedule and its
/// notify hooks. <see cref="FailoverEffects"/> holds one per group and sends each group's actions to its own.
/// </summary>
internal sealed class GroupEffects(FailoverGroupConfig group, IVipActions vips, NotifyHooks hooks, GarpSchedule garp)
{
    /// <summary>The group's name.</summary>
    public string Name => group.Name;

    /// <summary>The group as the timeline and the log name it: its virtual IPs, and its name when there are several groups.</summary>
    public string Label { get; } = group.Name == FailoverConfig.DefaultGroup
        ? $"virtual IPs {string.Join(", ", group.VirtualIps)}"
        : $"group {group.Name} (virtual IPs {string.Join(", ", group.VirtualIps)})";

    public IVipActions Vips => vips;

    public NotifyHooks Hooks { get; set; } = hooks;

    /// <summary>When this group's master announces its virtual IPs next; read by the loop.</summary>
    public GarpSchedule Garp { get; set; } = garp;

    /// <summary>When the last transition of this group was applied: the start of its takeover's critical path.</summary>
    public TimeSpan TransitionAt { get; set; }

    /// <summary>Makes each group's effects: <paramref name="vips"/> (tests) for all of them, or each group's own addresses on the interface.</summary>
    public static Dictionary<string, GroupEffects> For(FailoverConfig config, IVipActions? vips, CommandRunner runner, ILogger logger) =>
        config.EffectiveGroups.ToDictionary(g => g.Name, g => new GroupEffects(
            g,
            vips ?? (config.VipAction == VipActions.Ip && config.Interface is { } device ? new IpVipActions(device, g.VirtualIps, runner, logger) : new NoVipActions()),
            new NotifyHooks(g.Notify, g.VirtualIps, runner, g.Name),
            new GarpSchedule(config.GarpRepeat, config.GarpRefresh)), StringComparer.Ordinal);
}
