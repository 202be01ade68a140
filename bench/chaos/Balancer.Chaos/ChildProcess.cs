using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Balancer.Chaos;

/// <summary>
/// A process the chaos run started, its output appended to a log file; signalled by its own PID only. Every child
/// is remembered so that the run stops exactly the processes it started, also when it fails or is interrupted.
/// </summary>
internal sealed partial class ChildProcess
{
    public const int SigHup = 1;
    public const int SigKill = 9;
    public const int SigTerm = 15;
    public const int SigCont = 18;
    public const int SigStop = 19;

    private static readonly List<ChildProcess> s_all = [];
    private readonly Process _process;

    private ChildProcess(Process process, string log)
    {
        _process = process;
        Log = log;
    }

    public int Pid => _process.Id;

    public string Log { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Starts <paramref name="command"/> through <c>sh -c exec</c> (so the PID is the command's), output to <paramref name="log"/>.</summary>
    public static ChildProcess Start(string log, IReadOnlyList<string> command, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardInput = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("exec \"$@\" >>\"$LOG\" 2>&1");
        info.ArgumentList.Add("sh");
        foreach (var arg in command)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["LOG"] = log;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        var child = new ChildProcess(Process.Start(info)!, log);
        lock (s_all)
        {
            s_all.Add(child);
        }

        return child;
    }

    /// <summary>Sends a signal to this process (and only this one).</summary>
    public void Signal(int signal)
    {
        if (!_process.HasExited)
        {
            _ = Kill(_process.Id, signal);
        }
    }

    /// <summary>SIGKILL, then reaps the process.</summary>
    public void KillNow()
    {
        Signal(SigKill);
        _process.WaitForExit(5000);
    }

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Resident memory (KiB) and open file descriptors, from /proc; zeros once the process is gone.</summary>
    public (long RssKib, int Fds) Resources()
    {
        try
        {
            var rss = File.ReadLines($"/proc/{Pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            var kib = long.Parse(rss.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
            return (kib, Directory.GetFiles($"/proc/{Pid}/fd").Length);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return (0, 0);
        }
    }

    /// <summary>Kills every child still running (SIGKILL, by PID): the run's exit path.</summary>
    public static void KillAll()
    {
        lock (s_all)
        {
            foreach (var child in s_all)
            {
                try
                {
                    child.KillNow();
                }
                catch (InvalidOperationException)
                {
                }
            }

            s_all.Clear();
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
