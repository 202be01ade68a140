using Balancer.Reload;

namespace Balancer.Tests.Reload;

/// <summary>Which events the config watcher acts on, and that a busy neighbour cannot hold a reload back (issue 17, chaos run).</summary>
public sealed class FileWatcherTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("balancer-watch-").FullName;

    [Fact]
    public async Task Debounce_NeighbourWrittenAllTheTime_ReloadRunsWithoutWaitingForThePoll()
    {
        var config = Path.Combine(_dir, "balancer.json");
        var log = Path.Combine(_dir, "balancer.log");
        await File.WriteAllTextAsync(config, "{}");
        var time = new FakeTimeProvider();
        var reloads = 0;
        using var watcher = new FileWatcher([config], time, () => { Interlocked.Increment(ref reloads); return Task.CompletedTask; });

        await File.WriteAllTextAsync(config, "{ }");
        // Balancer's own log next to its config: a write every 100 ms of the watcher's clock, well inside its debounce.
        var elapsed = TimeSpan.Zero;
        while (Volatile.Read(ref reloads) == 0 && elapsed < FileWatcher.PollInterval)
        {
            await File.AppendAllTextAsync(log, "a log line\n");
            await Task.Delay(20); // lets the filesystem event arrive before the clock moves on
            time.Advance(TimeSpan.FromMilliseconds(100));
            elapsed += TimeSpan.FromMilliseconds(100);
        }

        Assert.Equal(1, reloads);
        Assert.True(elapsed < FileWatcher.PollInterval / 2, $"the reload waited {elapsed.TotalMilliseconds} ms: only the poll noticed the edit");
    }

    [Theory]
    [InlineData("balancer.json", null, true)]
    [InlineData("balancer.log", null, false)]
    [InlineData("balancer.json", "balancer.json.tmp", true)] // write-and-rename (sed -i, the chaos run)
    [InlineData("balancer.json~", "balancer.json", true)] // vim's backup rename moves the file away
    [InlineData("other.json", "other.json.tmp", false)]
    public void Concerns_OnlyTheWatchedFile(string name, string? oldName, bool expected)
    {
        var relevant = FileWatcher.Relevant([Path.Combine(_dir, "balancer.json")]);
        FileSystemEventArgs e = oldName is null
            ? new FileSystemEventArgs(WatcherChangeTypes.Changed, _dir, name)
            : new RenamedEventArgs(WatcherChangeTypes.Renamed, _dir, name, oldName);

        Assert.Equal(expected, FileWatcher.Concerns(relevant, e));
    }

    [Fact]
    public void Relevant_ConfigMapSymlink_IncludesTheDataEntryItGoesThrough()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "v1"));
        File.WriteAllText(Path.Combine(_dir, "v1", "balancer.json"), "{}");
        File.CreateSymbolicLink(Path.Combine(_dir, "..data"), "v1");
        File.CreateSymbolicLink(Path.Combine(_dir, "balancer.json"), Path.Combine("..data", "balancer.json"));

        var relevant = FileWatcher.Relevant([Path.Combine(_dir, "balancer.json")]);

        Assert.True(FileWatcher.Concerns(relevant, new RenamedEventArgs(WatcherChangeTypes.Renamed, _dir, "..data", "..data_tmp")));
        Assert.False(FileWatcher.Concerns(relevant, new FileSystemEventArgs(WatcherChangeTypes.Created, _dir, "..2026_12_07")));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
