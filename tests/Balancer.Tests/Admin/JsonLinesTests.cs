using System.Text.Json;
using Balancer.Telemetry;

namespace Balancer.Tests.Admin;

/// <summary>The background JSON-lines writer behind the audit log: a reload's reopen of the same file.</summary>
public sealed class JsonLinesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("balancer-jsonlines-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task ReopenedOnTheSameFile_HeldUntilTheOldIsClosed_EveryLineWholeAndInOrder()
    {
        // A reload reopens the audit log (for logrotate) while the old one may still have lines queued. FileStream
        // writes at the offset it tracks, not with O_APPEND: two writers on one file overwrote each other's lines.
        var path = Path.Combine(_dir, "audit.log");
        var old = JsonLines.Open(path, 1_000, 4096);
        var next = JsonLines.Open(path, 1_000, 4096, held: true);
        for (var i = 0; i < 300; i++)
        {
            old.Write(i, static (json, n) => Line(json, "old", n));
            next.Write(i, static (json, n) => Line(json, "new", n));
        }

        await old.DisposeAsync();
        next.Go();
        await next.DisposeAsync();

        var lines = File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(600, lines.Count);
        Assert.Equal([.. Enumerable.Range(0, 300).Select(n => ("old", n)), .. Enumerable.Range(0, 300).Select(n => ("new", n))],
            lines.Select(l => (l.GetProperty("log").GetString(), l.GetProperty("n").GetInt32())));
    }

    [Fact]
    public async Task NeverStarted_StillWritesWhatItHoldsWhenClosed()
    {
        var path = Path.Combine(_dir, "audit.log");
        var held = JsonLines.Open(path, 10, 4096, held: true);
        held.Write(1, static (json, n) => Line(json, "held", n));

        await held.DisposeAsync();

        Assert.Equal("""{"log":"held","n":1}""", Assert.Single(File.ReadAllLines(path)));
    }

    private static void Line(Utf8JsonWriter json, string log, int n)
    {
        json.WriteStartObject();
        json.WriteString("log", log);
        json.WriteNumber("n", n);
        json.WriteEndObject();
    }
}
