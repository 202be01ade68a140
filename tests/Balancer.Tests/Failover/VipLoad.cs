using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Balancer.Tests.Failover;

/// <summary>
/// An open-loop client in the client namespace: one GET to a virtual IP every 10 ms, each on a connection of its own
/// with a 1 s deadline (a lost one fails alone and never delays the schedule), until stopped — and at most 6000
/// requests or 60 s. It runs on a thread of its own that polls its sockets, never on the test host's thread pool: a
/// busy test run (other collections, the host's GC) can delay it, but never fail a request whose answer has arrived —
/// every wait looks at what the sockets hold before it judges a deadline, as the failover loop does.
/// </summary>
internal sealed class VipLoad : IDisposable
{
    private const int MaxRequests = 6000;
    private static readonly TimeSpan _every = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan _deadline = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan _maxRun = TimeSpan.FromSeconds(60);

    private readonly IPEndPoint _target;
    private readonly byte[] _request;
    private readonly Stopwatch _clock = new();
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _stop;
    private int _served;
    private int _failed;

    public VipLoad(NetnsTopology net, string virtualIp = NetnsTopology.VirtualIp, int port = 8080)
    {
        _target = new IPEndPoint(IPAddress.Parse(virtualIp), port);
        _request = Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: {virtualIp}:{port}\r\nConnection: close\r\n\r\n");
        var thread = new Thread(() => Run(net.Client)) { IsBackground = true, Name = $"load to {virtualIp}" };
        thread.Start();
    }

    /// <summary>Each failed request: when it was sent (ms after the load started), how long it took, and why.</summary>
    public IEnumerable<string> Failures => _failures;

    /// <summary>Time since the load started: to place a test's own steps among <see cref="Failures"/>.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Stops sending, waits for the requests in flight (each ends within its deadline), and counts.</summary>
    public async Task<(int Served, int Failed)> StopAsync()
    {
        _stop = true;
        await _done.Task;
        return (_served, _failed);
    }

    public void Dispose() => _stop = true;

    private void Run(string netns)
    {
        var inFlight = new List<Request>();
        try
        {
            NetnsSocket.Enter(netns);
            _clock.Start();
            var sent = 0;
            while (true)
            {
                var now = _clock.Elapsed;
                var sending = !_stop && sent < MaxRequests && now < _maxRun;
                for (; sending && sent < MaxRequests && _every * sent <= now; sent++)
                {
                    inFlight.Add(Start(now));
                }

                if (!sending && inFlight.Count == 0)
                {
                    return;
                }

                var wait = sending ? (_every * sent) - now : _every;
                Poll(inFlight, wait < TimeSpan.Zero ? TimeSpan.Zero : wait);
                Expire(inFlight, now);
            }
        }
        catch (Exception e)
        {
            _failures.Enqueue($"the load itself failed: {e}");
            _failed++;
        }
        finally
        {
            inFlight.ForEach(r => r.Socket.Dispose());
            _done.TrySetResult();
        }
    }

    private Request Start(TimeSpan now)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { Blocking = false, NoDelay = true };
        try
        {
            socket.Connect(_target);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
        {
            // Connecting: writable when done.
        }
        catch (SocketException e)
        {
            return new Request(socket, now) { Error = e.Message };
        }

        return new Request(socket, now);
    }

    /// <summary>Waits up to <paramref name="wait"/> for any socket, then moves every ready one on.</summary>
    private void Poll(List<Request> inFlight, TimeSpan wait)
    {
        var read = inFlight.Where(r => r.Connected && r.Error is null).Select(r => r.Socket).ToList();
        var write = inFlight.Where(r => !r.Connected && r.Error is null).Select(r => r.Socket).ToList();
        var error = new List<Socket>(write);
        if (read.Count + write.Count == 0)
        {
            Thread.Sleep(wait);
        }
        else
        {
            Socket.Select(read, write, error, (int)Math.Ceiling(wait.TotalMicroseconds));
        }

        foreach (var request in inFlight.ToList())
        {
            if (request.Error is not null)
            {
                Finish(inFlight, request, request.Error);
            }
            else if (!request.Connected && (write.Contains(request.Socket) || error.Contains(request.Socket)))
            {
                OnConnected(inFlight, request);
            }
            else if (request.Connected && read.Contains(request.Socket))
            {
                OnReadable(inFlight, request);
            }
        }
    }

    private void OnConnected(List<Request> inFlight, Request request)
    {
        var code = (SocketError)(int)request.Socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)!;
        if (code != SocketError.Success)
        {
            Finish(inFlight, request, $"connect: {code}");
            return;
        }

        request.Connected = true;
        try
        {
            request.Socket.Send(_request);
        }
        catch (SocketException e)
        {
            Finish(inFlight, request, $"send: {e.Message}");
        }
    }

    private void OnReadable(List<Request> inFlight, Request request)
    {
        var buffer = new byte[4096];
        while (true)
        {
            int length;
            try
            {
                length = request.Socket.Receive(buffer);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock)
            {
                return; // the rest of the answer is still on its way
            }
            catch (SocketException e)
            {
                Finish(inFlight, request, $"receive: {e.Message}");
                return;
            }

            if (length == 0)
            {
                // The server closed after its answer (Connection: close): the status line decides.
                var head = request.Head.ToString();
                Finish(inFlight, request, head.StartsWith("HTTP/1.1 2", StringComparison.Ordinal) ? null
                    : head.Length == 0 ? "closed without an answer" : $"answered {head.Split('\r')[0]}");
                return;
            }

            request.Head.Append(Encoding.ASCII.GetString(buffer, 0, Math.Min(length, 64 - Math.Min(64, request.Head.Length))));
        }
    }

    /// <summary>Fails what got no answer within its deadline by <paramref name="polledAt"/>: the sockets were polled after that.</summary>
    private void Expire(List<Request> inFlight, TimeSpan polledAt)
    {
        foreach (var request in inFlight.Where(r => polledAt - r.Sent > _deadline).ToList())
        {
            Finish(inFlight, request, request.Connected ? "no answer within 1 s" : "not connected within 1 s");
        }
    }

    private void Finish(List<Request> inFlight, Request request, string? error)
    {
        inFlight.Remove(request);
        request.Socket.Dispose();
        if (error is null)
        {
            _served++;
            return;
        }

        _failed++;
        _failures.Enqueue($"sent at {request.Sent.TotalMilliseconds:0} ms, failed after {(_clock.Elapsed - request.Sent).TotalMilliseconds:0} ms: {error}");
    }

    private sealed class Request(Socket socket, TimeSpan sent)
    {
        public Socket Socket { get; } = socket;

        public TimeSpan Sent { get; } = sent;

        public bool Connected { get; set; }

        public string? Error { get; set; }

        public StringBuilder Head { get; } = new();
    }
}
