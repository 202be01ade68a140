using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Balancer.Tls;

/// <summary>The https listeners of the process, so /status and the expiry gauge can list what each one serves.</summary>
internal sealed class CertificateRegistry
{
    private readonly ConcurrentDictionary<string, ListenerTls> _listeners = new(StringComparer.Ordinal);

    public void Add(ListenerTls tls) => _listeners[tls.Listener] = tls;

    /// <summary>Forgets <paramref name="tls"/> unless a listener of the same name replaced it meanwhile.</summary>
    public void Remove(ListenerTls tls) => _listeners.TryRemove(new KeyValuePair<string, ListenerTls>(tls.Listener, tls));

    /// <summary>Every https listener, by name.</summary>
    public IEnumerable<ListenerTls> Listeners => _listeners.Values.OrderBy(l => l.Listener, StringComparer.Ordinal);

    /// <summary>Each served certificate's expiry as unix seconds, tagged with listener and subject.</summary>
    public IEnumerable<Measurement<long>> ExpiryMeasurements() =>
        from listener in Listeners
        from certificate in listener.Table.Certificates
        select new Measurement<long>(certificate.NotAfter.ToUnixTimeSeconds(), new("listener", listener.Listener), new("subject", certificate.Subject));

}
