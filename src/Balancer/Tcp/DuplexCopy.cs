using System.Buffers;
using System.IO.Pipelines;
using Balancer.Core.Model;

namespace Balancer.Tcp;

/// <summary>
/// Copies bytes both ways between a client and a backend until both directions end. An end of stream
/// (FIN) on one side is passed on as a half-close and the other direction keeps going, as TCP allows
/// (RFC 9293 section 3.6); a reset, an error or the idle timeout stops both at once. The shape follows
/// YARP's HttpForwarder.HandleUpgradedResponse: run both, await the first, then settle the second.
/// </summary>
internal static class DuplexCopy
{
    private enum End
    {
        Eof,
        SourceFailed,
        DestinationFailed,
        Stopped,
    }

    /// <summary>Runs the copy; true when the backend failed it (reset, or could not take our bytes).</summary>
    /// <param name="listener">The listener's counters, which count the bytes too; null in tests of the copy alone.</param>
    public static async Task<bool> RunAsync(TcpLeg client, TcpLeg backend, BackendState state, TimeSpan idleTimeout, TimeProvider time, ListenerCounters? listener = null)
    {
        // One idle timeout for the connection, restarted by traffic either way (HAProxy's "timeout tunnel").
        using var idle = new IdleTimeout(idleTimeout, time);
        var toBackend = CopyAsync(client, backend, state, listener, toBackend: true, idle);
        var toClient = CopyAsync(backend, client, state, listener, toBackend: false, idle);
        var first = await Task.WhenAny(toBackend, toClient);
        if (first.Result != End.Eof)
        {
            // Reset or error: the other direction has nothing left to wait for.
            await idle.CancelAsync();
        }

        var clientToBackend = await toBackend;
        var backendToClient = await toClient;
        return clientToBackend == End.DestinationFailed || backendToClient == End.SourceFailed;
    }

    private static async Task<End> CopyAsync(TcpLeg from, TcpLeg to, BackendState state, ListenerCounters? listener, bool toBackend, IdleTimeout idle)
    {
        var token = idle.Token;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await from.Input.ReadAsync(token);
            }
            catch (Exception)
            {
                return token.IsCancellationRequested ? End.Stopped : End.SourceFailed;
            }

            var buffer = result.Buffer;
            var length = buffer.Length; // read before AdvanceTo: the segments go back to the pool
            try
            {
                // Each segment goes straight from the pipe's block to the socket: a stream writer with
                // nothing buffered sends what WriteAsync is given without copying it (StreamPipeWriter),
                // and the segments are whole receives of up to 64 KiB (TcpBufferPool).
                foreach (var segment in buffer)
                {
                    await to.Output.WriteAsync(segment, token);
                }
            }
            catch (Exception)
            {
                return token.IsCancellationRequested ? End.Stopped : End.DestinationFailed;
            }
            finally
            {
                from.Input.AdvanceTo(buffer.End);
            }

            if (length > 0)
            {
                if (toBackend)
                {
                    state.AddBytesIn(length);
                    listener?.AddBytesIn(length);
                }
                else
                {
                    state.AddBytesOut(length);
                    listener?.AddBytesOut(length);
                }

                idle.Touch();
            }

            if (result.IsCompleted)
            {
                from.InputEnded = true;
                if (!to.InputEnded)
                {
                    // The other direction still runs: pass the FIN on now. When it has ended too, both
                    // legs are closed next, which sends the FIN anyway (one shutdown call less per connection).
                    to.HalfClose();
                }

                return End.Eof;
            }

            if (result.IsCanceled)
            {
                return End.Stopped;
            }
        }
    }
}
