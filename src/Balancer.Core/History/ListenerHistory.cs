using Balancer.Core.Model;

namespace Balancer.Core.History;

/// <summary>The series of one <c>tcp</c> listener.</summary>
public sealed class ListenerHistory
{
    internal ListenerHistory(string name, ListenerCounters source, TrafficHistory history)
    {
        Name = name;
        Source = source;
        Connections = history.NewSeries();
        Active = history.NewSeries();
        BytesIn = history.NewSeries();
        BytesOut = history.NewSeries();
        Named = [("connections", Connections), ("active", Active), ("bytesIn", BytesIn), ("bytesOut", BytesOut)];
    }

    /// <summary>Every series with the name the dashboard knows it by, in the order it lists them.</summary>
    public IReadOnlyList<(string Name, Series Series)> Named { get; }

    /// <summary>The listener's name.</summary>
    public string Name { get; }

    /// <summary>Connections accepted per second.</summary>
    public Series Connections { get; }

    /// <summary>Connections open at the sample.</summary>
    public Series Active { get; }

    /// <summary>Bytes per second from clients to backends.</summary>
    public Series BytesIn { get; }

    /// <summary>Bytes per second from backends to clients.</summary>
    public Series BytesOut { get; }

    /// <summary>The counters read (a listener started anew has new ones).</summary>
    internal ListenerCounters Source { get; }

    internal long PreviousConnections { get; set; }

    internal long PreviousBytesIn { get; set; }

    internal long PreviousBytesOut { get; set; }
}
