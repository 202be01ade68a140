namespace Balancer.Chaos.Pair;

/// <summary>
/// Which namespaces hold the virtual IP, kept current by <c>ip -n NS monitor address</c> (each add and delete as the
/// kernel reports it, no polling lag), after reading the address list once at the start.
/// </summary>
internal sealed class VipMonitor : IDisposable
{
    private readonly Dictionary<string, bool> _holds = [];
    private readonly List<LineProcess> _monitors = [];
    private readonly string _vip;

    public VipMonitor(string vip, IEnumerable<string> namespaces)
    {
        _vip = vip + "/";
        foreach (var netns in namespaces)
        {
            _monitors.Add(new LineProcess(line => OnLine(netns, line), "ip", "-n", netns, "monitor", "address"));
        }

        Thread.Sleep(200); // the monitors subscribe before the first read, so no change falls between
        foreach (var netns in _holds.Keys.Concat(namespaces).Distinct().ToList())
        {
            var holds = Shell.Ip("-n", netns, "-brief", "addr", "show", "dev", "eth0").Contains(_vip, StringComparison.Ordinal);
            lock (_holds)
            {
                _holds.TryAdd(netns, holds);
            }
        }
    }

    public bool Holds(string netns)
    {
        lock (_holds)
        {
            return _holds.GetValueOrDefault(netns);
        }
    }

    public void Dispose() => _monitors.ForEach(m => m.Dispose());

    private void OnLine(string netns, string line)
    {
        if (!line.Contains(" inet " + _vip, StringComparison.Ordinal))
        {
            return;
        }

        lock (_holds)
        {
            _holds[netns] = !line.StartsWith("Deleted", StringComparison.Ordinal);
        }
    }
}
