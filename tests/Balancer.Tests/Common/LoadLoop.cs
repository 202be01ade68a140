namespace Balancer.Tests.Common;

/// <summary>Requests sent in a loop on a few connections until stopped, or at most <see cref="MaxRequests"/> or <see cref="MaxTime"/>.</summary>
public sealed class LoadLoop : IAsyncDisposable
{
    public const int MaxRequests = 200_000;

    public static readonly TimeSpan MaxTime = TimeSpan.FromSeconds(60);

    private readonly CancellationTokenSource _stop = new(MaxTime);
    private readonly Task[] _workers;
    private int _sent;

    private LoadLoop(HttpClient client, string path, int connections) =>
        _workers = [.. Enumerable.Range(0, connections).Select(_ => Task.Run(() => RunAsync(client, path)))];

    public int Sent => Volatile.Read(ref _sent);

    public static LoadLoop Start(HttpClient client, string path = "/", int connections = 4) => new(client, path, connections);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
        _stop.Dispose();
    }

    private async Task RunAsync(HttpClient client, string path)
    {
        while (!_stop.IsCancellationRequested && Interlocked.Increment(ref _sent) <= MaxRequests)
        {
            try
            {
                using var response = await client.GetAsync(path, _stop.Token);
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
                // A backend killed on purpose: the next request goes on.
            }
        }
    }
}
