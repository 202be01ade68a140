using System.Runtime.CompilerServices;
using System.Text;
using Balancer.Core.Http1;
using Balancer.Http.Forwarding;
using Balancer.Tls;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Forwarder;

namespace Balancer.Http.Http1;

/// <summary>
/// Copies a backend's response to the client as YARP's forwarder does: status and a non-default reason, headers
/// less the hop-by-hop ones, finished by the route's <see cref="ForwardingPlan"/> (those the backend's Connection header
/// names go, the route's edits apply), then the body: a chunked one to an HTTP/1.1 client keeps its chunks and the
/// backend's trailers (<see cref="ChunkedRelay"/>), any other loses its transfer coding (Kestrel frames it again). Errors
/// are YARP's: ResponseHeaders when Kestrel refuses a header, then ResponseBodyDestination/-Client/-Canceled, answered
/// with a 502 if nothing was sent yet, else an aborted response.
/// </summary>
internal static class Http1ResponseCopier
{
    /// <summary>The error (None on success) and whether the connection may carry another request.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<(ForwarderError Error, bool Reusable)> CopyAsync(HttpContext context, ForwardingPlan plan, Http1Connection connection, ListenerTls? tls, TimeSpan activityTimeout)
    {
        var head = connection.Head;
        var response = context.Response;
        // A chunked body to an HTTP/1.1 client keeps its chunks, so that the backend's trailers can follow them.
        var relay = head.Chunked && !head.IsBodyless && ChunkedRelay.ClientTakesChunks(context.Request) && !HttpMethods.IsHead(context.Request.Method);
        try
        {
            CopyHead(context, plan, connection);
            ChunkedRelay.Announce(response, relay);
            if (tls is not null)
            {
                Hsts.Apply(response, tls);
            }
        }
        catch (Exception e)
        {
            // Kestrel refuses a header it cannot send (a control or non-ASCII character): YARP's ResponseHeaders.
            response.Clear();
            response.StatusCode = StatusCodes.Status502BadGateway;
            return (Report(context, ForwarderError.ResponseHeaders, e), false);
        }

        connection.Consume(head.Length);
        if (HttpMethods.IsHead(context.Request.Method) || head.IsBodyless)
        {
            return (ForwarderError.None, head.KeepAlive && connection.Buffered.Length == 0);
        }

        connection.Progress(activityTimeout);
        var toEnd = !head.Chunked && (head.HasTransferEncoding || head.ContentLength < 0);
        try
        {
            if (head.Chunked)
            {
                await CopyChunkedAsync(context, connection, relay, activityTimeout);
            }
            else if (toEnd)
            {
                await CopyToEndAsync(context, connection, activityTimeout);
            }
            else
            {
                await CopyLengthAsync(context, connection, head.ContentLength, activityTimeout);
            }
        }
        catch (Exception e)
        {
            var error = e switch
            {
                Http1Failure failure => failure.Error,
                OperationCanceledException => ForwarderError.ResponseBodyCanceled,
                _ => ForwarderError.ResponseBodyDestination,
            };
            if (!response.HasStarted)
            {
                response.Clear();
                response.StatusCode = StatusCodes.Status502BadGateway;
            }
            else
            {
                context.Abort(); // a truncated body must not look complete
            }

            return (Report(context, error, e is Http1Failure f ? f.Reported : e), false);
        }

        return (ForwarderError.None, !toEnd && head.KeepAlive && connection.Buffered.Length == 0);
    }

    private static ForwarderError Report(HttpContext context, ForwarderError error, Exception exception)
    {
        context.Features.Set<IForwarderErrorFeature>(new Http1ErrorFeature(error, exception));
        return error;
    }

