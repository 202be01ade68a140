using System.Diagnostics;

namespace Balancer.Tests.Failover;

/// <summary>
/// An open-loop client in the client namespace: one GET to the virtual IP every 10 ms, each with its own 1 s deadline
/// (a lost one fails alone and never delays the schedule), until stopped — and at most 6000 requests or 60 s.
/// </summary>
internal sealed class VipLoad : IDisposable
{
    private readonly HttpClient _client;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly List<Task<bool>> _requests = [];

    public VipLoad(NetnsTopology net)
    {
        _client = NetnsSocket.HttpClient(net.Client, TimeSpan.FromSeconds(1));
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Stops sending, waits for the requests in flight, and counts.</summary>
    public async Task<(int Served, int Failed)> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        var results = await Task.WhenAll(_requests);
        return (results.Count(ok => ok), results.Count(ok => !ok));
    }

    public void Dispose()
    {
        _stop.Cancel();
        _client.Dispose();
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 6000 && !_stop.IsCancellationRequested && clock.Elapsed < TimeSpan.FromSeconds(60); i++)
        {
            _requests.Add(GetAsync());
            var next = TimeSpan.FromMilliseconds(10 * (i + 1)) - clock.Elapsed;
            if (next > TimeSpan.Zero)
            {
                await Task.Delay(next).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task<bool> GetAsync()
    {
        try
        {
            using var response = await _client.GetAsync(new Uri($"http://{NetnsTopology.VirtualIp}:8080/"));
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }
}
