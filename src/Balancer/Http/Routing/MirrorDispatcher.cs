using System.Threading.Channels;
using Balancer.Core.LoadBalancing;
using Balancer.Core.Model;
using Balancer.Core.Routing;

namespace Balancer.Http.Routing;

/// <summary>
/// Sends one listener's mirrored copies (NGINX's <c>mirror</c>, Envoy's request mirroring) so that the primary request
/// never waits for them: copies go into a bounded queue that a fixed set of senders drains; a full queue drops the
/// copy (counted), and so does a shadow pool with no backend free — its own health checks and
/// <c>maxRequestsPerBackend</c> decide, as for any pool. Answers are read and discarded; a copy that gets none within
/// <see cref="CopyTimeout"/> is counted failed and fails the shadow backend's request, never the client's.
/// </summary>
internal sealed class MirrorDispatcher : IAsyncDisposable
{
    /// <summary>Copies waiting to be sent, at most: past this the newest are dropped.</summary>
    public const int QueueCapacity = 1024;

    /// <summary>Copies in flight to shadow backends at once, at most.</summary>
    public const int Senders = 32;

    /// <summary>How long a copy may take, from sending to the end of its answer.</summary>
    public static readonly TimeSpan CopyTimeout = TimeSpan.FromSeconds(10);

    private readonly Channel<MirrorCopy> _queue = Channel.CreateBounded<MirrorCopy>(new BoundedChannelOptions(QueueCapacity) { FullMode = BoundedChannelFullMode.Wait });
    private readonly CancellationTokenSource _stop = new();
    private readonly PoolRegistry _pools;
    private readonly Task[] _senders;

    public MirrorDispatcher(PoolRegistry pools)
    {
        _pools = pools;
        _senders = [.. Enumerable.Range(0, Senders).Select(_ => Task.Run(SendLoopAsync))];
    }

    /// <summary>Queues <paramref name="copy"/>, or drops it (counted) when the queue is full. Never waits.</summary>
    public void Enqueue(MirrorCopy copy)
    {
        if (!_queue.Writer.TryWrite(copy))
        {
            Drop(copy, MirrorOutcome.Dropped);
        }
    }

    /// <summary>Drops <paramref name="copy"/> with <paramref name="outcome"/> counted against its route.</summary>
    public static void Drop(MirrorCopy copy, MirrorOutcome outcome)
    {
        copy.Stats.OnMirror(outcome);
        copy.Message.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_queue.Writer.TryComplete())
        {
            return; // already stopped
        }

        await _stop.CancelAsync();
        await Task.WhenAll(_senders);
        while (_queue.Reader.TryRead(out var copy))
        {
            Drop(copy, MirrorOutcome.Dropped);
        }

        _stop.Dispose();
    }

    private async Task SendLoopAsync()
    {
        try
        {
            while (await _queue.Reader.WaitToReadAsync(_stop.Token))
            {
                while (_queue.Reader.TryRead(out var copy))
                {
                    await SendAsync(copy);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    private async Task SendAsync(MirrorCopy copy)
    {
        var pool = _pools.Get(copy.Pool);
        var backend = pool is null ? null : ConnectionPicker.PickAndStart(pool.Snapshot, pool.Config.MaxRequestsPerBackend, avoid: null);
        if (backend is null)
        {
            Drop(copy, MirrorOutcome.Dropped);
            return;
        }

        var failed = true;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(CopyTimeout);
        try
        {
            copy.Target(backend.Address);
            using var response = await copy.Client.SendAsync(copy.Message, timeout.Token);
            await response.Content.CopyToAsync(Stream.Null, timeout.Token);
            failed = false;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException or InvalidOperationException or UriFormatException)
        {
            // Counted below; the shadow pool's own health checks decide whether the backend stays in.
        }
        finally
        {
            backend.OnFinished(failed);
            copy.Stats.OnMirror(failed ? MirrorOutcome.Failed : MirrorOutcome.Sent);
            copy.Message.Dispose();
        }
    }
}
