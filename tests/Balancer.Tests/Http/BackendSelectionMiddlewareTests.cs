using System.Net.Sockets;
using System.Text;
using Balancer.Core.Configuration;
using Balancer.Core.LoadBalancing;
using Balancer.Core.Model;
using Balancer.Http;
using Balancer.Http.Http1;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Balancer.Tests.Http;

/// <summary>
/// Backend selection in YARP's pipeline with a <see cref="DefaultHttpContext"/> and a stand-in for YARP's forwarder:
/// the pick, the in-flight count, retries after a failed connect, passive health, and Balancer's own answers.
/// </summary>
public sealed class BackendSelectionMiddlewareTests
{
    private const string A = "http://127.0.0.1:1";
    private const string B = "http://127.0.0.1:2";

    [Fact]
    public async Task InvokeAsync_BackendAnswers_YarpForwardsToTheChosenOneAndItIsNoLongerInFlight()
    {
        using var harness = new ProxyHarness("", "yarp", A);
        var seen = new List<string>();
        var context = harness.Request();

        await harness.Middleware(c => Answer(c, seen, StatusCodes.Status200OK)).InvokeAsync(context);

        Assert.Equal([A], seen);
        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        Assert.Equal(0, harness.Backend(A).InFlight);
        Assert.Equal(1, harness.Backend(A).Requests);
        Assert.Equal(ForwarderKind.Yarp, context.Features.Get<ProxyAttempt>()!.Forwarder);
    }

    [Fact]
    public async Task InvokeAsync_ConnectRefused_RetriedOnTheOtherBackendAndTheFirstEjected()
    {
        using var harness = new ProxyHarness("", "yarp", A, B);
        var seen = new List<string>();
        var context = harness.Request();

        await harness.Middleware(c => seen.Count == 0 ? Refuse(c, seen) : Answer(c, seen, StatusCodes.Status200OK)).InvokeAsync(context);

        Assert.Equal(2, seen.Distinct().Count());
        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        Assert.Null(context.Features.Get<IForwarderErrorFeature>());
        Assert.Equal(1, context.Features.Get<ProxyAttempt>()!.Retries);
        Assert.Equal(BackendHealth.Down, harness.Backend(seen[0]).Health);
        Assert.Equal(BackendHealth.Up, harness.Backend(seen[1]).Health);
    }

    [Fact]
    public async Task InvokeAsync_PostWithBodyConnectRefused_RetriedOnTheOther_502WithBodyWhenBothRefuse()
    {
        using var harness = new ProxyHarness("", "yarp", A, B);
        var seen = new List<string>();
        var context = harness.Request("POST", contentLength: 5);

        await harness.Middleware(c => Refuse(c, seen)).InvokeAsync(context);

        Assert.Equal(2, seen.Distinct().Count()); // a refused connect sent nothing: any method goes to another (HAProxy's retry-on conn-failure)
        Assert.Equal(StatusCodes.Status502BadGateway, context.Response.StatusCode);
        Assert.Equal("502 Bad Gateway: the backend could not be reached.\n", Body(context));
        Assert.Equal("no-cache", context.Response.Headers.CacheControl); // an error of the moment is never cached
    }

    [Fact]
    public async Task InvokeAsync_EveryBackendRefuses_502AfterTheConfiguredTries()
    {
        using var harness = new ProxyHarness("\"retries\": 3,", "yarp", A, B);
        var seen = new List<string>();
        var context = harness.Request();

        await harness.Middleware(c => Refuse(c, seen)).InvokeAsync(context);

        Assert.Equal(2, seen.Count); // the third try finds nobody left to try
        Assert.Equal(StatusCodes.Status502BadGateway, context.Response.StatusCode);
        Assert.Equal("502 Bad Gateway: the backend could not be reached.\n", Body(context));
    }

    [Fact]
    public async Task InvokeAsync_BackendTimedOutAfterTheRequestWasSent_504NotRetried()
    {
        using var harness = new ProxyHarness("", "yarp", A, B);
        var seen = new List<string>();
        var context = harness.Request();

        await harness.Middleware(c =>
        {
            seen.Add(c.GetReverseProxyFeature().AvailableDestinations.Single().DestinationId);
            c.Features.Set<IForwarderErrorFeature>(new Http1ErrorFeature(ForwarderError.RequestTimedOut, new OperationCanceledException()));
            c.Response.StatusCode = StatusCodes.Status504GatewayTimeout;
            return Task.CompletedTask;
        }).InvokeAsync(context);

        Assert.Single(seen);
        Assert.Equal("504 Gateway Timeout: the backend did not answer in time.\n", Body(context));
        Assert.Equal("no-cache", context.Response.Headers.CacheControl);
        Assert.Equal(BackendHealth.Up, harness.Backend(seen[0]).Health); // slow is not refused
    }

