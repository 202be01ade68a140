using System.Net.Sockets;
using Yarp.ReverseProxy.Forwarder;

namespace Balancer.Http.Http1;

/// <summary>
/// A failed exchange as YARP would report it: its <see cref="ForwarderError"/>, the status for the client, and an
/// exception shaped like SocketsHttpHandler's (a SocketException inside for a refused or reset connection, a
/// TimeoutException inside for a connect timeout) so that <see cref="ForwarderFailure"/> reads both paths alike.
/// </summary>
internal sealed class Http1Failure(ForwarderError error, int status, Exception reported) : Exception(reported.Message, reported)
{
    public ForwarderError Error { get; } = error;

    public int Status { get; } = status;

    /// <summary>What goes into <see cref="IForwarderErrorFeature.Exception"/>.</summary>
    public Exception Reported { get; } = reported;

    /// <summary>The client went away: YARP's RequestCanceled (or RequestBodyCanceled), 400.</summary>
    public static Http1Failure Canceled(Exception e, bool duringBody = false) =>
        new(duringBody ? ForwarderError.RequestBodyCanceled : ForwarderError.RequestCanceled, StatusCodes.Status400BadRequest, e);

    /// <summary>Connecting failed: HttpClient's ConnectionError around the socket error.</summary>
    public static Http1Failure Connect(SocketException e) =>
        new(ForwarderError.Request, StatusCodes.Status502BadGateway, new HttpRequestException(HttpRequestError.ConnectionError, e.Message, e));

    /// <summary>The connect timeout fired: SocketsHttpHandler's cancellation with a TimeoutException inside.</summary>
    public static Http1Failure ConnectTimeout() => new(ForwarderError.RequestTimedOut, StatusCodes.Status504GatewayTimeout, new TaskCanceledException(
        "The request was canceled.", new TimeoutException($"A connection could not be established within the configured ConnectTimeout ({BalancerHttpClientFactory.ConnectTimeout}).")));

    /// <summary>Nothing came back within the activity timeout: RequestTimedOut, 504.</summary>
    public static Http1Failure ActivityTimeout(OperationCanceledException e) => new(ForwarderError.RequestTimedOut, StatusCodes.Status504GatewayTimeout, e);

    /// <summary>Sending the request or reading the response head failed: ForwarderError.Request, 502.</summary>
    public static Http1Failure Request(HttpRequestError error, string message, Exception? inner = null) =>
        new(ForwarderError.Request, StatusCodes.Status502BadGateway, new HttpRequestException(error, message, inner));

    /// <summary>A socket error while sending the request or reading the head, wrapped as HttpClient wraps it.</summary>
    public static Http1Failure Request(SocketException e) =>
        Request(HttpRequestError.Unknown, "An error occurred while sending the request.", new IOException(e.Message, e));

    /// <summary>The response ended before its head did.</summary>
    public static Http1Failure ResponseEnded() => Request(HttpRequestError.ResponseEnded, "The response ended prematurely.");
}