    private static void CopyHead(HttpContext context, ForwardingPlan plan, Http1Connection connection)
    {
        var head = connection.Head;
        var bytes = connection.Buffered.Span;
        var response = context.Response;
        response.StatusCode = head.StatusCode;
        var reason = bytes.Slice(head.ReasonStart, head.ReasonLength);
        if (!reason.IsEmpty && !Ascii.Equals(reason, ReasonPhrases.GetReasonPhrase(head.StatusCode)))
        {
            context.Features.Get<IHttpResponseFeature>()!.ReasonPhrase = Encoding.Latin1.GetString(reason);
        }

        var headers = response.Headers;
        var connectionHeader = StringValues.Empty;
        foreach (var field in head.Fields)
        {
            var name = ResponseHeaderNames.Name(bytes.Slice(field.NameStart, field.NameLength), out var index);
            if (index == ResponseHeaderNames.ContentLength || (index != ResponseHeaderNames.Connection && HopByHopHeaders.IsFixed(name)))
            {
                continue;
            }

            var value = ResponseHeaderNames.Value(bytes.Slice(field.ValueStart, field.ValueLength), index, connection.ValueCache);
            if (index == ResponseHeaderNames.Connection)
            {
                connectionHeader = StringValues.Concat(connectionHeader, value);
                continue;
            }

            headers[name] = headers.TryGetValue(name, out var current) ? StringValues.Concat(current, value) : new StringValues(value);
        }

        // YARP drops Content-Length when Transfer-Encoding is there too (RFC 9112 §6.3), and a "0" on a 1xx/204/205.
        if (head.ContentLength >= 0 && !head.HasTransferEncoding && !(head.ContentLength == 0 && head.StatusCode is < 200 or 204 or 205))
        {
            response.ContentLength = head.ContentLength;
        }

        plan.FinishResponse(response, connectionHeader);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask CopyLengthAsync(HttpContext context, Http1Connection connection, long remaining, TimeSpan activityTimeout)
    {
        while (remaining > 0)
        {
            var buffered = connection.Buffered;
            if (buffered.IsEmpty)
            {
                await FillAsync(connection, activityTimeout);
                continue;
            }

            var take = (int)Math.Min(buffered.Length, remaining);
            await WriteAsync(context, buffered[..take]);
            connection.Consume(take);
            remaining -= take;
        }
    }

    private static async ValueTask CopyChunkedAsync(HttpContext context, Http1Connection connection, bool relay, TimeSpan activityTimeout)
    {
        var decoder = connection.Chunked;
        decoder.Reset();
        while (true)
        {
            var buffered = connection.Buffered;
            switch (decoder.Decode(buffered.Span, out var consumed, out var offset, out var length))
            {
                case ChunkResult.Data when relay:
                    ChunkedRelay.WriteChunk(context.Response.BodyWriter, buffered.Span.Slice(offset, length));
                    await FlushAsync(context);
                    connection.Consume(consumed);
                    break;
                case ChunkResult.Data:
                    await WriteAsync(context, buffered.Slice(offset, length));
                    connection.Consume(consumed);
                    break;
                case ChunkResult.NeedMore:
                    connection.Consume(consumed);
                    await FillAsync(connection, activityTimeout);
                    break;
                case ChunkResult.Done:
                    if (relay)
                    {
                        ChunkedRelay.WriteEnd(context.Response.BodyWriter, decoder.Trailers);
                        await FlushAsync(context);
                    }

                    connection.Consume(consumed);
                    return;
                default:
                    throw new HttpIOException(HttpRequestError.InvalidResponse, "The response has invalid chunked framing.");
            }
        }
    }

    private static async ValueTask CopyToEndAsync(HttpContext context, Http1Connection connection, TimeSpan activityTimeout)
    {
        while (true)
        {
            var buffered = connection.Buffered;
            if (!buffered.IsEmpty)
            {
                await WriteAsync(context, buffered);
                connection.Consume(buffered.Length);
            }

            if (await connection.FillAsync() == 0)
            {
                return;
            }

            connection.Progress(activityTimeout);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask FillAsync(Http1Connection connection, TimeSpan activityTimeout)
    {
        if (await connection.FillAsync() == 0)
        {
            throw new HttpIOException(HttpRequestError.ResponseEnded, "The response ended prematurely.");
        }

        connection.Progress(activityTimeout);
    }

    private static async ValueTask FlushAsync(HttpContext context)
    {
        try
        {
            await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new Http1Failure(ForwarderError.ResponseBodyClient, StatusCodes.Status502BadGateway, e);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask WriteAsync(HttpContext context, ReadOnlyMemory<byte> data)
    {
        try
        {
            await context.Response.BodyWriter.WriteAsync(data, context.RequestAborted);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new Http1Failure(ForwarderError.ResponseBodyClient, StatusCodes.Status502BadGateway, e);
        }
    }
}
