using System.Buffers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Balancer.Core.Http1;
using Balancer.Core.Model;
using Balancer.Http.Forwarding;
using Balancer.Tls;
using Yarp.ReverseProxy.Forwarder;

namespace Balancer.Http.Http1;

/// <summary>
/// The lean forwarder: sends an eligible request to a plain-http backend over a pooled HTTP/1.1 connection and
/// copies the response back, in place of YARP's HttpForwarder and SocketsHttpHandler, whose per-request objects
/// (HttpRequestMessage, header collections, transforms) cost more CPU than the proxying itself on small requests.
/// Both apply the route's <see cref="ForwardingPlan"/>, so they send the same request and return the same response;
/// its results are YARP's too: the same status codes and <see cref="IForwarderErrorFeature"/>, so retries, passive
/// health and telemetry read both paths alike. Anything it does not handle goes to YARP.
/// </summary>
internal sealed class Http1Forwarder(Http1Pools pools, ListenerTls? tls, TimeProvider time)
{
    /// <summary>
    /// Whether the request is one the lean forwarder handles: the listener allows it (<c>forwarder: auto</c>), an
    /// HTTP/1.x client (HTTP/2 clients may be sent trailers, which it drops), no upgrade, no 100-continue, and a body
    /// framed by Content-Length if any.
    /// </summary>
    public static bool CanForward(HttpContext context, ForwardingPlan plan)
    {
        var request = context.Request;
        var headers = request.Headers;
        return plan.LeanAllowed
            && (HttpProtocol.IsHttp11(request.Protocol) || HttpProtocol.IsHttp10(request.Protocol))
            && headers.TransferEncoding.Count == 0
            && headers.Upgrade.Count == 0
            && headers.Expect.Count == 0
            && !HttpMethods.IsConnect(request.Method);
    }

    /// <summary>The backend's connection pool; null when the backend is not a plain-http one the forwarder serves.</summary>
    public Http1ConnectionPool? PoolFor(BackendState backend) => pools.Get(backend);

    /// <summary>
    /// Forwards the request; null when it declined before sending anything (the caller then uses YARP). One async
    /// frame from the request head to the response copy: every frame that waits for the backend is an allocation and
    /// a continuation hop per request, so sending and reading the head are inlined here.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ForwarderError?> ForwardAsync(HttpContext context, ForwardingPlan plan, Http1ConnectionPool pool, ProxyAttempt attempt)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        Http1Connection connection;
        try
        {
            Http1RequestHead.Result result;
            int length;
            while ((result = Http1RequestHead.TryWrite(context, plan, pool, buffer, out length)) == Http1RequestHead.Result.BufferTooSmall)
            {
                var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = larger;
            }

            if (result == Http1RequestHead.Result.Declined)
            {
                return null;
            }

            // Sends the request on a pooled connection, or a new one, and reads the response head. A pooled connection
            // the backend closed while idle fails before any response byte: the request is then sent once more on a new
            // connection, as SocketsHttpHandler does, provided none of its body was sent.
            var head = buffer.AsMemory(0, length);
            var aborted = context.RequestAborted;
            var pooled = pool.Rent();
            // A request with a body cannot be sent again once its body started: check first that the backend has not
            // closed the idle connection (a bodiless one is sent again on a new connection when it had, below).
            while (pooled is not null && context.Request.ContentLength > 0 && !pooled.IsReusable())
            {
                pooled.Dispose();
                pooled = pool.Rent();
            }

            var reused = pooled is not null;
            while (true)
            {
                connection = pooled ?? await Http1Exchange.ConnectAsync(pool, time, aborted);
                pooled = null;
                connection.BeginRequest(aborted, Http1Exchange.ActivityTimeout);
                var bodyStarted = false;
                Exception failure;
                try
                {
                    await connection.SendAsync(head);
                    if (context.Request.ContentLength > 0)
                    {
                        bodyStarted = true;
                        await Http1Exchange.SendBodyAsync(context, connection);
                    }

                    while (!Http1Exchange.TryReadHead(connection))
                    {
                        if (connection.Received(await connection.ReceiveAsync()) == 0)
                        {
                            // Before any byte, a stale keep-alive connection: retried below.
                            throw Http1Failure.ResponseEnded();
                        }
                    }

                    break;
                }
                catch (Exception e)
                {
                    failure = e;
                }

                var nothingReceived = connection.Buffered.IsEmpty;
                var canceled = !connection.EndRequest();
                connection.Dispose();
                var stale = failure is SocketException || (failure is Http1Failure { Error: ForwarderError.Request } f && f.Reported is HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded });
                if (reused && stale && nothingReceived && !bodyStarted && !canceled)
                {
                    reused = false;
                    continue;
                }

                throw Http1Exchange.Classify(failure, aborted);
            }
        }
        catch (Http1Failure failure)
        {
            context.Features.Set<IForwarderErrorFeature>(new Http1ErrorFeature(failure.Error, failure.Reported));
            context.Response.StatusCode = failure.Status;
            if (tls is not null)
            {
                Hsts.Apply(context.Response, tls); // YARP runs the response transforms on a failed request too
            }

            return failure.Error;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        attempt.ResponseHeadersReceived(time);
        var (error, reusable) = await Http1ResponseCopier.CopyAsync(context, plan, connection, tls, Http1Exchange.ActivityTimeout);
        if (connection.EndRequest() && reusable)
        {
            pool.Return(connection);
        }
        else
        {
            connection.Dispose();
        }

        return error;
    }
}
