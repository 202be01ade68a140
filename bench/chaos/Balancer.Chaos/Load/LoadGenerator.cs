using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;

namespace Balancer.Chaos.Load;

/// <summary>
/// Steady keep-alive load through Balancer: <c>connections</c> workers on one pooled client, together paced to
/// <c>rate</c> requests per second; idempotent GETs and, one in <c>postEvery</c>, a POST with a body of 256 B–32 KiB
/// whose length and hash the backend must echo. Every answer is checked; what fails is kept with its times.
/// </summary>
internal sealed class LoadGenerator : IAsyncDisposable
{
    private readonly HttpClient _client;
    private readonly Uri _target;
    private readonly Stopwatch _clock;
    private readonly int _connections;
    private readonly double _rate;
    private readonly int _postEvery;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<RequestFailure> _failures = new();
    private readonly List<Task> _workers = [];
    private long _gets;
    private long _posts;
    private long _ok;

    public LoadGenerator(Uri target, Stopwatch clock, int connections, double rate, int postEvery)
    {
        _target = target;
        _clock = clock;
        _connections = connections;
        _rate = rate;
        _postEvery = postEvery;
        _client = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            MaxConnectionsPerServer = connections,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        })
        { Timeout = TimeSpan.FromSeconds(15) };
    }

    public long Gets => Interlocked.Read(ref _gets);

    public long Posts => Interlocked.Read(ref _posts);

    public long Ok => Interlocked.Read(ref _ok);

    public IReadOnlyCollection<RequestFailure> Failures => _failures;

    /// <summary>Requests the balancer answered or failed so far (sent and finished).</summary>
    public long Finished => Ok + _failures.Count;

    public void Start(int seed)
    {
        for (var i = 0; i < _connections; i++)
        {
            var random = new Random(HashCode.Combine(seed, i));
            _workers.Add(Task.Run(() => WorkAsync(random, _stop.Token)));
        }
    }

    /// <summary>Stops sending and waits for the requests in flight.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
        _client.Dispose();
        _stop.Dispose();
    }

    private async Task WorkAsync(Random random, CancellationToken stop)
    {
        var period = TimeSpan.FromSeconds(_connections / _rate);
        var next = _clock.Elapsed + (period * random.NextDouble());
        var sequence = 0L;
        while (!stop.IsCancellationRequested)
        {
            var wait = next - _clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }

            // Late (a slow answer): carry on from now, never in a burst.
            next = TimeSpan.FromTicks(Math.Max(next.Ticks, _clock.Elapsed.Ticks - period.Ticks)) + period;
            sequence++;
            await (sequence % _postEvery == 0 ? PostAsync(random, sequence) : GetAsync(sequence));
        }
    }

    private async Task GetAsync(long sequence)
    {
        Interlocked.Increment(ref _gets);
        var start = _clock.ElapsedMilliseconds;
        try
        {
            using var response = await _client.GetAsync(new Uri(_target, $"/load/{sequence}"));
            var body = await response.Content.ReadAsStringAsync();
            var backend = Backend(response);
            Check("GET", start, response, backend, backend is not null && body.StartsWith(backend + " /load/", StringComparison.Ordinal), body);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            Fail("GET", start, Describe(e), null);
        }
    }

    private async Task PostAsync(Random random, long sequence)
    {
        Interlocked.Increment(ref _posts);
        var body = new byte[random.Next(256, 32 * 1024)];
        random.NextBytes(body);
        var expected = $"{body.Length} {Convert.ToHexStringLower(SHA256.HashData(body))[..16]}";
        var start = _clock.ElapsedMilliseconds;
        try
        {
            using var content = new ByteArrayContent(body);
            content.Headers.Add("X-Body-Hash", expected[(expected.IndexOf(' ', StringComparison.Ordinal) + 1)..]);
            using var response = await _client.PostAsync(new Uri(_target, $"/load/{sequence}"), content);
            var answer = await response.Content.ReadAsStringAsync();
            Check("POST", start, response, Backend(response), answer == expected, answer);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            Fail("POST", start, Describe(e), null);
        }
    }

    private void Check(string method, long start, HttpResponseMessage response, string? backend, bool bodyRight, string body)
    {
        if (response.IsSuccessStatusCode && bodyRight)
        {
            Interlocked.Increment(ref _ok);
            return;
        }

        var what = response.IsSuccessStatusCode ? $"wrong answer '{Trim(body)}'" : $"{(int)response.StatusCode} '{Trim(body)}'";
        Fail(method, start, what, backend);
    }

    private void Fail(string method, long start, string what, string? backend) =>
        _failures.Enqueue(new RequestFailure(method, start, _clock.ElapsedMilliseconds, what, backend, DateTime.UtcNow.AddMilliseconds(start - _clock.ElapsedMilliseconds)));

    private static string? Backend(HttpResponseMessage response) =>
        response.Headers.TryGetValues("X-Backend", out var values) ? values.FirstOrDefault() : null;

    private static string Trim(string text) => (text.Length > 80 ? text[..80] : text).Trim();

    private static string Describe(Exception e)
    {
        var inner = e;
        while (inner.InnerException is not null)
        {
            inner = inner.InnerException;
        }

        return e is TaskCanceledException ? "client timeout (15 s)" : $"{e.GetType().Name}: {inner.Message}";
    }
}
