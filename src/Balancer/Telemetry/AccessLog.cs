namespace Balancer.Telemetry;

/// <summary>
/// One JSON line per request or connection, written by a background task so a slow disk or pipe
/// never blocks a request; when the queue is full, lines are dropped and counted rather than
/// letting memory grow.
/// </summary>
internal sealed class AccessLog : IAsyncDisposable
{
    private const int Capacity = 16 * 1024;
    private readonly JsonLines _lines;

    private AccessLog(JsonLines lines) => _lines = lines;

    /// <summary>Lines dropped because the writer fell behind.</summary>
    public long Dropped => _lines.Dropped;

    /// <summary>Opens <c>stdout</c> or appends to a file.</summary>
    public static AccessLog Open(string target) => new(JsonLines.Open(target, Capacity, 64 * 1024));

    /// <summary>Queues one entry.</summary>
    public void Write(in AccessLogEntry entry) => _lines.Write(entry, static (json, entry) =>
    {
        json.WriteStartObject();
        json.WriteString("time", entry.Time);
        json.WriteString("client", entry.Client);
        json.WriteString("listener", entry.Listener);
        json.WriteString("method", entry.Method);
        json.WriteString("path", entry.Path);
        json.WriteString("pool", entry.Pool);
        json.WriteString("backend", entry.Backend);
        json.WriteNumber("status", entry.Status);
        json.WriteNumber("bytesIn", entry.BytesIn);
        json.WriteNumber("bytesOut", entry.BytesOut);
        json.WriteNumber("durationMs", Math.Round(entry.Duration.TotalMilliseconds, 3));
        json.WriteNumber("retries", entry.Retries);
        if (entry.Forwarder is { } forwarder)
        {
            json.WriteString("forwarder", forwarder);
        }

        if (entry.GrpcStatus >= 0)
        {
            json.WriteNumber("grpcStatus", entry.GrpcStatus);
        }

        json.WriteEndObject();
    });

    public ValueTask DisposeAsync() => _lines.DisposeAsync();
}

/// <summary>What the access log records of one request (L7) or connection (L4); <c>GrpcStatus</c> only of a gRPC call (-1 otherwise).</summary>
internal readonly record struct AccessLogEntry(
    DateTimeOffset Time, string? Client, string Listener, string Method, string Path, string? Pool, string? Backend,
    int Status, long BytesIn, long BytesOut, TimeSpan Duration, int Retries, string? Forwarder = null, int GrpcStatus = -1);
