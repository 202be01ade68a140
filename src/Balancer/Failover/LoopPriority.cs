using System.Runtime.InteropServices;
using Balancer.Telemetry;

namespace Balancer.Failover;

/// <summary>
/// Raises the failover loop's own thread to nice −10, as keepalived's <c>vrrp_priority</c> does for its VRRP process: on
/// a host whose CPUs are saturated by proxy work (or by a flood of forged adverts), the few microseconds an advert
/// needs must not wait behind everything else, or the peer sees a silence that is not there. The loop uses almost no
/// CPU otherwise. Linux only; needs CAP_SYS_NICE (root has it), and says once when it cannot.
/// </summary>
internal static class LoopPriority
{
    /// <summary>The nice value asked for: high, but below what audio and kernel helpers commonly take.</summary>
    public const int Nice = -10;

    private const int PrioProcess = 0;

    /// <summary>Raises the calling thread's priority; logs the outcome once.</summary>
    public static void RaiseCurrentThread(ILogger logger)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        try
        {
            // With PRIO_PROCESS and a thread id, setpriority(2) changes that thread alone (Linux threads are tasks).
            if (setpriority(PrioProcess, gettid(), Nice) == 0)
            {
                Log.FailoverLoopPriority(logger, Nice);
                return;
            }

            Log.FailoverLoopPriorityRefused(logger, Nice, Marshal.GetLastPInvokeError() == 13 ? "permission denied" : $"errno {Marshal.GetLastPInvokeError()}");
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            Log.FailoverLoopPriorityRefused(logger, Nice, e.Message);
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int setpriority(int which, int who, int prio);

    [DllImport("libc", SetLastError = true)]
    private static extern int gettid();
}
