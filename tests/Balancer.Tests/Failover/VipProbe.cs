using System.Diagnostics;

namespace Balancer.Tests.Failover;

/// <summary>
/// An open-loop client in the client namespace for active-active (#23): one GET to each virtual IP every 10 ms, each on
/// a new connection (as bench/failover does: what a new client meets, not a kept-alive connection that a moved address
/// breaks by nature) with its own 1 s deadline, recording per request when it was sent, whether it was served and by which backend
/// (<c>X-Backend</c>), until stopped — at most 6000 rounds or 60 s. Outages are measured from these records, so that a
/// test's own slow steps on a loaded machine do not count.
/// </summary>
internal sealed class VipProbe : IDisposable
{
    private readonly HttpClient _client;
    private readonly string[] _vips;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly List<Task<Sample>> _requests = [];

    public VipProbe(NetnsTopology net, params string[] vips)
    {
        _vips = vips;
        _client = NetnsSocket.HttpClient(net.Client, TimeSpan.FromSeconds(1));
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Time on the probe's clock, comparable with <see cref="Sample.SentAt"/>.</summary>
    public TimeSpan Now => _clock.Elapsed;

    /// <summary>Stops sending, waits for the requests in flight, and returns every sample in send order.</summary>
    public async Task<IReadOnlyList<Sample>> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        return await Task.WhenAll(_requests);
    }

    /// <summary>
    /// The longest outage of <paramref name="vip"/> from <paramref name="from"/> on: for each run of failed requests, from
    /// the last served request before it to the first served after it, by send time (zero when none failed); and how many failed.
    /// </summary>
    public static (TimeSpan Outage, int Failed) Outage(IReadOnlyList<Sample> samples, string vip, TimeSpan from)
    {
        var mine = samples.Where(s => s.Vip == vip && s.SentAt >= from).OrderBy(s => s.SentAt).ToList();
        var (longest, failed) = (TimeSpan.Zero, 0);
        TimeSpan? lastServed = null;
        var inRun = false;
        foreach (var sample in mine)
        {
            if (sample.Backend is null)
            {
                failed++;
                inRun = true;
                lastServed ??= from;
            }
            else
            {
                if (inRun && sample.SentAt - lastServed!.Value > longest)
                {
                    longest = sample.SentAt - lastServed.Value;
                }

                (inRun, lastServed) = (false, sample.SentAt);
            }
        }

        return (inRun ? TimeSpan.MaxValue : longest, failed);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _client.Dispose();
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        for (var i = 0; i < 6000 && !_stop.IsCancellationRequested && _clock.Elapsed < TimeSpan.FromSeconds(60); i++)
        {
            foreach (var vip in _vips)
            {
                _requests.Add(GetAsync(vip));
            }

            var next = TimeSpan.FromMilliseconds(10 * (i + 1)) - _clock.Elapsed;
            if (next > TimeSpan.Zero)
            {
                await Task.Delay(next).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task<Sample> GetAsync(string vip)
    {
        var sent = _clock.Elapsed;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://{vip}:8080/"));
            request.Headers.ConnectionClose = true;
            using var response = await _client.SendAsync(request);
            var backend = response.IsSuccessStatusCode && response.Headers.TryGetValues("X-Backend", out var names) ? names.FirstOrDefault() ?? "?" : null;
            return new Sample(vip, sent, _clock.Elapsed - sent, backend);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return new Sample(vip, sent, _clock.Elapsed - sent, null);
        }
    }

    /// <summary>One request: to which virtual IP, when it was sent, how long it took, and the backend that served it (null: failed).</summary>
    public readonly record struct Sample(string Vip, TimeSpan SentAt, TimeSpan Latency, string? Backend);
}
