using System.Security.Cryptography;

namespace Balancer.Reload;

/// <summary>
/// Notices edits of the config file however tools write it: in place, write-to-temp + rename
/// (vim, sed -i), or a symlink swap of the directory (Kubernetes ConfigMaps swap <c>..data</c>).
/// It watches the whole directory, waits for a quiet <see cref="Debounce"/> so a burst of writes
/// is one reload, and acts only when the file's content hash changed. A slow poll backs up the
/// watcher, whose events can be lost (inotify queue overflow, network filesystems).
/// </summary>
internal sealed class ConfigWatcher : IDisposable
{
    /// <summary>Quiet time after the last event before reloading.</summary>
    public static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(250);

    /// <summary>How often the file is re-read in case an event was missed.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    private readonly string _path;
    private readonly Func<Task> _reload;
    private readonly FileSystemWatcher? _watcher;
    private readonly ITimer _debounce;
    private readonly ITimer _poll;
    private string _lastHash;
    private int _running;

    public ConfigWatcher(string path, TimeProvider time, Func<Task> reload)
    {
        _path = Path.GetFullPath(path);
        _reload = reload;
        _lastHash = HashOf(_path);
        _debounce = time.CreateTimer(_ => Check(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _poll = time.CreateTimer(_ => Check(), null, PollInterval, PollInterval);
        try
        {
            _watcher = new FileSystemWatcher(Path.GetDirectoryName(_path)!)
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
                IncludeSubdirectories = false,
            };
            _watcher.Changed += OnEvent;
            _watcher.Created += OnEvent;
            _watcher.Deleted += OnEvent;
            _watcher.Renamed += OnEvent;
            _watcher.EnableRaisingEvents = true;
        }
        catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException)
        {
            _watcher = null; // the poll still notices changes
        }
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _debounce.Dispose();
        _poll.Dispose();
    }

    /// <summary>The SHA-256 of the file as the loader computes it; empty when unreadable (mid-rename).</summary>
    internal static string HashOf(string path)
    {
        try
        {
            return Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    private void OnEvent(object sender, FileSystemEventArgs e) => _debounce.Change(Debounce, Timeout.InfiniteTimeSpan);

    private void Check()
    {
        // One reload at a time; the one running re-checks when it ends.
        if (Interlocked.Exchange(ref _running, 1) != 0)
        {
            return;
        }

        var hash = HashOf(_path);
        // Unreadable (between unlink and rename) or unchanged: nothing to do yet.
        if (hash.Length == 0 || hash == _lastHash)
        {
            Volatile.Write(ref _running, 0);
            return;
        }

        _lastHash = hash;
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
