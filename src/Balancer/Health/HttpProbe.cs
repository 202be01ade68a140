using System.Text;
using Balancer.Core.Configuration;
using Balancer.Core.Health;

namespace Balancer.Health;

/// <summary>
/// Sends <c>health.method health.path</c> on a fresh connection (as HAProxy's checks do, so a
/// backend that stopped accepting is noticed), over HTTP/2 to a pool with <c>httpVersion</c> 2, and
/// passes on an expected status and, when set, a body containing <c>expectBody</c>.
/// </summary>
internal sealed class HttpProbe(HttpMessageInvoker client) : IProbe
{
    private const int MaxBodyBytes = 64 * 1024;

    /// <summary>A client for probes: no pooling, no redirects, no proxy, no cookies.</summary>
    public static HttpMessageInvoker CreateClient() => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        PooledConnectionLifetime = TimeSpan.Zero,
        ConnectTimeout = TimeSpan.FromSeconds(30),
    });

    public Task<ProbeResult> ProbeAsync(string address, HealthConfig health, string httpVersion, CancellationToken cancellationToken) =>
        ProbeErrors.RunAsync(health.Timeout, cancellationToken, async timeout =>
        {
            using var request = new HttpRequestMessage(new HttpMethod(health.Method), new Uri(new Uri(address), health.Path));
            if (httpVersion == HttpVersions.Http2)
            {
                // The pool's backends may speak nothing else (an h2c-only gRPC server); PooledConnectionLifetime 0 still
                // gives each probe a fresh connection.
                request.Version = System.Net.HttpVersion.Version20;
                request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
            }
            else
            {
                request.Headers.ConnectionClose = true;
            }

            request.Headers.UserAgent.ParseAdd("balancer-health/1");
            if (health.Host is not null)
            {
                request.Headers.Host = health.Host;
            }

            using var response = await client.SendAsync(request, timeout);
            var status = (int)response.StatusCode;
            if (!StatusCodeRanges.TryParse(health.ExpectStatus, out var expected, out _) || !expected.Contains(status))
            {
                return ProbeResult.Fail($"status {status}, expected {health.ExpectStatus}");
            }

            if (health.ExpectBody is { } body && !(await ReadPrefix(response, timeout)).Contains(body, StringComparison.Ordinal))
            {
                return ProbeResult.Fail($"status {status} but body lacks '{body}'");
            }

            return ProbeResult.Pass($"status {status}");
        });

    private static async Task<string> ReadPrefix(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[MaxBodyBytes];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await body.ReadAsync(buffer.AsMemory(total), cancellationToken)) > 0)
        {
            total += read;
        }

        return Encoding.UTF8.GetString(buffer, 0, total);
    }
}
