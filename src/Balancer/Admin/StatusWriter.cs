using System.Text.Json;
using Balancer.Core.Configuration;
using Balancer.Core.Model;
using Balancer.Core.Tls;
using Balancer.Hosting;
using Balancer.Tls;

namespace Balancer.Admin;

/// <summary>Writes the <c>GET /status</c> document (the admin API contract in PRODUCT.md).</summary>
internal static class StatusWriter
{
    public static void Write(Utf8JsonWriter json, RuntimeState state, PoolRegistry pools, TimeProvider time)
    {
        var now = time.GetUtcNow();
        json.WriteStartObject();
        json.WriteString("version", typeof(StatusWriter).Assembly.GetName().Version?.ToString(3));
        json.WriteNumber("uptimeSeconds", Math.Round((now - state.StartedAt).TotalSeconds, 1));

        json.WriteStartObject("config");
        json.WriteString("path", state.ConfigPath);
        json.WriteString("hash", state.ConfigHash);
        WriteTime(json, "loadedAt", state.LoadedAt);
        json.WriteString("lastError", state.LastError);
        WriteTime(json, "lastErrorAt", state.LastErrorAt);
        json.WriteEndObject();

        FailoverStatusWriter.Write(json, state.Failover, state.Config.Failover is not null);
        AnnounceStatusWriter.Write(json, state.Announce, state.Config.Announce is not null);

        json.WriteStartObject("listeners");
        foreach (var (name, listener) in state.Config.Listeners)
        {
            json.WriteStartObject(name);
            json.WriteString("protocol", listener.Protocol);
            json.WriteString("bind", listener.Bind);
            json.WriteString("address", state.BoundListeners.GetValueOrDefault(name));
            if (listener.Protocol == ListenerProtocols.Http)
            {
                json.WriteString("forwarder", listener.Forwarder);
                RouteStatusWriter.Write(json, name, state.RouteStats.Of(name), state.RateLimits);
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
        WriteCertificates(json, state.Certificates, now);

        json.WriteStartObject("pools");
        foreach (var (name, pool) in pools.Pools)
        {
            WritePool(json, name, pool);
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WritePool(Utf8JsonWriter json, string name, Pool pool)
    {
        var snapshot = pool.Snapshot;
        json.WriteStartObject(name);
        json.WriteString("algorithm", snapshot.Algorithm.Name);
        json.WriteNumber("available", snapshot.Available.Length);
        json.WriteBoolean("panic", snapshot.Panic);
        TrafficStatusWriter.WritePool(json, pool, snapshot);
        json.WriteStartArray("backends");
        foreach (var b in snapshot.All)
        {
            var index = Array.IndexOf(snapshot.Available, b);
            json.WriteStartObject();
            json.WriteString("address", b.Address);
            json.WriteBoolean("healthy", b.Health == BackendHealth.Up);
            json.WriteString("health", b.Health.ToString().ToLowerInvariant());
            json.WriteString("healthReason", b.HealthReason);
            WriteTime(json, "healthChangedAt", b.HealthChangedAt);
            json.WriteBoolean("draining", b.Draining || b.Removed);
            json.WriteBoolean("drained", (b.Draining || b.Removed) && b.InFlight == 0);
            json.WriteBoolean("removed", b.Removed);
            json.WriteNumber("inflight", b.InFlight);
            json.WriteNumber("requests", b.Requests);
            json.WriteNumber("failures", b.Failures);
            json.WriteNumber("bytesIn", b.BytesIn);
            json.WriteNumber("bytesOut", b.BytesOut);
            json.WriteNumber("weight", b.Weight);
            json.WriteNumber("configuredWeight", b.ConfiguredWeight);
            if (b.WeightOverride is { } weightOverride)
            {
                json.WriteNumber("weightOverride", weightOverride); // set at run time; kept until a reload changes the backend
            }
            else
            {
                json.WriteNull("weightOverride");
            }

            json.WriteNumber("effectiveWeight", index < 0 ? 0 : Math.Round(snapshot.Weights[index], 2));
            json.WriteNumber("latencyMs", Math.Round(b.Latency.CurrentMilliseconds, 3));
            json.WriteNumber("affineRequests", b.AffineRequests);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteCertificates(Utf8JsonWriter json, CertificateRegistry certificates, DateTimeOffset now)
    {
        json.WriteStartArray("certificates");
        foreach (var listener in certificates.Listeners)
        {
            var table = listener.Table;
            foreach (var certificate in table.Certificates)
            {
                json.WriteStartObject();
                json.WriteString("listener", listener.Listener);
                json.WriteString("file", certificate.File);
                json.WriteString("subject", certificate.Subject);
                json.WriteStartArray("sans");
                foreach (var name in certificate.Pem.DnsNames)
                {
                    json.WriteStringValue(name);
                }

                json.WriteEndArray();
                json.WriteString("notAfter", certificate.NotAfter);
                json.WriteNumber("daysLeft", PemCertificateLoader.DaysLeft(certificate.Pem.Leaf, now));
                json.WriteBoolean("default", certificate == table.Default);
                json.WriteEndObject();
            }
        }

        json.WriteEndArray();
    }

    internal static void WriteTime(Utf8JsonWriter json, string name, DateTimeOffset? at)
    {
        if (at is { } value)
        {
            json.WriteString(name, value);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
