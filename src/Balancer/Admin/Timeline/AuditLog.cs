using System.Text.Json;
using Balancer.Telemetry;

namespace Balancer.Admin.Timeline;

/// <summary>
/// <c>admin.auditLog</c>: one JSON line per admin action, reload and failover transition — time, kind, action, target,
/// result, detail, how it came (<c>via</c>), the client address and the token's fingerprint when tokens are on —
/// appended to a file or written to stdout. Written in the background (<see cref="JsonLines"/>), so neither an admin
/// call nor a failover transition waits for the disk; a line that could not be written is counted, and the next one
/// says how many were lost (<c>droppedBefore</c>). Reopened on every reload, so logrotate can move the file away and
/// send SIGHUP.
/// </summary>
internal sealed class AuditLog : IAsyncDisposable
{
    private const int Capacity = 4096;

    private static readonly JsonWriterOptions s_options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly JsonLines _lines;
    private long _reportedDropped;

    private AuditLog(string target, JsonLines lines)
    {
        Target = target;
        _lines = lines;
    }

    /// <summary><c>stdout</c> or the file's full path.</summary>
    public string Target { get; }

    /// <summary>
    /// Opens <paramref name="target"/>: <c>stdout</c>, or a file (created if missing, appended to) resolved against
    /// <paramref name="directory"/>. <paramref name="held"/>: it writes nothing before <see cref="Begin"/>.
    /// </summary>
    /// <exception cref="IOException">The file cannot be opened for appending.</exception>
    /// <exception cref="UnauthorizedAccessException">This user may not write it.</exception>
    public static AuditLog Open(string target, string directory, bool held = false)
    {
        var path = target == "stdout" ? target : Path.GetFullPath(target, directory);
        return new AuditLog(path, JsonLines.Open(path, Capacity, 4096, held));
    }

    /// <summary>Starts writing a log opened held, once the log it replaces is closed (see <see cref="JsonLines.Go"/>).</summary>
    public void Begin() => _lines.Go();

    /// <summary>Queues the line of one event.</summary>
    public void Write(TimelineEvent e)
    {
        var dropped = _lines.Dropped;
        var lost = dropped - Interlocked.Exchange(ref _reportedDropped, dropped);
        _lines.Write((e, lost), static (json, line) =>
        {
            json.WriteStartObject();
            json.WriteString("time", line.e.Time);
            TimelineJson.WriteFields(json, line.e);
            json.WriteString("tokenFingerprint", line.e.Actor.TokenFingerprint);
            if (line.lost > 0)
            {
                json.WriteNumber("droppedBefore", line.lost);
            }

            json.WriteEndObject();
        }, s_options);
    }

    public ValueTask DisposeAsync() => _lines.DisposeAsync();
}
