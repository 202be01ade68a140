using System.Text.Json;
using Balancer.Announce;
using Balancer.Core.Announce;

namespace Balancer.Admin;

/// <summary>Writes the <c>announce</c> object of <c>GET /status</c>: the state, why, and what the last check saw.</summary>
internal static class AnnounceStatusWriter
{
    public static void Write(Utf8JsonWriter json, AnnounceService? announce, bool configured)
    {
        json.WriteStartObject("announce");
        if (announce is null)
        {
            json.WriteString("state", configured ? "starting" : "disabled");
            json.WriteEndObject();
            return;
        }

        var snapshot = announce.Snapshot;
        var config = announce.Config;
        var addresses = announce.Interface;
        json.WriteString("state", Name(snapshot.State));
        // The decision's reason, and whether the kernel holds what it decided: "why" for the dashboard in one line.
        json.WriteString("reason", addresses.InSync ? snapshot.Reason : $"{snapshot.Reason}; but {addresses.Device} does not hold what that says: {addresses.LastError}");
        json.WriteString("since", snapshot.Since);
        json.WriteString("interface", addresses.Device);
        json.WriteStartArray("virtualIps");
        foreach (var address in addresses.Addresses)
        {
            json.WriteStringValue(address.ToString());
        }

        json.WriteEndArray();
        json.WriteBoolean("inSync", addresses.InSync);
        json.WriteString("lastError", addresses.LastError);
        json.WriteNumber("addressFailures", addresses.Failures);
        json.WriteNumber("addressLifetimeSeconds", snapshot.Options.AddressLifetime.TotalSeconds);
        json.WriteNumber("withdrawDelayMs", config.WithdrawDelay.TotalMilliseconds);
        json.WriteNumber("intervalMs", snapshot.Options.Interval.TotalMilliseconds);
        json.WriteNumber("rise", snapshot.Options.Rise);
        json.WriteNumber("fall", snapshot.Options.Fall);
        json.WriteNumber("streak", snapshot.Streak);
        json.WriteNumber("transitions", snapshot.Transitions);
        WriteCheck(json, snapshot);
        json.WriteStartObject("lastTransition");
        if (snapshot.LastTransition is { } last)
        {
            json.WriteString("from", Name(last.From));
            json.WriteString("to", Name(last.To));
            json.WriteString("reason", last.Reason);
            json.WriteString("at", last.At);
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>The state's name as /status and the metrics spell it.</summary>
    public static string Name(AnnounceState state) => state.ToString().ToLowerInvariant();

    private static void WriteCheck(Utf8JsonWriter json, AnnounceSnapshot snapshot)
    {
        json.WriteStartObject("check");
        if (snapshot.LastCheck is { } check)
        {
            StatusWriter.WriteTime(json, "at", snapshot.LastCheckAt);
            json.WriteBoolean("healthy", check.Healthy);
            json.WriteString("problem", check.Problem);
            json.WriteBoolean("listeners", check.ListenersServing);
            json.WriteStartArray("pools");
            foreach (var pool in check.Pools)
            {
                json.WriteStartObject();
                json.WriteString("name", pool.Name);
                json.WriteNumber("available", pool.Available);
                json.WriteNumber("backends", pool.Backends);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
    }
}
