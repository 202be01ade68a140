using Balancer.Core.Failover;

namespace Balancer.Telemetry;

/// <content>Failover messages (4xx).</content>
internal static partial class Log
{
    [LoggerMessage(401, LogLevel.Information, "failover node {NodeId} priority {Priority} listening on {Address}, peers {Peers}, virtual IPs {Vips} (vipAction {VipAction})")]
    public static partial void FailoverStarted(ILogger logger, string nodeId, string priority, string address, string peers, string vips, string vipAction);

    [LoggerMessage(402, LogLevel.Warning, "failover {From} -> {To} on {Event}: {Reason}")]
    public static partial void FailoverStateChanged(ILogger logger, FailoverState from, FailoverState to, FailoverEvent @event, string reason);

    [LoggerMessage(403, LogLevel.Warning, "failover priority {From} -> {To} (tracked pools healthy: {Healthy})")]
    public static partial void FailoverPriorityChanged(ILogger logger, int from, int to, bool healthy);

    [LoggerMessage(404, LogLevel.Warning, "failover dual master: heard master {Peer} (priority {Priority}), which we outrank; re-announcing")]
    public static partial void FailoverDualMaster(ILogger logger, string peer, int priority);

    [LoggerMessage(405, LogLevel.Warning, "failover config drift {Drift}: peer {Peer} runs config hash {Hash:x32}")]
    public static partial void FailoverConfigDrift(ILogger logger, bool drift, string peer, UInt128 hash);

    [LoggerMessage(406, LogLevel.Warning, "failover rejected {Count} datagrams as {Reason} since the last such line ({Total} in all, the last from {Source}; at most one line per reason per 10 s): {Hint}")]
    public static partial void FailoverPacketRejected(ILogger logger, long count, string reason, string source, long total, string hint);

    [LoggerMessage(417, LogLevel.Information, "failover keys reloaded: signing with key {SigningKey}, verifying with {Keys}")]
    public static partial void FailoverKeysReloaded(ILogger logger, string signingKey, string keys);

    [LoggerMessage(407, LogLevel.Error, "failover command {Command} failed: {Problem}")]
    public static partial void FailoverCommandFailed(ILogger logger, string command, string problem);

    [LoggerMessage(408, LogLevel.Information, "failover command {Command}: {Output}")]
    public static partial void FailoverCommandOutput(ILogger logger, string command, string output);

    [LoggerMessage(409, LogLevel.Warning, "failover: {Tool} is not installed ({Hint}); {Consequence}")]
    public static partial void FailoverToolMissing(ILogger logger, string tool, string hint, string consequence);

    [LoggerMessage(410, LogLevel.Warning, "failover key file {Path} is readable by every user; keep it to the service: chown root:balancer {Path} && chmod 0640 {Path}")]
    public static partial void FailoverKeyWorldReadable(ILogger logger, string path);

    [LoggerMessage(411, LogLevel.Warning, "failover socket receive failed: {Message}")]
    public static partial void FailoverReceiveFailed(ILogger logger, string message);

    [LoggerMessage(412, LogLevel.Information, "failover reconfigured live: {Changes}")]
    public static partial void FailoverReconfigured(ILogger logger, string changes);

    [LoggerMessage(413, LogLevel.Error, "failover loop failed; the node stops taking part in the protocol")]
    public static partial void FailoverLoopFailed(ILogger logger, Exception error);

    [LoggerMessage(414, LogLevel.Information, "failover virtual IPs {Action} {Milliseconds:0.0} ms after the transition")]
    public static partial void FailoverVipsDone(ILogger logger, string action, double milliseconds);

    [LoggerMessage(415, LogLevel.Warning, "failover removed stale virtual IPs {Vips} from {Interface} on entering {State}: this node was not master, so another may hold them")]
    public static partial void FailoverStaleVipsRemoved(ILogger logger, string vips, string @interface, FailoverState state);

    [LoggerMessage(428, LogLevel.Warning, "failover removed stale virtual IPs {Vips} from {Interface} at start-up, before serving: a previous process of this node left them (a crash), and the peer may hold them now")]
    public static partial void FailoverStaleVipsRemovedAtStart(ILogger logger, string vips, string @interface);

    [LoggerMessage(416, LogLevel.Warning, "failover advert stall: {GapMs:0} ms between two adverts {Direction}; a backup takes over after {MasterDownMs:0} ms{Qualifier} of silence: a stalled process or network came near a false failover, or caused one{Gc}")]
    public static partial void FailoverAdvertStall(ILogger logger, double gapMs, string direction, double masterDownMs, string qualifier, string gc);

    [LoggerMessage(418, LogLevel.Information, "failover loop runs at nice {Nice} ({Refusal}nice alone: failover.realtimePriority is 0 or not permitted), so that adverts are sent and read on time on a busy host")]
    public static partial void FailoverLoopPriority(ILogger logger, int nice, string refusal);

    [LoggerMessage(419, LogLevel.Warning, "failover loop could not raise its priority to nice {Nice} ({Problem}); on a busy host adverts may be late: give the service CAP_SYS_NICE")]
    public static partial void FailoverLoopPriorityRefused(ILogger logger, int nice, string problem);

    [LoggerMessage(420, LogLevel.Information, "failover loop runs at real-time priority {Priority} (SCHED_RR), so that adverts are sent and read on time on a busy host")]
    public static partial void FailoverLoopRealtime(ILogger logger, int priority);

    [LoggerMessage(430, LogLevel.Warning, "failover cannot read the state of interface {Device}: {Problem}; counted as up (said once per change)")]
    public static partial void FailoverInterfaceUnreadable(ILogger logger, string device, string problem);

    [LoggerMessage(421, LogLevel.Warning, "failover adverts from {Local} to {Peer}: {Problem} (said once per change)")]
    public static partial void FailoverSendChanged(ILogger logger, string local, string peer, string problem);

    [LoggerMessage(422, LogLevel.Warning, "failover heartbeat path to {Peer} at {Address} silent for {SilentMs:0} ms while another path brings its adverts ({Working} of {Paths} paths work): a failed port, cable or route; no failover while one path works")]
    public static partial void FailoverPathSilent(ILogger logger, string peer, string address, double silentMs, int working, int paths);

    [LoggerMessage(423, LogLevel.Information, "failover heartbeat path to {Peer} at {Address} works again ({Working} of {Paths} paths work)")]
    public static partial void FailoverPathRestored(ILogger logger, string peer, string address, int working, int paths);

    [LoggerMessage(424, LogLevel.Warning, "failover witness: {Verdict}")]
    public static partial void FailoverWitnessVerdict(ILogger logger, string verdict);

    [LoggerMessage(425, LogLevel.Information, "witness listening on {Address}, {Sources}; answers whom it hears as master of each group")]
    public static partial void WitnessStarted(ILogger logger, string address, string sources);

    [LoggerMessage(426, LogLevel.Information, "witness hears {NodeId} as master of group {Group} (priority {Priority})")]
    public static partial void WitnessMasterChanged(ILogger logger, string nodeId, string group, int priority);

    [LoggerMessage(427, LogLevel.Warning, "witness refused {Count} datagrams as {Reason} since the last such line (at most one line per reason per 10 s)")]
    public static partial void WitnessRefused(ILogger logger, long count, string reason);

    [LoggerMessage(429, LogLevel.Warning, "witness hears {Count} masters of group {Group} at once ({Nodes}): a split brain behind a cut heartbeat link; it names {Elected}, and the others yield when they ask")]
    public static partial void WitnessSplitBrain(ILogger logger, int count, string group, string nodes, string elected);
}
