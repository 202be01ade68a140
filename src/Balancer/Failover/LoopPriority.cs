using Balancer.Linux;
using Balancer.Telemetry;

namespace Balancer.Failover;

/// <summary>
/// Lifts the failover loop's own thread above the proxy's work, as keepalived does for its VRRP process
/// (<c>vrrp_rt_priority</c>, SCHED_RR): on a host whose CPUs are saturated by proxy work, other processes or a flood of
/// forged adverts, the few microseconds an advert needs must not wait behind everything else, or the peer sees a
/// silence that is not there (#26). Real-time round-robin at <c>failover.realtimePriority</c> when the process may
/// (root, CAP_SYS_NICE, or RLIMIT_RTPRIO); else nice −10 (keepalived's <c>vrrp_priority</c>); one log line says which.
/// The loop blocks in poll(2) between wake-ups and takes at most a batch of datagrams per wake-up, and the kernel's
/// real-time throttling leaves other threads their share, so it cannot starve the host.
/// </summary>
internal static class LoopPriority
{
    /// <summary>The nice value of the fallback: high, but below what audio and kernel helpers commonly take.</summary>
    public const int Nice = -10;

    /// <summary>Raises the calling thread's priority; logs the outcome once.</summary>
    /// <param name="realtimePriority">1–99 for SCHED_RR at that priority; 0 for nice alone.</param>
    public static void RaiseCurrentThread(int realtimePriority, ILogger logger)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        try
        {
            var realtime = realtimePriority > 0 ? Scheduling.SetCurrentThreadScheduler(Scheduling.SchedRr, realtimePriority) : -1;
            if (realtime == 0)
            {
                Log.FailoverLoopRealtime(logger, realtimePriority);
                return;
            }

            var refusal = realtime > 0 ? $"real-time priority {realtimePriority} refused: {Scheduling.Describe(realtime)}; " : "";
            var nice = Scheduling.SetCurrentThreadNice(Nice);
            if (nice == 0)
            {
                Log.FailoverLoopPriority(logger, Nice, refusal);
                return;
            }

            Log.FailoverLoopPriorityRefused(logger, Nice, refusal + Scheduling.Describe(nice));
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            Log.FailoverLoopPriorityRefused(logger, Nice, e.Message);
        }
    }
}
