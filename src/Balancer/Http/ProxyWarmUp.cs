using System.Diagnostics;
using System.Net;
using System.Net.NetworkInformation;
using System.Security.Cryptography;
using Balancer.Core.Configuration;
using Balancer.Core.Model;
using Balancer.Core.Routing;
using Balancer.Hosting;
using Balancer.Telemetry;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;

namespace Balancer.Http;

/// <summary>
/// The start-up warm-up of the proxy path, as Envoy warms its clusters before a listener takes traffic: after the
/// listeners bind and before the failover node joins its pair (or the admin API reports the process up), one request
/// per HTTP listener goes over loopback through that listener's whole pipeline — Kestrel, routing, the route's
/// middleware and the forwarder its pool uses — to a <see cref="WarmUpSink"/> in place of a backend. Its first request
/// through a fresh process took 80-280 ms (JIT, the route table built on first use), which a takeover's first clients
/// paid. The request carries a per-run random token; only it is taken for the warm-up, only while the warm-up runs,
/// and it is counted nowhere (no route, pool or backend counter, no access log line, no mirrored copy).
/// </summary>
internal sealed class ProxyWarmUp
{
    /// <summary>The header that carries the warm-up's token.</summary>
    public const string HeaderName = "Balancer-Warm-Up";

    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(3);
    private volatile Target? _active;

    /// <summary>What a claimed warm-up request is forwarded to instead of a pool's backend.</summary>
    internal sealed record Target(string Token, BackendState Backend, DestinationState Destination);

    /// <summary>The sink when <paramref name="context"/> is the running warm-up's request; null for every other (one field read).</summary>
    public Target? Claim(HttpContext context) =>
        _active is { } target && context.Request.Headers.TryGetValue(HeaderName, out var token) && token.Count == 1
            && string.Equals(token[0], target.Token, StringComparison.Ordinal)
            ? target
            : null;

    /// <summary>Sends one warm-up request through each HTTP listener in turn and logs how each went; never throws for a failed one.</summary>
    public async Task RunAsync(IReadOnlyList<IListenerHost> listeners, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        using var sink = new WarmUpSink();
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        _active = new Target(
            token,
            new BackendState("(warm-up)", sink.Address, 1, time, TimeSpan.FromSeconds(10)),
            new DestinationState("(warm-up)", new DestinationModel(new DestinationConfig { Address = sink.Address })));
        try
        {
            // Its own listener over loopback: the certificate is the one it serves, whatever names it has.
            using var handler = new SocketsHttpHandler
            {
                UseProxy = false,
                AllowAutoRedirect = false,
                UseCookies = false,
                SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
            };
            using var client = new HttpClient(handler) { Timeout = s_timeout };
            foreach (var listener in listeners)
            {
                if (listener.Config.Protocol == ListenerProtocols.Http && !listener.Config.AcceptProxyProtocol
                    && WarmUpRequest.For(listener.Config) is { } request && LocalTarget(listener.BoundAddress) is { } target)
                {
                    var started = Stopwatch.GetTimestamp();
                    var outcome = await SendAsync(client, request, listener.Config.Tls is null ? "http" : "https", target, token, sink, cancellationToken);
                    Log.ProxyWarmedUp(logger, listener.Name, Stopwatch.GetElapsedTime(started).TotalMilliseconds, request.Route, request.Method, request.Host, request.PathAndQuery, outcome);
                }
            }
        }
        finally
        {
            _active = null;
        }
    }

    private static async Task<string> SendAsync(HttpClient client, WarmUpRequest request, string scheme, string target, string token, WarmUpSink sink, CancellationToken cancellationToken)
    {
        var before = sink.Answered;
        try
        {
            using var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri($"{scheme}://{target}{request.PathAndQuery}"));
            message.Headers.Host = request.Host;
            message.Headers.TryAddWithoutValidation(HeaderName, token);
            foreach (var (name, value) in request.Headers)
            {
                message.Headers.TryAddWithoutValidation(name, value);
            }

            using var response = await client.SendAsync(message, cancellationToken);
            await response.Content.ReadAsByteArrayAsync(cancellationToken);
            return sink.Answered > before
                ? $"forwarded, {(int)response.StatusCode}"
                : $"not forwarded (answered {(int)response.StatusCode}: another route matched first)";
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            return $"failed: {e.GetBaseException().Message}";
        }
    }

    /// <summary>
    /// Where to connect for a listener bound to <paramref name="bound"/>: loopback for a wildcard bind, the address
    /// itself when it is this host's; null otherwise (a virtual IP the peer holds: the request would reach the peer).
    /// </summary>
    private static string? LocalTarget(string bound)
    {
        if (!IPEndPoint.TryParse(bound, out var endpoint))
        {
            return null;
        }

        var address = endpoint.Address switch
        {
            var any when any.Equals(IPAddress.Any) => IPAddress.Loopback,
            var any when any.Equals(IPAddress.IPv6Any) => IPAddress.IPv6Loopback,
            var other => other,
        };
        var local = IPAddress.IsLoopback(address) || NetworkInterface.GetAllNetworkInterfaces()
            .Any(n => n.GetIPProperties().UnicastAddresses.Any(u => u.Address.Equals(address)));
        return local ? new IPEndPoint(address, endpoint.Port).ToString() : null;
    }
}
