using Balancer.Core.Configuration;
using Balancer.Core.Model;

namespace Balancer.Tcp;

/// <summary>The listener a <see cref="TcpProxyHandler"/> serves: its name and its current config (a reload replaces it).</summary>
internal sealed class TcpListenerContext(string name, ListenerConfig config)
{
    private volatile ListenerConfig _config = config;

    public string Name { get; } = name;

    /// <summary>The listener's connections and bytes, for the dashboard.</summary>
    public ListenerCounters Counters { get; } = new();

    /// <summary>Read once per connection: timeouts, pool and PROXY settings apply to new connections.</summary>
    public ListenerConfig Config
    {
        get => _config;
        set => _config = value;
    }
}