    [Fact]
    public async Task InvokeAsync_StreamedBodyOverTheLimit_413SaysSoAndTheBackendKeepsItsHealth()
    {
        // A chunked body breaks maxRequestBodySize while YARP streams it: Kestrel's 413 is the client's fault, and the
        // text must say what the status says (it said "502 … could not be reached" under a 413).
        using var harness = new ProxyHarness("", "yarp", A, B);
        var seen = new List<string>();
        var context = harness.Request("POST");

        await harness.Middleware(c =>
        {
            seen.Add(c.GetReverseProxyFeature().AvailableDestinations.Single().DestinationId);
            var tooLarge = new Microsoft.AspNetCore.Http.BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge);
            c.Features.Set<IForwarderErrorFeature>(new Http1ErrorFeature(ForwarderError.RequestBodyClient, tooLarge));
            c.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return Task.CompletedTask;
        }).InvokeAsync(context);

        Assert.Single(seen); // not retried
        Assert.Equal(StatusCodes.Status413PayloadTooLarge, context.Response.StatusCode);
        Assert.Equal("413 Payload Too Large: the body is over this listener's limit.\n", Body(context));
        Assert.Equal(BackendHealth.Up, harness.Backend(seen[0]).Health);
    }

    [Fact]
    public async Task InvokeAsync_PoolAtMaxPendingRequests_503WithRetryAfterAtOnce()
    {
        using var harness = new ProxyHarness("\"maxPendingRequests\": 1,", "yarp", A);
        Assert.True(harness.Pool.Requests.TryEnter(1));
        var context = harness.Request();

        await harness.Middleware(_ => throw new InvalidOperationException("must not forward")).InvokeAsync(context);

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, context.Response.StatusCode);
        Assert.Equal("1", context.Response.Headers.RetryAfter);
        Assert.Equal("no-cache", context.Response.Headers.CacheControl);
        Assert.Equal("503 Service Unavailable: the pool is at its request limit.\n", Body(context));
    }

    [Fact]
    public async Task InvokeAsync_EveryBackendAtMaxRequests_503SaysSo()
    {
        using var harness = new ProxyHarness("\"maxRequestsPerBackend\": 1,", "yarp", A);
        Assert.NotNull(ConnectionPicker.PickAndStart(harness.Pool.Snapshot, 1, null));
        var context = harness.Request();

        await harness.Middleware(_ => throw new InvalidOperationException("must not forward")).InvokeAsync(context);

        Assert.Equal("503 Service Unavailable: every backend is at its request limit.\n", Body(context));
    }

    [Fact]
    public async Task InvokeAsync_PoolNotInTheCore_503()
    {
        using var harness = new ProxyHarness("", "yarp", A);
        harness.Registry.Retire(harness.Registry.Apply(new BalancerConfig()).RemovedPools); // gone from the core before from YARP
        var context = harness.Request();

        await harness.Middleware(_ => throw new InvalidOperationException("must not forward")).InvokeAsync(context);

        Assert.Equal("503 Service Unavailable: no healthy backend.\n", Body(context));
    }

    [Fact]
    public async Task InvokeAsync_Http11AndForwarderAuto_LeanForwarderCarriesIt()
    {
        // Nothing listens on port 1: the lean forwarder's connect is refused, YARP's stand-in is never asked.
        using var harness = new ProxyHarness("\"retries\": 1,", "auto", A);
        var context = harness.Request(protocol: "HTTP/1.1");
        context.Request.Host = new HostString("front.test");

        await harness.Middleware(_ => throw new InvalidOperationException("YARP must not be asked")).InvokeAsync(context);

        Assert.Equal(ForwarderKind.Lean, context.Features.Get<ProxyAttempt>()!.Forwarder);
        Assert.Equal(StatusCodes.Status502BadGateway, context.Response.StatusCode);
        Assert.Equal(ForwarderError.Request, context.Features.Get<IForwarderErrorFeature>()!.Error);
        Assert.Equal(BackendHealth.Down, harness.Backend(A).Health);
    }

    private static Task Answer(HttpContext context, List<string> seen, int status)
    {
        seen.Add(context.GetReverseProxyFeature().AvailableDestinations.Single().DestinationId);
        context.Response.StatusCode = status;
        return Task.CompletedTask;
    }

    /// <summary>What YARP reports for a refused connect: HttpClient's ConnectionError around the socket error.</summary>
    private static Task Refuse(HttpContext context, List<string> seen)
    {
        seen.Add(context.GetReverseProxyFeature().AvailableDestinations.Single().DestinationId);
        var refused = new SocketException((int)SocketError.ConnectionRefused);
        context.Features.Set<IForwarderErrorFeature>(new Http1ErrorFeature(ForwarderError.Request, new HttpRequestException(HttpRequestError.ConnectionError, refused.Message, refused)));
        context.Response.StatusCode = StatusCodes.Status502BadGateway;
        return Task.CompletedTask;
    }

    private static string Body(HttpContext context) => Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray());
}
