using System.Runtime.InteropServices;

namespace Balancer.Linux;

/// <summary>
/// The scheduling calls for one thread: Linux threads are tasks, so sched_setscheduler(2) and setpriority(2) given a
/// thread id change that thread alone. Linux only.
/// </summary>
internal static class Scheduling
{
    /// <summary>Round-robin real-time policy: above every normal thread, time-sliced among equals (keepalived's choice).</summary>
    public const int SchedRr = 2;

    /// <summary>errno of a call the process has no right to make (no CAP_SYS_NICE, RLIMIT_RTPRIO too low).</summary>
    public const int Eperm = 1;

    private const int PrioProcess = 0;

    /// <summary>Puts the calling thread under <paramref name="policy"/> at <paramref name="priority"/>; 0 or an errno.</summary>
    public static int SetCurrentThreadScheduler(int policy, int priority)
    {
        var param = priority;
        return sched_setscheduler(gettid(), policy, ref param) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>Sets the calling thread's nice value; 0 or an errno.</summary>
    public static int SetCurrentThreadNice(int nice) => setpriority(PrioProcess, gettid(), nice) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>Names an errno of these calls for a log line.</summary>
    public static string Describe(int errno) => errno switch
    {
        Eperm => "not permitted",
        13 => "permission denied",
        22 => "invalid priority",
        _ => $"errno {errno}",
    };

    // struct sched_param is one int (sched_priority) on Linux.
    [DllImport("libc", SetLastError = true)]
    private static extern int sched_setscheduler(int pid, int policy, ref int param);

    [DllImport("libc", SetLastError = true)]
    private static extern int setpriority(int which, int who, int prio);

    [DllImport("libc", SetLastError = true)]
    private static extern int gettid();
}
