using System.Security.Cryptography;

namespace Balancer.Reload;

/// <summary>
/// Notices edits of a set of files (the config file; the certificates and keys) however tools write them: in place, write-to-temp + rename
/// (vim, sed -i), or a symlink swap of the directory (Kubernetes ConfigMaps swap <c>..data</c>).
/// It watches each file's whole directory, waits for a quiet <see cref="Debounce"/> so a burst of writes
/// (certbot writes cert and key one after the other) is one reload, and acts only when the files' content hash changed. A slow poll backs up the
/// watcher, whose events can be lost (inotify queue overflow, network filesystems).
/// </summary>
internal sealed class FileWatcher : IDisposable
{
    /// <summary>Quiet time after the last event before reloading.</summary>
    public static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(250);

    /// <summary>How often the file is re-read in case an event was missed.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    private readonly string[] _paths;
    private HashSet<string> _relevant;
    private readonly Func<Task> _reload;
    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly ITimer _debounce;
    private readonly ITimer _poll;
    private string _lastHash;
    private int _running;

    public FileWatcher(IEnumerable<string> paths, TimeProvider time, Func<Task> reload)
    {
        _paths = [.. paths.Select(Path.GetFullPath).Distinct(StringComparer.Ordinal)];
        _reload = reload;
        _relevant = Relevant(_paths);
        _lastHash = HashOf(_paths);
        _debounce = time.CreateTimer(_ => Check(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _poll = time.CreateTimer(_ => Check(), null, PollInterval, PollInterval);
        foreach (var directory in _paths.Select(p => Path.GetDirectoryName(p)!).Distinct(StringComparer.Ordinal))
        {
            try
            {
                var watcher = new FileSystemWatcher(directory)
                {
                    NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
                    IncludeSubdirectories = false,
                };
                watcher.Changed += OnEvent;
                watcher.Created += OnEvent;
                watcher.Deleted += OnEvent;
                watcher.Renamed += OnEvent;
                watcher.EnableRaisingEvents = true;
                _watchers.Add(watcher);
            }
            catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException)
            {
                // the poll still notices changes
            }
        }
    }

    public void Dispose()
    {
        foreach (var watcher in _watchers)
        {
            watcher.Dispose();
        }

        _debounce.Dispose();
        _poll.Dispose();
    }

    /// <summary>The SHA-256 of the files' contents in order (of one file, as the loader computes it); empty when one is unreadable (mid-rename).</summary>
    internal static string HashOf(IReadOnlyList<string> paths)
    {
        try
        {
            if (paths.Count == 1)
            {
                return Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(paths[0])));
            }

            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            foreach (var path in paths)
            {
                hash.AppendData(SHA256.HashData(File.ReadAllBytes(path)));
            }

            return Convert.ToHexStringLower(hash.GetHashAndReset());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    /// <summary>
    /// Whether an event in a watched directory can change what a watched file reads: the file itself written, created,
    /// deleted or renamed onto or away, or the entry its symlink goes through (a ConfigMap's <c>..data</c>). A
    /// neighbour's events do not count: a log file written next to the config would otherwise re-arm the debounce
    /// for as long as it is written to, and every edit would wait for the poll.
    /// </summary>
    internal static bool Concerns(IReadOnlySet<string> relevant, FileSystemEventArgs e) =>
        relevant.Contains(e.FullPath) || (e is RenamedEventArgs renamed && relevant.Contains(renamed.OldFullPath));

    /// <summary>The watched files and, for those that are symlinks, the first entry of their target in the same directory.</summary>
    internal static HashSet<string> Relevant(IEnumerable<string> paths)
    {
        var relevant = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            relevant.Add(path);
            var directory = Path.GetDirectoryName(path)!;
            if (new FileInfo(path).LinkTarget is { } target
                && Path.GetFullPath(target, directory) is var full && full.StartsWith(directory + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                relevant.Add(Path.Combine(directory, full[(directory.Length + 1)..].Split(Path.DirectorySeparatorChar)[0]));
            }
        }

        return relevant;
    }

    private void OnEvent(object sender, FileSystemEventArgs e)
    {
        if (Concerns(Volatile.Read(ref _relevant), e))
        {
            _debounce.Change(Debounce, Timeout.InfiniteTimeSpan);
        }
    }

    private void Check()
    {
        // One reload at a time; the one running re-checks when it ends.
        if (Interlocked.Exchange(ref _running, 1) != 0)
        {
            return;
        }

        var hash = HashOf(_paths);
        // Unreadable (between unlink and rename) or unchanged: nothing to do yet.
        if (hash.Length == 0 || hash == _lastHash)
        {
            Volatile.Write(ref _running, 0);
            return;
        }

        _lastHash = hash;
        Volatile.Write(ref _relevant, Relevant(_paths)); // a reload may have re-pointed a symlink
        _ = RunReload();
    }

    private async Task RunReload()
    {
        try
        {
            await _reload();
        }
        finally
        {
            Volatile.Write(ref _running, 0);
            // A change that landed while reloading is picked up by the next check.
            _debounce.Change(Debounce, Timeout.InfiniteTimeSpan);
        }
    }
}
