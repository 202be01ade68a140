namespace Balancer.Core.Failover;

/// <summary>Live changes from a config reload: the knobs that need no new identity, socket or timers.</summary>
public sealed partial class FailoverMachine
{
    /// <summary>
    /// Takes new priority, preempt, preempt delay, track weight and config hash without leaving the current state.
    /// A master whose effective priority changes advertises it at once, so a peer that now outranks it preempts.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid, or change what only a restart can (see <see cref="ReconfigureProblems"/>).</exception>
    public IReadOnlyList<FailoverAction> Reconfigure(FailoverOptions options)
    {
        var problems = options.Validate().Concat(ReconfigureProblems(options)).ToList();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(options));
        }

        return Run(() =>
        {
            var before = EffectivePriority;
            _options = options;
            if (EffectivePriority == before)
            {
                return;
            }

            _actions.Add(new FailoverAction.PriorityChanged(before, EffectivePriority, _healthy));
            if (State == FailoverState.Master && _handoverUntil is null)
            {
                SendAdvert(EffectivePriority);
                _advertAt = Now + _options.AdvertInterval;
            }
        });
    }

    /// <summary>The fields of <paramref name="options"/> that differ from the running ones and cannot change live.</summary>
    public IReadOnlyList<string> ReconfigureProblems(FailoverOptions options)
    {
        var running = _options;
        var problems = new List<string>();
        Check(running.NodeId == options.NodeId, "nodeId");
        Check(running.AdvertInterval == options.AdvertInterval, "advertInterval");
        Check(running.Peers.SequenceEqual(options.Peers, StringComparer.Ordinal), "peers");
        Check(running.PeerNodeIds.SequenceEqual(options.PeerNodeIds, StringComparer.Ordinal), "peerNodeIds");
        Check(running.FaultOnTrackFailure == options.FaultOnTrackFailure, "track.fault");
        return problems;

        void Check(bool same, string field)
        {
            if (!same)
            {
                problems.Add($"failover.{field} cannot change while running; restart balancer to change it");
            }
        }
    }
}
