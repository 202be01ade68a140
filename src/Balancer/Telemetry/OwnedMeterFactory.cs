using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Balancer.Telemetry;

/// <summary>
/// The one <see cref="IMeterFactory"/> of a Balancer process, shared by every web host it runs (each listener, admin):
/// Kestrel's meter is then one meter for all listeners, told apart by its tags, and outlives a listener a reload
/// removes. With a meter per host, the OpenTelemetry SDK merges same-named instruments of the hosts into one stream
/// and drops it for all of them when one host disposes its meter. Meters it made carry it as their
/// <see cref="Meter.Scope"/>, which is how <see cref="TelemetryHost"/> collects its own meters and no others.
/// </summary>
internal sealed class OwnedMeterFactory : IMeterFactory
{
    private readonly ConcurrentDictionary<(string Name, string? Version), Meter> _meters = new();

    public Meter Create(MeterOptions options) =>
        // Tags are not part of the key: none of the meters Balancer or ASP.NET Core create here carry any.
        _meters.GetOrAdd((options.Name, options.Version), static (_, state) =>
            new Meter(new MeterOptions(state.Options.Name) { Version = state.Options.Version, Tags = state.Options.Tags, Scope = state.Factory }), (Options: options, Factory: this));

    /// <summary>Whether <paramref name="meter"/> was made here.</summary>
    public bool Owns(Meter meter) => ReferenceEquals(meter.Scope, this);

    /// <summary>Disposes one meter made here (a retired pool's), so that its series leave the exposition.</summary>
    public void Dispose(string name)
    {
        foreach (var key in _meters.Keys.Where(k => k.Name == name))
        {
            if (_meters.TryRemove(key, out var meter))
            {
                meter.Dispose();
            }
        }
    }

    public void Dispose()
    {
        foreach (var meter in _meters.Values)
        {
            meter.Dispose();
        }

        _meters.Clear();
    }
}
