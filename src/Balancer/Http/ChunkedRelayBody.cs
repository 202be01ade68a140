using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;

namespace Balancer.Http;

/// <summary>
/// YARP's side of <see cref="ChunkedRelay"/>: for an HTTP/1.1 client and a response of unknown length (where Kestrel
/// would chunk it), the response body becomes this stream, which writes the chunks itself, and the trailers feature
/// this one's, into which YARP copies the backend's trailers (HTTP/1.1 or HTTP/2); <see cref="FinishAsync"/> then
/// writes the last chunk with them. A failed forward gives the client's body feature back untouched.
/// </summary>
internal sealed class ChunkedRelayBody(IHttpResponseBodyFeature inner) : Stream, IHttpResponseBodyFeature, IHttpResponseTrailersFeature
{
    private PipeWriter? _writer;
    private bool _ended;

    public IHeaderDictionary Trailers { get; set; } = new HeaderDictionary();

    Stream IHttpResponseBodyFeature.Stream => this;

    public PipeWriter Writer => _writer ??= PipeWriter.Create(this, new StreamPipeWriterOptions(leaveOpen: true));

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>
    /// Part of YARP's response transform (<see cref="Forwarding.ForwardingTransformer"/>), once the backend's headers are
    /// copied: relays the chunks when the client is HTTP/1.1 and the length is unknown.
    /// </summary>
    public static void OnResponse(HttpContext context)
    {
        var request = context.Request;
        if (!(HttpProtocol.IsHttp11(request.Protocol) || HttpProtocol.IsHttp10(request.Protocol)))
        {
            return; // HTTP/2 and HTTP/3 carry trailers themselves
        }

        var response = context.Response;
        var relay = ChunkedRelay.ClientTakesChunks(request) && response.ContentLength is null && !HttpMethods.IsHead(request.Method)
            && response.StatusCode is >= 200 and not 204 and not 304;
        ChunkedRelay.Announce(response, relay);
        if (relay)
        {
            var body = new ChunkedRelayBody(context.Features.GetRequiredFeature<IHttpResponseBodyFeature>());
            context.Features.Set<IHttpResponseBodyFeature>(body);
            context.Features.Set<IHttpResponseTrailersFeature>(body);
        }
    }

    /// <summary>
    /// After YARP's forward: ends the chunked body with the trailers when the response was copied whole; otherwise gives
    /// the client's body feature back (YARP has aborted a response cut short, and an unsent one gets Balancer's 502).
    /// </summary>
    public static Task FinishAsync(HttpContext context, ForwarderError error)
    {
        if (context.Features.Get<IHttpResponseBodyFeature>() is not ChunkedRelayBody relay)
        {
            return Task.CompletedTask;
        }

        // A request body error is reported after the response was copied in full.
        if (error is ForwarderError.None or ForwarderError.RequestBodyClient or ForwarderError.RequestBodyDestination or ForwarderError.RequestBodyCanceled)
        {
            return relay.CompleteAsync();
        }

        context.Features.Set(relay.Inner);
        context.Features.Set<IHttpResponseTrailersFeature>(null);
        if (!context.Response.HasStarted)
        {
            context.Response.Headers.Remove("Transfer-Encoding");
        }

        return Task.CompletedTask;
    }

    private IHttpResponseBodyFeature Inner => inner;

    public void DisableBuffering() => inner.DisableBuffering();

    public Task StartAsync(CancellationToken cancellationToken = default) => inner.StartAsync(cancellationToken);

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
        SendFileFallback.SendFileAsync(this, path, offset, count, cancellationToken);

    public async Task CompleteAsync()
    {
        if (_ended)
        {
            return;
        }

        _ended = true;
        if (_writer is not null)
        {
            await _writer.FlushAsync();
        }

        ChunkedRelay.WriteEnd(inner.Writer, Trailers);
        await inner.Writer.FlushAsync();
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return;
        }

        ChunkedRelay.WriteChunk(inner.Writer, buffer.Span);
        await inner.Writer.FlushAsync(cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.Writer.FlushAsync(cancellationToken).AsTask();

    public override void Flush() => throw new InvalidOperationException("Synchronous writes are not allowed.");

    public override void Write(byte[] buffer, int offset, int count) => throw new InvalidOperationException("Synchronous writes are not allowed.");

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
