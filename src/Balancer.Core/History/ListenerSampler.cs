using Balancer.Core.Model;

namespace Balancer.Core.History;

/// <summary>The <c>tcp</c> listeners' part of a <see cref="TrafficSampler"/> sample.</summary>
internal sealed class ListenerSampler(TrafficHistory history)
{
    private readonly Dictionary<string, ListenerHistory> _listeners = new(StringComparer.Ordinal);

    public void Sample(IReadOnlyList<KeyValuePair<string, ListenerCounters>> listeners, long sequence, double seconds)
    {
        var changed = _listeners.Count != listeners.Count;
        foreach (var (name, counters) in listeners)
        {
            if (!_listeners.TryGetValue(name, out var listener) || listener.Source != counters)
            {
                // A listener started anew (a rebind) has new counters, which start from zero.
                _listeners[name] = listener = new ListenerHistory(name, counters, history);
                changed = true;
            }

            var (connections, bytesIn, bytesOut) = (counters.Connections, counters.BytesIn, counters.BytesOut);
            listener.Connections.Write(sequence, (connections - listener.PreviousConnections) / seconds);
            listener.BytesIn.Write(sequence, (bytesIn - listener.PreviousBytesIn) / seconds);
            listener.BytesOut.Write(sequence, (bytesOut - listener.PreviousBytesOut) / seconds);
            listener.Active.Write(sequence, counters.Active);
            (listener.PreviousConnections, listener.PreviousBytesIn, listener.PreviousBytesOut) = (connections, bytesIn, bytesOut);
        }

        if (changed)
        {
            var live = listeners.Select(l => l.Key).ToHashSet(StringComparer.Ordinal);
            foreach (var gone in _listeners.Keys.Where(name => !live.Contains(name)).ToList())
            {
                _listeners.Remove(gone);
            }

            history.SetListeners(new Dictionary<string, ListenerHistory>(_listeners, StringComparer.Ordinal));
        }
    }
}
