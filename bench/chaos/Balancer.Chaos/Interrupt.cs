using System.Runtime.InteropServices;

namespace Balancer.Chaos;

/// <summary>
/// What a run that is interrupted (SIGINT, SIGTERM, SIGHUP) must still undo: every child it started is killed by PID and
/// every network namespace it made is deleted, before the process exits as the signal asks. A SIGTERM to the driver
/// left both nodes, the client, the backend, the address monitors and five namespaces behind.
/// </summary>
internal static class Interrupt
{
    private static readonly List<Action> s_cleanups = [];
    private static readonly List<PosixSignalRegistration> s_registrations = [];

    /// <summary>Handles the three signals once for the process.</summary>
    public static void Install()
    {
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP })
        {
            s_registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                // Not on the signal's own thread: reaping the killed children needs it (the handler waited for them
                // there and hung). The process exits when the cleanup is done, with the shell's code for the signal.
                context.Cancel = true;
                new Thread(() =>
                {
                    Console.WriteLine($"chaos run interrupted by {signal}: stopping what it started");
                    ChildProcess.KillAll();
                    RunCleanups();
                    Environment.Exit(128 + (signal == PosixSignal.SIGINT ? 2 : signal == PosixSignal.SIGTERM ? 15 : 1));
                }) { IsBackground = true, Name = "interrupt" }.Start();
            }));
        }
    }

    /// <summary>Registers <paramref name="cleanup"/> to run on an interrupt (last registered, first run); it must tolerate running after its normal disposal.</summary>
    public static void OnInterrupt(Action cleanup)
    {
        lock (s_cleanups)
        {
            s_cleanups.Add(cleanup);
        }
    }

    private static void RunCleanups()
    {
        lock (s_cleanups)
        {
            foreach (var cleanup in s_cleanups.AsEnumerable().Reverse())
            {
                try
                {
                    cleanup();
                }
                catch (Exception e) when (e is InvalidOperationException or IOException)
                {
                }
            }

            s_cleanups.Clear();
        }
    }
}
