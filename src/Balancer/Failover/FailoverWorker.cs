using System.Collections.Concurrent;
using Balancer.Telemetry;

namespace Balancer.Failover;

/// <summary>
/// The thread that runs the slow side effects (ip, arping, notify hooks) one at a time, in the order they were
/// queued, each to its end (a command's own timeout bounds it): off the loop, so adverts are never late.
/// </summary>
internal sealed class FailoverWorker
{
    private readonly BlockingCollection<Func<Task>> _work = [];
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ILogger _logger;

    public FailoverWorker(ILogger logger)
    {
        _logger = logger;

        // A thread of its own, not the pool's: the virtual IPs must not queue behind proxy work.
        new Thread(Run) { IsBackground = true, Name = "failover worker" }.Start();
    }

    /// <summary>Queues <paramref name="work"/>; dropped once <see cref="CompleteAsync"/> has begun.</summary>
    public void Enqueue(Func<Task> work)
    {
        if (!_work.IsAddingCompleted)
        {
            try
            {
                _work.Add(work);
            }
            catch (InvalidOperationException)
            {
                // Completed meanwhile: shutting down, nothing more to do.
            }
        }
    }

    /// <summary>Takes no more work and waits, at most <paramref name="bound"/>, for what is queued to finish.</summary>
    public Task CompleteAsync(TimeSpan bound)
    {
        _work.CompleteAdding();
        return _done.Task.WaitAsync(bound).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private void Run()
    {
        foreach (var work in _work.GetConsumingEnumerable())
        {
            try
            {
                work().GetAwaiter().GetResult();
            }
            catch (Exception e)
            {
                Log.FailoverCommandFailed(_logger, "(failover action)", e.Message);
            }
        }

        _done.TrySetResult();
    }
}
