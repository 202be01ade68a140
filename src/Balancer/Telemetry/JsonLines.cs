using System.Buffers;
using System.Text.Json;
using System.Threading.Channels;

namespace Balancer.Telemetry;

/// <summary>
/// JSON lines appended to a file or written to stdout by a background task, so a slow disk or pipe never blocks the
/// caller: a bounded queue that drops (and counts) what does not fit rather than letting memory grow, flushed whenever
/// it empties. The access log and the audit log are two.
/// </summary>
internal sealed class JsonLines : IAsyncDisposable
{
    private readonly Channel<byte[]> _lines;
    private readonly Stream _output;
    private readonly bool _ownsOutput;
    private readonly Task _writer;
    private readonly TaskCompletionSource _go = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _dropped;

    private JsonLines(Stream output, bool ownsOutput, int capacity, bool held)
    {
        _lines = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
        _output = output;
        _ownsOutput = ownsOutput;
        _writer = Task.Run(WriteLoop);
        if (!held)
        {
            Go();
        }
    }

    /// <summary>Lines dropped: the queue was full, or the disk refused them.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>
    /// Opens <c>stdout</c>, or a file to append to (created if missing). <paramref name="held"/>: lines are queued but
    /// not written until <see cref="Go"/> — the reopened file of a reload waits for the old writer to finish.
    /// </summary>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    /// <exception cref="UnauthorizedAccessException">This user may not write it.</exception>
    public static JsonLines Open(string target, int capacity, int bufferSize, bool held = false) => target == "stdout"
        ? new JsonLines(Console.OpenStandardOutput(), ownsOutput: false, capacity, held)
        : new JsonLines(new FileStream(target, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize), ownsOutput: true, capacity, held);

    /// <summary>
    /// Starts writing, at the file's end as it is now. A FileStream writes at the offset it tracks itself (pwrite), not
    /// with O_APPEND: two open on one file — the old and the reopened audit log of a reload — wrote over each other's
    /// lines (a fresh-clone run read a line starting mid-timestamp). So the second starts only after the first is
    /// closed, from where that one ended.
    /// </summary>
    public void Go() => _go.TrySetResult();

    /// <summary>Queues the object <paramref name="write"/> writes, as one line.</summary>
    public void Write<T>(in T item, Action<Utf8JsonWriter, T> write, JsonWriterOptions options = default)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, options))
        {
            write(json, item);
        }

        buffer.Write("\n"u8);
        if (!_lines.Writer.TryWrite(buffer.WrittenSpan.ToArray()))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    /// <summary>Writes what is queued (for at most 5 s), then closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        _lines.Writer.TryComplete();
        Go(); // a log never started still writes what it holds
        await _writer.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
        if (_ownsOutput)
        {
            await _output.DisposeAsync();
        }
    }

    private async Task WriteLoop()
    {
        await _go.Task;
        if (_output.CanSeek)
        {
            _output.Seek(0, SeekOrigin.End);
        }

        await foreach (var line in _lines.Reader.ReadAllAsync())
        {
            try
            {
                await _output.WriteAsync(line);
                if (_lines.Reader.Count == 0)
                {
                    await _output.FlushAsync();
                }
            }
            catch (IOException)
            {
                Interlocked.Increment(ref _dropped); // a full disk: counted, and the next lines are tried
            }
        }
    }
}
