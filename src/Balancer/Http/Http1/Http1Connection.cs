using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Balancer.Core.Http1;

namespace Balancer.Http.Http1;

/// <summary>
/// One keep-alive HTTP/1.1 connection to a backend: the socket, a read buffer for the response being read (heads are
/// parsed in place), and a cancellation source reused for every request that fires on the activity timeout or when
/// the client goes away. Used by one request at a time; the pool hands it from one to the next.
/// The read buffer is rented from <see cref="ArrayPool{T}.Shared"/> only once the backend's response is readable (a
/// zero-byte receive waits for it) and returned when the response has been read: a connection waiting for its backend
/// or idle in its pool holds none, so 1,000 requests in flight hold a few buffers, not 1,000 (#27), as Kestrel and
/// SocketsHttpHandler do.
/// </summary>
internal sealed class Http1Connection : IDisposable
{
    private const int InitialBufferSize = 16 * 1024;

    // Room for a head at SocketsHttpHandler's limit plus what arrived behind it.
    private const int MaxBufferSize = ResponseHeadParser.DefaultMaxLength + InitialBufferSize;

    private readonly Socket _socket;
    private readonly CancellationTokenSource _cancellation;
    private byte[]? _buffer;
    private int _start;
    private int _end;
    private CancellationTokenRegistration _abortRegistration;

    private Http1Connection(Socket socket, TimeProvider time)
    {
        _socket = socket;
        _cancellation = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
    }

    /// <summary>The head of the response being read.</summary>
    public ResponseHead Head { get; } = new();

    /// <summary>The de-chunker of the response being read.</summary>
    public ChunkedDecoder Chunked { get; } = new();

    /// <summary>Header values of the last response, reused while the backend repeats them (see <see cref="ResponseHeaderNames"/>).</summary>
    public string?[] ValueCache { get; } = new string?[ResponseHeaderNames.CachedCount];

    /// <summary>When the connection was last returned to its pool (<see cref="TimeProvider.GetTimestamp"/>).</summary>
    public long IdleSince { get; set; }

    /// <summary>Cancelled on the activity timeout or when the client aborts, for the current request.</summary>
    public CancellationToken Token => _cancellation.Token;

    /// <summary>Whether a read buffer is rented now (between the first bytes of a response and its end).</summary>
    internal bool HoldsBuffer => _buffer is not null;

    /// <summary>The unread bytes received so far.</summary>
    public Memory<byte> Buffered => _buffer is null ? Memory<byte>.Empty : _buffer.AsMemory(_start, _end - _start);

    /// <summary>Connects with Nagle off: request heads are written whole, and a delayed small write costs 40 ms.</summary>
    public static async ValueTask<Http1Connection> ConnectAsync(EndPoint endpoint, TimeProvider time, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endpoint, cancellationToken);
            return new Http1Connection(socket, time);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Arms the activity timeout and ties the connection to the client's request for one exchange.</summary>
    public void BeginRequest(CancellationToken requestAborted, TimeSpan activityTimeout)
    {
        _cancellation.CancelAfter(activityTimeout);
        _abortRegistration = requestAborted.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), _cancellation);
    }

    /// <summary>Pushes the activity timeout back after progress, as YARP's activity timeout does.</summary>
    public void Progress(TimeSpan activityTimeout) => _cancellation.CancelAfter(activityTimeout);

    /// <summary>
    /// Ends the exchange (returning the read buffer when nothing is left in it); false when it was cancelled (the
    /// connection must then be closed).
    /// </summary>
    public bool EndRequest()
    {
        _abortRegistration.Dispose();
        _abortRegistration = default;
        if (_start == _end)
        {
            ReturnBuffer();
        }

        return _cancellation.TryReset();
    }

    public ValueTask<int> SendAsync(ReadOnlyMemory<byte> data) => _socket.SendAsync(data, SocketFlags.None, Token);

    /// <summary>
    /// Whether an idle connection can still carry a request: nothing to read on it (a closed or reset one reads as
    /// readable, and bytes a backend sent unasked make it unusable too), as SocketsHttpHandler checks before reuse.
    /// </summary>
    public bool IsReusable()
    {
        try
        {
            return !_socket.Poll(0, SelectMode.SelectRead);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Marks <paramref name="count"/> buffered bytes as used.</summary>
    public void Consume(int count)
    {
        _start += count;
        if (_start == _end)
        {
            _start = _end = 0;
        }
    }

    /// <summary>Receives more bytes behind the buffered ones (compacting or growing the buffer first when full); 0 at end of stream.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> FillAsync() => Received(await ReceiveAsync());

    /// <summary>
    /// The receive step of <see cref="FillAsync"/> for callers that await it in their own loop (one async frame less
    /// per response on the hot path): hand the result to <see cref="Received"/>.
    /// </summary>
    public ValueTask<int> ReceiveAsync()
    {
        if (_buffer is null)
        {
            return ReceiveIntoNewBufferAsync();
        }

        if (_end == _buffer.Length)
        {
            MakeRoom();
        }

        return _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, Token);
    }

    /// <summary>Waits until the backend has sent something without holding a buffer, then rents one and reads.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReceiveIntoNewBufferAsync()
    {
        await _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, Token);
        _buffer = ArrayPool<byte>.Shared.Rent(InitialBufferSize);
        return await _socket.ReceiveAsync(_buffer, SocketFlags.None, Token);
    }

    /// <summary>Counts <paramref name="read"/> bytes received by <see cref="ReceiveAsync"/> as buffered; returns it.</summary>
    public int Received(int read)
    {
        _end += read;
        return read;
    }

    private void MakeRoom()
    {
        var buffer = _buffer!;
        if (_start > 0)
        {
            buffer.AsSpan(_start, _end - _start).CopyTo(buffer);
            _end -= _start;
            _start = 0;
        }
        else if (buffer.Length < MaxBufferSize)
        {
            // Pooled arrays come in powers of two: the larger one may exceed MaxBufferSize a little.
            _buffer = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, MaxBufferSize));
            buffer.AsSpan(0, _end).CopyTo(_buffer);
            ArrayPool<byte>.Shared.Return(buffer);
        }
        else
        {
            throw new InvalidOperationException("The response head does not fit the read buffer.");
        }
    }

    private void ReturnBuffer()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
            _start = _end = 0;
        }
    }

    public void Dispose()
    {
        _abortRegistration.Dispose();
        _socket.Dispose();
        _cancellation.Dispose();
        ReturnBuffer();
    }
}
