using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Balancer.Tests.ScaleOut;

/// <summary>
/// Creates TCP sockets inside a network namespace from this process: a thread of its own enters the namespace with
/// setns(2) (a thread's network namespace is its own) and creates every socket there; a socket keeps the namespace it
/// was created in, so it is then used from any thread. So a test measures from a client namespace with exact timings,
/// without a child process per request.
/// </summary>
public sealed class NetnsSockets : IDisposable
{
    private const int CloneNewNet = 0x40000000;
    private readonly BlockingCollection<TaskCompletionSource<Socket>> _requests = [];
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public NetnsSockets(string netns)
    {
        Netns = netns;
        new Thread(() => Run(netns)) { IsBackground = true, Name = $"sockets in {netns}" }.Start();
        _entered.Task.Wait(TimeSpan.FromSeconds(10));
    }

    public string Netns { get; }

    /// <summary>A new IPv4 TCP socket in the namespace, Nagle off.</summary>
    public Task<Socket> CreateAsync()
    {
        var request = new TaskCompletionSource<Socket>(TaskCreationOptions.RunContinuationsAsynchronously);
        _requests.Add(request);
        return request.Task;
    }

    public void Dispose() => _requests.CompleteAdding();

    private void Run(string netns)
    {
        try
        {
            using var handle = File.OpenHandle($"/run/netns/{netns}");
            if (setns((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
            {
                throw new IOException($"setns({netns}): errno {Marshal.GetLastPInvokeError()}");
            }

            _entered.SetResult();
        }
        catch (Exception e)
        {
            _entered.TrySetException(e);
            foreach (var request in _requests.GetConsumingEnumerable())
            {
                request.SetException(e);
            }

            return;
        }

        foreach (var request in _requests.GetConsumingEnumerable())
        {
            try
            {
                request.SetResult(new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true });
            }
            catch (SocketException e)
            {
                request.SetException(e);
            }
        }
    }

#pragma warning disable SA1300, IDE1006 // libc's own name
    [DllImport("libc", SetLastError = true)]
    private static extern int setns(int fd, int nstype);
#pragma warning restore SA1300, IDE1006
}
