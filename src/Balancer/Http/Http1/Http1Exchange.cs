using System.Net.Sockets;
using Balancer.Core.Http1;
using Yarp.ReverseProxy.Forwarder;

namespace Balancer.Http.Http1;

/// <summary>The steps of one request on one connection, each failing the way SocketsHttpHandler would.</summary>
internal static class Http1Exchange
{
    /// <summary>YARP's activity timeout as the cluster config sets it (ProxyConfigProvider).</summary>
    public static readonly TimeSpan ActivityTimeout = ProxyConfigProvider.ActivityTimeout;

    /// <summary>A new connection within <see cref="BalancerHttpClientFactory.ConnectTimeout"/>.</summary>
    public static async ValueTask<Http1Connection> ConnectAsync(Http1ConnectionPool pool, TimeProvider time, CancellationToken aborted)
    {
        using var timeout = new CancellationTokenSource(BalancerHttpClientFactory.ConnectTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(aborted, timeout.Token);
        try
        {
            return await pool.ConnectAsync(linked.Token);
        }
        catch (OperationCanceledException e) when (aborted.IsCancellationRequested)
        {
            throw Http1Failure.Canceled(e);
        }
        catch (OperationCanceledException)
        {
            throw Http1Failure.ConnectTimeout();
        }
        catch (SocketException e)
        {
            throw Http1Failure.Connect(e);
        }
    }

    /// <summary>Streams a Content-Length body from the client to the backend.</summary>
    public static async ValueTask SendBodyAsync(HttpContext context, Http1Connection connection)
    {
        var reader = context.Request.BodyReader;
        while (true)
        {
            System.IO.Pipelines.ReadResult read;
            try
            {
                read = await reader.ReadAsync(connection.Token);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                var status = e is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status400BadRequest;
                throw new Http1Failure(ForwarderError.RequestBodyClient, status, e);
            }

            try
            {
                foreach (var segment in read.Buffer)
                {
                    await connection.SendAsync(segment);
                }
            }
            catch (SocketException e)
            {
                throw new Http1Failure(ForwarderError.RequestBodyDestination, StatusCodes.Status502BadGateway, new IOException(e.Message, e));
            }
            finally
            {
                // Also when sending failed: a read left open makes Kestrel's drain of the rest of the body fail
                // ("Reading is already in progress", logged with a stack trace) when the 502 has been sent.
                reader.AdvanceTo(read.Buffer.End);
            }

            connection.Progress(ActivityTimeout);
            if (read.IsCompleted)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Parses what is buffered for the final response head, skipping 1xx interim heads: true when it is complete,
    /// false when more bytes are needed. The caller receives in its own loop (no async frame of its own here).
    /// </summary>
    public static bool TryReadHead(Http1Connection connection)
    {
        var head = connection.Head;
        while (true)
        {
            switch (ResponseHeadParser.Parse(connection.Buffered.Span, head))
            {
                case HeadParseResult.Complete when head.StatusCode == StatusCodes.Status101SwitchingProtocols:
                    throw Http1Failure.Request(HttpRequestError.InvalidResponse, "The server switched protocols on a request that asked for no upgrade.");
                case HeadParseResult.Complete when head.StatusCode < 200:
                    connection.Consume(head.Length); // 100 Continue, 103 Early Hints: interim, not passed on
                    continue;
                case HeadParseResult.Complete:
                    return true;
                case HeadParseResult.Invalid:
                    throw Http1Failure.Request(HttpRequestError.InvalidResponse, "The server returned an invalid or unrecognized response.");
                case HeadParseResult.TooLarge:
                    throw Http1Failure.Request(HttpRequestError.ConfigurationLimitExceeded, $"The HTTP response headers length exceeded the set limit of {ResponseHeadParser.DefaultMaxLength} bytes.");
                default: // Incomplete
                    return false;
            }
        }
    }

    /// <summary>Turns a failure of sending or of reading the head into YARP's error for it.</summary>
    public static Http1Failure Classify(Exception failure, CancellationToken aborted) => failure switch
    {
        Http1Failure known => known,
        OperationCanceledException when aborted.IsCancellationRequested => Http1Failure.Canceled(failure),
        OperationCanceledException canceled => Http1Failure.ActivityTimeout(canceled),
        SocketException socket => Http1Failure.Request(socket),
        _ => Http1Failure.Request(HttpRequestError.Unknown, "An error occurred while sending the request.", failure),
    };
}
