using Balancer.Admin.Timeline;
using Balancer.Core.Configuration;
using Balancer.Core.Health;
using Balancer.Core.Model;
using Balancer.Telemetry;

namespace Balancer.Health;

/// <summary>
/// Runs the active probes of every pool: one loop per backend, the first probe at once (a new
/// backend takes no traffic before it passes), then every <c>interval</c> with ±10 % jitter so
/// probes of many backends do not fire together. Results go to the pool's health monitor.
/// </summary>
internal sealed class HealthChecker : IAsyncDisposable
{
    private const double Jitter = 0.1;
    private readonly object _lock = new();
    private readonly Dictionary<BackendState, (CancellationTokenSource Stop, Task Loop, Task FirstProbe)> _loops = [];
    private readonly HttpMessageInvoker _httpClient = HttpProbe.CreateClient();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<string, IProbe> _probeFor;
    private readonly EventTimeline? _timeline;

    /// <param name="time">The clock of the probe intervals.</param>
    /// <param name="logger">Where health transitions are logged.</param>
    /// <param name="probeFor">The probe of a probe kind (<c>http</c>, <c>grpc</c>, <c>tcp</c>); the real ones when null (tests pass stubs).</param>
    /// <param name="timeline">Where health transitions and panic mode are reported for the dashboard.</param>
    /// <remarks>Probe results and ejections are counted on the backend's state (<c>BackendState.OnProbed</c>, <c>OnEjected</c>), which /metrics observes.</remarks>
    public HealthChecker(TimeProvider time, ILogger logger, Func<string, IProbe>? probeFor = null, EventTimeline? timeline = null)
    {
        _timeline = timeline;
        _time = time;
        _logger = logger;
        _probeFor = probeFor ?? (kind => kind switch
        {
            ProbeKinds.Http => new HttpProbe(_httpClient),
            ProbeKinds.Grpc => new GrpcProbe(_httpClient),
            _ => new TcpProbe(),
        });
    }

    /// <summary>Starts probing every backend of <paramref name="pool"/> that is not probed yet, and logs its transitions.</summary>
    public void Watch(Pool pool)
    {
        pool.Health.Changed += OnChanged;
        pool.Health.PanicChanged += OnPanicChanged;
        foreach (var backend in pool.Snapshot.All)
        {
            Watch(pool, backend);
        }
    }

    /// <summary>Starts probing one backend (no-op when its pool has no active probe or it is probed already).</summary>
    public void Watch(Pool pool, BackendState backend)
    {
        if (pool.Config.Health is not { Probe: not ProbeKinds.None } health)
        {
            return;
        }

        var probe = _probeFor(health.Probe);
        lock (_lock)
        {
            if (_loops.ContainsKey(backend))
            {
                return;
            }

            var stop = new CancellationTokenSource();
            var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _loops[backend] = (stop, Task.Run(() => Loop(pool, backend, probe, first, stop.Token)), first.Task);
        }
    }

    /// <summary>Restarts the probe loops of a pool whose probe kind a reload changed.</summary>
    public async Task RestartAsync(Pool pool)
    {
        foreach (var backend in pool.Snapshot.All)
        {
            await UnwatchAsync(backend);
        }

        foreach (var backend in pool.Snapshot.All.Where(b => !b.Removed))
        {
            Watch(pool, backend);
        }
    }

    /// <summary>
    /// Waits until every probed backend has had its first probe, at most <paramref name="limit"/> (Envoy's cluster warming
    /// waits for the first health checks the same way): a process that starts serving with its backends unknown answers
    /// 503 until they are probed. Returns how many were probed and how many there are.
    /// </summary>
    public async Task<(int Probed, int Total)> FirstProbesAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        Task[] firsts;
        lock (_lock)
        {
            firsts = [.. _loops.Values.Select(l => l.FirstProbe)];
        }

        try
        {
            await Task.WhenAll(firsts).WaitAsync(limit, _time, cancellationToken);
        }
        catch (TimeoutException)
        {
        }

        return (firsts.Count(t => t.IsCompleted), firsts.Length);
    }

    /// <summary>Stops probing a backend (removed by a reload, or its pool's probe changed).</summary>
    public async Task UnwatchAsync(BackendState backend)
    {
        (CancellationTokenSource Stop, Task Loop, Task FirstProbe) entry;
        lock (_lock)
        {
            if (!_loops.Remove(backend, out entry))
            {
                return;
            }
        }

        await entry.Stop.CancelAsync();
        await entry.Loop;
        entry.Stop.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        List<BackendState> all;
        lock (_lock)
        {
            all = [.. _loops.Keys];
        }

        foreach (var backend in all)
        {
            await UnwatchAsync(backend);
        }

        _httpClient.Dispose();
    }

    private async Task Loop(Pool pool, BackendState backend, IProbe probe, TaskCompletionSource first, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                // Read the config each round: a reload may change interval, timeout, rise, fall.
                var health = pool.Config.Health ?? new HealthConfig();
                ProbeResult result;
                using (var activity = BalancerActivities.Source.StartActivity("health probe", System.Diagnostics.ActivityKind.Client))
                {
                    activity?.SetTag("balancer.pool", pool.Name).SetTag("balancer.backend", backend.Address).SetTag("balancer.probe", health.Probe);
                    result = await probe.ProbeAsync(backend.Address, health, pool.Config.HttpVersion, stop);
                    activity?.SetTag("balancer.probe.result", result.Detail).SetStatus(result.Success ? System.Diagnostics.ActivityStatusCode.Ok : System.Diagnostics.ActivityStatusCode.Error);
                }

                if (stop.IsCancellationRequested)
                {
                    return;
                }

                pool.Health.OnProbe(backend, result);
                first.TrySetResult();
                var jitter = 1 + (Jitter * ((Random.Shared.NextDouble() * 2) - 1));
                await Task.Delay(health.Interval * jitter, _time, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            first.TrySetResult(); // a backend no longer probed is waited for no more
        }
    }

    private void OnChanged(HealthTransition transition)
    {
        _timeline?.HealthChanged(transition);
        if (transition.To == BackendHealth.Up)
        {
            Log.BackendUp(_logger, transition.Backend.Pool, transition.Backend.Address, transition.Reason);
        }
        else
        {
            Log.BackendDown(_logger, transition.Backend.Pool, transition.Backend.Address, transition.Reason);
        }
    }

    private void OnPanicChanged(Pool pool, bool panic)
    {
        _timeline?.PanicChanged(pool, panic);
        if (panic)
        {
            Log.PanicEntered(_logger, pool.Name, pool.Snapshot.All.Count(b => b.Health == BackendHealth.Up), pool.Snapshot.All.Length, pool.Config.PanicThreshold);
        }
        else
        {
            Log.PanicLeft(_logger, pool.Name);
        }
    }
}
