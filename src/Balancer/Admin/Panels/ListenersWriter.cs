using System.Text.Json;
using Balancer.Core.Configuration;

namespace Balancer.Admin.Panels;

/// <summary>The routes panel: each listener, each route's match and action with its requests (split shares, mirror outcomes), and a <c>tcp</c> listener's series.</summary>
internal static class ListenersWriter
{
    public static void Write(Utf8JsonWriter json, AdminServices services, long first, long count)
    {
        var state = services.State;
        var history = state.History.Listeners;
        json.WriteStartObject("listeners");
        foreach (var (name, listener) in state.Config.Listeners.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            json.WriteStartObject(name);
            json.WriteString("protocol", listener.Protocol);
            json.WriteString("bind", listener.Bind);
            json.WriteString("address", state.BoundListeners.GetValueOrDefault(name));
            json.WriteBoolean("tls", listener.Tls is not null);
            if (listener.Protocol == ListenerProtocols.Tcp)
            {
                json.WriteString("pool", listener.Pool);
            }

            if (listener.RedirectToHttps is { } port)
            {
                json.WriteNumber("redirectToHttps", port);
            }

            if (listener.Protocol == ListenerProtocols.Http)
            {
                // The same routes, counts, split shares and mirror outcomes as /status.
                RouteStatusWriter.Write(json, name, state.RouteStats.Of(name), state.RateLimits);
            }

            if (history.TryGetValue(name, out var tcp))
            {
                SeriesWriter.WriteAll(json, "series", tcp.Named, first, count);
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
    }
}
