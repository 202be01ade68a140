using System.Buffers;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.AspNetCore.Http.Features;

namespace Balancer.Http;

/// <summary>
/// Serves HTTP/1.1 and HTTP/2 with prior knowledge (h2c, RFC 9113 §3.3) on one cleartext port,
/// as HAProxy and NGINX do. Kestrel only picks HTTP/2 on a mixed endpoint when ALPN said "h2",
/// so this connection middleware peeks at the first bytes: if they are the HTTP/2 connection
/// preface, it presents the connection to Kestrel as if ALPN had chosen h2. Nothing is consumed.
/// </summary>
/// <remarks>
/// Kestrel then takes the connection for TLS-capable, so it must accept the client's
/// <c>:scheme http</c> (<c>KestrelServerOptions.AllowAlternateSchemes</c>); without a TLS
/// handshake feature it skips the TLS checks of RFC 9113 §9.2.
/// </remarks>
internal static class CleartextHttp2Detection
{
    private static ReadOnlySpan<byte> Preface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    /// <param name="prefaceTimeout">
    /// How long a client may take to send its first 24 bytes: the listener's <c>requestHeadersTimeout</c>. Kestrel's
    /// own timeouts only start once this hands the connection on, so without it a silent connection would be held.
    /// </param>
    public static async Task OnConnection(ConnectionContext connection, ConnectionDelegate next, TimeSpan prefaceTimeout)
    {
        using var timeout = new CancellationTokenSource(prefaceTimeout);
        bool isHttp2;
        try
        {
            isHttp2 = await StartsWithPreface(connection.Transport.Input, timeout.Token);
        }
        catch (OperationCanceledException)
        {
            return; // Said nothing in time: close, as Kestrel's header timeout would.
        }
        catch (ConnectionResetException)
        {
            // Reset before its first bytes (a client behind a link that flapped, in the chaos run): nothing to serve,
            // and no error with a stack trace for it, as Kestrel logs a reset itself only at debug level.
            return;
        }

        if (isHttp2)
        {
            connection.Features.Set<ITlsConnectionFeature>(PriorKnowledge.Instance);
            connection.Features.Set<ITlsApplicationProtocolFeature>(PriorKnowledge.Instance);
        }

        await next(connection);
    }

    private static async Task<bool> StartsWithPreface(System.IO.Pipelines.PipeReader input, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            var verdict = Compare(buffer);
            if (verdict is not null || result.IsCompleted)
            {
                // Examined nothing: Kestrel's own read sees the same bytes at once.
                input.AdvanceTo(buffer.Start);
                return verdict ?? false;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>True/false once the bytes decide it, null while they are a strict prefix of the preface.</summary>
    private static bool? Compare(ReadOnlySequence<byte> buffer)
    {
        var length = (int)Math.Min(buffer.Length, Preface.Length);
        Span<byte> head = stackalloc byte[24];
        buffer.Slice(0, length).CopyTo(head);
        if (!head[..length].SequenceEqual(Preface[..length]))
        {
            return false;
        }

        return length == Preface.Length ? true : null;
    }

    private sealed class PriorKnowledge : ITlsConnectionFeature, ITlsApplicationProtocolFeature
    {
        public static readonly PriorKnowledge Instance = new();

        public ReadOnlyMemory<byte> ApplicationProtocol { get; } = "h2"u8.ToArray();

        public X509Certificate2? ClientCertificate
        {
            get => null;
            set { }
        }

        public Task<X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) => Task.FromResult<X509Certificate2?>(null);
    }
}
