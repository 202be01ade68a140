using System.Diagnostics;

namespace Balancer.Chaos.Pair;

/// <summary>A long-running command whose output lines the run reads as they come (ip monitor, the client); killed by PID on dispose.</summary>
internal sealed class LineProcess : IDisposable
{
    private readonly Process _process;

    public LineProcess(Action<string> onLine, string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        _process = Process.Start(info)!;
        Interrupt.OnInterrupt(Dispose); // not a ChildProcess: killed by its own handle on an interrupt
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                onLine(line);
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                onLine("stderr: " + line);
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public bool HasExited => _process.HasExited;

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }

        _process.Dispose();
    }
}
