using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace Balancer.Tcp;

/// <summary>
/// One side of a proxied TCP connection as a pipe pair, plus the one thing pipes cannot say: "no more
/// data from me" without closing (<see cref="HalfClose"/>). Reads come from a pipe (Kestrel's for the
/// client, a stream pipe for the backend); writes go through a <see cref="PipeWriter"/> over the socket.
/// </summary>
internal sealed class TcpLeg : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly bool _ownsInput;
    private bool _inputEnded;

    private TcpLeg(Socket socket, NetworkStream stream, PipeReader input, bool ownsInput)
    {
        _socket = socket;
        _stream = stream;
        Input = input;
        _ownsInput = ownsInput;
        // The copy hands whole pipe segments to WriteAsync, which a stream writer sends without buffering;
        // only the PROXY header is ever written into its own (default, 4 KiB) buffer.
        Output = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
    }

    /// <summary>Bytes arriving from this side.</summary>
    public PipeReader Input { get; }

    /// <summary>Bytes to send to this side; a completed flush means the kernel has them.</summary>
    public PipeWriter Output { get; }

    /// <summary>
    /// The client side: reads through Kestrel's transport, writes straight to its socket. Kestrel's own
    /// output cannot half-close: completing it shuts the socket down both ways (SocketConnection.Shutdown,
    /// "half close the connection which is currently unsupported"), and its flush does not wait for the
    /// send, so a FIN sent after it could overtake data. A writer over the socket has neither problem.
    /// </summary>
    public static TcpLeg ForClient(ConnectionContext connection)
    {
        var socket = connection.Features.Get<IConnectionSocketFeature>()?.Socket
            ?? throw new InvalidOperationException("tcp listeners need Kestrel's socket transport");
        return new TcpLeg(socket, new NetworkStream(socket, ownsSocket: false), connection.Transport.Input, ownsInput: false);
    }

    /// <summary>The backend side over a connected socket, which this leg then owns; it reads into <paramref name="buffers"/>' blocks.</summary>
    public static TcpLeg ForUpstream(Socket socket, TcpBufferPool buffers)
    {
        var stream = new NetworkStream(socket, ownsSocket: true);
        var input = PipeReader.Create(stream, new StreamPipeReaderOptions(pool: buffers, bufferSize: TcpBufferPool.BlockSize, leaveOpen: true));
        return new TcpLeg(socket, stream, input, ownsInput: true);
    }

    /// <summary>
    /// Set once this side's FIN has been read. Both directions may set and read it at once; the worst a race
    /// does is a half-close of a leg about to be closed anyway.
    /// </summary>
    public bool InputEnded
    {
        get => Volatile.Read(ref _inputEnded);
        set => Volatile.Write(ref _inputEnded, value);
    }

    /// <summary>Sends FIN after everything flushed so far; this side may keep sending to us.</summary>
    public void HalfClose()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already gone: the copy in the other direction will see it.
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            // Completing flushes what a cancelled write may have left buffered, to a socket that may be gone.
            await Output.CompleteAsync();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
        }

        if (_ownsInput)
        {
            await Input.CompleteAsync();
        }

        await _stream.DisposeAsync();
    }
}
