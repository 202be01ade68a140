using Balancer.Core.Configuration;

namespace Balancer.Tcp;

/// <summary>The listener a <see cref="TcpProxyHandler"/> serves: its name and its current config (a reload replaces it).</summary>
internal sealed class TcpListenerContext(string name, ListenerConfig config)
{
    private volatile ListenerConfig _config = config;

    public string Name { get; } = name;

    /// <summary>Read once per connection: timeouts, pool and PROXY settings apply to new connections.</summary>
    public ListenerConfig Config
    {
        get => _config;
        set => _config = value;
    }
}
