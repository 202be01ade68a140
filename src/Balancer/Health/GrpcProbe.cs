using System.Globalization;
using System.Net;
using Balancer.Core.Configuration;
using Balancer.Core.Grpc;
using Balancer.Core.Health;

namespace Balancer.Health;

/// <summary>
/// The standard gRPC health check (grpc/grpc doc/health-checking.md): a unary <c>grpc.health.v1.Health/Check</c> call
/// for <c>health.service</c> over HTTP/2 (prior knowledge to <c>http://</c>, h2 to <c>https://</c>), on a fresh
/// connection, bounded by a <c>grpc-timeout</c> as well as the probe's own timeout. It passes on SERVING only:
/// NOT_SERVING, UNKNOWN, SERVICE_UNKNOWN, any gRPC error (UNIMPLEMENTED when the server has no health service,
/// NOT_FOUND for an unknown service) and a timeout fail.
/// </summary>
internal sealed class GrpcProbe(HttpMessageInvoker client) : IProbe
{
    private const int MaxBodyBytes = 64 * 1024;
    private const int MaxMessageLength = 200;

    public Task<ProbeResult> ProbeAsync(string address, HealthConfig health, string httpVersion, CancellationToken cancellationToken) =>
        ProbeErrors.RunAsync(health.Timeout, cancellationToken, async timeout =>
        {
            using var request = CreateRequest(address, health);
            using var response = await client.SendAsync(request, timeout);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return ProbeResult.Fail($"HTTP status {(int)response.StatusCode}, not a gRPC answer");
            }

            var body = await ReadBody(response, timeout);
            if (body is null)
            {
                return ProbeResult.Fail($"response over {MaxBodyBytes / 1024} KiB");
            }

            // The trailers, or the headers of a trailers-only response (an error without a message).
            if (!TryGetField(response, "grpc-status", out var statusText))
            {
                return ProbeResult.Fail("no grpc-status in the response (not a gRPC server?)");
            }

            var status = GrpcStatusCodes.ParseField(statusText);
            if (status != GrpcStatusCodes.Ok)
            {
                return ProbeResult.Fail(DescribeError(response, status));
            }

            if (!GrpcHealthCodec.TryDecodeResponse(body, out var serving, out var error))
            {
                return ProbeResult.Fail(error!);
            }

            return serving == GrpcHealthCodec.Serving ? ProbeResult.Pass("SERVING") : ProbeResult.Fail(GrpcHealthCodec.StatusName(serving));
        });

    private static HttpRequestMessage CreateRequest(string address, HealthConfig health)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(new Uri(address), GrpcHealthCodec.CheckPath))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(GrpcHealthCodec.EncodeRequest(health.Service)),
        };
        request.Content.Headers.ContentType = new("application/grpc");
        request.Headers.TE.ParseAdd("trailers");
        request.Headers.UserAgent.ParseAdd("balancer-health/1");
        // The server gives up when we do (PROTOCOL-HTTP2.md: at most 8 digits, here in milliseconds).
        var milliseconds = (long)Math.Min(health.Timeout.TotalMilliseconds, 99_999_999);
        request.Headers.TryAddWithoutValidation("grpc-timeout", milliseconds.ToString(CultureInfo.InvariantCulture) + "m");
        request.Headers.TryAddWithoutValidation("grpc-accept-encoding", "identity");
        if (health.Host is not null)
        {
            request.Headers.Host = health.Host;
        }

        return request;
    }

    private static bool TryGetField(HttpResponseMessage response, string name, out string value)
    {
        if ((response.TrailingHeaders.TryGetValues(name, out var values) || response.Headers.TryGetValues(name, out values)) && values.FirstOrDefault() is { } first)
        {
            value = first;
            return true;
        }

        value = "";
        return false;
    }

    private static string DescribeError(HttpResponseMessage response, int status)
    {
        var detail = $"grpc-status {status} {GrpcStatusCodes.Name(status)}";
        if (TryGetField(response, "grpc-message", out var message) && message.Length > 0)
        {
            message = Uri.UnescapeDataString(message);
            detail += ": " + (message.Length > MaxMessageLength ? message[..MaxMessageLength] + "…" : message);
        }

        return status == GrpcStatusCodes.Unimplemented ? detail + " (no grpc.health.v1.Health service?)" : detail;
    }

    /// <summary>The whole body (which must be read for the trailers to arrive), or null when it is over the limit.</summary>
    private static async Task<byte[]?> ReadBody(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[MaxBodyBytes + 1];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await body.ReadAsync(buffer.AsMemory(total), cancellationToken)) > 0)
        {
            total += read;
        }

        return total > MaxBodyBytes ? null : buffer[..total];
    }
}
