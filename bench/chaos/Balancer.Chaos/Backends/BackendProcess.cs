namespace Balancer.Chaos.Backends;

/// <summary>
/// The driver's handle on one chaos backend: its fixed port (a restart binds the same one), its counts file, the
/// running process if any, and the calls that steer it.
/// </summary>
internal sealed class BackendProcess(int index, int port, string workDirectory, string driverDll) : IDisposable
{
    private static readonly HttpClient s_control = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromSeconds(5) })
    {
        Timeout = TimeSpan.FromSeconds(5),
    };

    private ChildProcess? _process;

    public int Index { get; } = index;

    public string Name => $"b{Index}";

    public int Port { get; } = port;

    /// <summary>The backend's address as the config writes it.</summary>
    public string Address => $"http://127.0.0.1:{Port}";

    public SharedCounters Counters { get; } = SharedCounters.Open(Path.Combine(workDirectory, $"b{index}.counts"));

    public bool Running => _process is { HasExited: false };

    /// <summary>Starts the process and waits until it answers (and has served a few calls, so its JIT is warm).</summary>
    public async Task StartAsync(TimeSpan timeout)
    {
        _process = ChildProcess.Start(Path.Combine(workDirectory, $"{Name}.log"),
            ["dotnet", driverDll, "backend", "--port", $"{Port}", "--counters", Path.Combine(workDirectory, $"{Name}.counts"), "--name", Name]);
        var deadline = DateTime.UtcNow + timeout;
        var answered = 0;
        while (answered < 3)
        {
            if (DateTime.UtcNow > deadline || _process.HasExited)
            {
                throw new InvalidOperationException($"{Name} did not start on port {Port} (see {_process.Log})");
            }

            answered = await Call("ping") ? answered + 1 : 0;
            if (answered == 0)
            {
                await Task.Delay(50);
            }
        }
    }

    /// <summary>SIGKILL: the process dies with its connections.</summary>
    public void Kill() => _process?.KillNow();

    public Task<bool> SetHealthAsync(bool pass) => Call($"health?pass={(pass ? 1 : 0)}");

    public Task<bool> SetSlowAsync(int milliseconds) => Call($"slow?ms={milliseconds}");

    public Task<bool> ResetConnectionsAsync() => Call("reset");

    public void Dispose()
    {
        Kill();
        Counters.Dispose();
    }

    private async Task<bool> Call(string what)
    {
        try
        {
            using var response = await s_control.GetAsync(new Uri($"{Address}/_chaos/{what}"));
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }
}
