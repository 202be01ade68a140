using Balancer.Core.Configuration;
using Balancer.Core.Failover;
using Balancer.Telemetry;

namespace Balancer.Failover;

/// <summary>Reloads (what may change live) and the view for <c>/status</c>.</summary>
internal sealed partial class FailoverService
{
    /// <summary>Why <paramref name="next"/> cannot be applied to this running node, each naming the field; empty when it can.</summary>
    public IReadOnlyList<string> CheckReload(FailoverConfig next)
    {
        var problems = _machine.ReconfigureProblems(FailoverOptions.From(next)).ToList();
        Check(_config.Bind == next.Bind, "bind");
        Check(_config.KeyFile == next.KeyFile, "keyFile");
        Check(_config.VipAction == next.VipAction, "vipAction");
        Check(_config.Interface == next.Interface, "interface");
        Check(_config.VirtualIps.SequenceEqual(next.VirtualIps, StringComparer.Ordinal), "virtualIps");
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
        _hooks = new NotifyHooks(next.Notify, next.VirtualIps, _runner);
        if (next.GarpRepeat != _config.GarpRepeat || next.GarpRefresh != _config.GarpRefresh)
        {
            // Built whole, then published: the loop reads _garp from its own thread.
            var garp = new GarpSchedule(next.GarpRepeat, next.GarpRefresh);
            if (_machine.State == FailoverState.Master)
            {
                garp.BurstSent(Now);
            }

            _garp = garp;
        }

        _config = next;
        Apply(_machine.Reconfigure(FailoverOptions.From(next, configHash)));
        if (next.Track is null)
        {
            Apply(_machine.SetTrackedHealth(true)); // nothing tracked any more: a sick node must not stay sick
        }

        Log.FailoverReconfigured(_logger, next.Priority, next.Preempt, string.Join(", ", next.Track?.Pools ?? []));
    }

    /// <summary>The machine's view, for <c>/status</c>.</summary>
    public FailoverSnapshot Snapshot => _machine.GetSnapshot();
}
