using Balancer.Core.Configuration;

namespace Balancer.Tcp;

/// <summary>The listener a <see cref="TcpProxyHandler"/> serves: its name and config.</summary>
internal sealed record TcpListenerContext(string Name, ListenerConfig Config);
