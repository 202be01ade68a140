using System.Buffers;
using System.Text.Json;
using System.Threading.Channels;

namespace Balancer.Telemetry;

/// <summary>
/// One JSON line per request or connection, written by a background task so a slow disk or pipe
/// never blocks a request; when the queue is full, lines are dropped and counted rather than
/// letting memory grow.
/// </summary>
internal sealed class AccessLog : IAsyncDisposable
{
    private const int Capacity = 16 * 1024;
    private readonly Channel<byte[]> _lines = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly Stream _output;
    private readonly bool _ownsOutput;
    private readonly Task _writer;
    private long _dropped;

    private AccessLog(Stream output, bool ownsOutput)
    {
        _output = output;
        _ownsOutput = ownsOutput;
        _writer = Task.Run(WriteLoop);
    }

    /// <summary>Lines dropped because the writer fell behind.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Opens <c>stdout</c> or appends to a file.</summary>
    public static AccessLog Open(string target) => target == "stdout"
        ? new AccessLog(Console.OpenStandardOutput(), ownsOutput: false)
        : new AccessLog(new FileStream(target, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 64 * 1024), ownsOutput: true);

    /// <summary>Queues one entry.</summary>
    public void Write(in AccessLogEntry entry)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
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

            json.WriteEndObject();
        }

        buffer.Write("\n"u8);
        if (!_lines.Writer.TryWrite(buffer.WrittenSpan.ToArray()))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _lines.Writer.TryComplete();
        await _writer;
        if (_ownsOutput)
        {
            await _output.DisposeAsync();
        }
    }

    private async Task WriteLoop()
    {
        await foreach (var line in _lines.Reader.ReadAllAsync())
        {
            await _output.WriteAsync(line);
            if (_lines.Reader.Count == 0)
            {
                await _output.FlushAsync();
            }
        }
    }
}

/// <summary>What the access log records of one request (L7) or connection (L4).</summary>
internal readonly record struct AccessLogEntry(
    DateTimeOffset Time, string? Client, string Listener, string Method, string Path, string? Pool, string? Backend,
    int Status, long BytesIn, long BytesOut, TimeSpan Duration, int Retries, string? Forwarder = null);
