using System.Net;
using System.Net.Sockets;
using Balancer.Core.Configuration;
using Balancer.Hosting;

namespace Balancer.Reload;

/// <summary>Checks a valid config against the running process before a reload applies it.</summary>
internal static class RunningConfigCheck
{
    /// <summary>What a valid file still cannot do to this running process, each said precisely.</summary>
    public static List<string> Problems(BalancerConfig config, RuntimeState state, ListenerSet listeners, TelemetryConfig telemetry)
    {
        var path = state.ConfigPath;
        var running = state.Config;
        var problems = new List<string>();
        if (config.Admin.Bind != running.Admin.Bind)
        {
            problems.Add($"{path}: admin.bind cannot change while running ({running.Admin.Bind} → {config.Admin.Bind}); restart balancer to move the admin API");
        }

        if (config.Admin.TokenFile != running.Admin.TokenFile)
        {
            problems.Add($"{path}: admin.tokenFile cannot change while running; restart balancer to change it (the file's content is re-read on every call)");
        }

        if (config.Telemetry != telemetry)
        {
            problems.Add($"{path}: telemetry cannot change while running; restart balancer to change the OTLP endpoint, sampling or access log");
        }

        var failover = state.Failover;
        if ((config.Failover is null) != (failover is null))
        {
            problems.Add($"{path}: failover cannot be {(failover is null ? "added" : "removed")} while running; restart balancer");
        }
        else if (failover is not null)
        {
            problems.AddRange(failover.CheckReload(config.Failover!).Select(p => $"{path}: {p}"));
        }

        if ((config.Announce is null) != (state.Announce is null))
        {
            problems.Add($"{path}: announce cannot be {(state.Announce is null ? "added" : "removed")} while running; restart balancer (a stop withdraws first)");
        }

        // Addresses this process holds now and would still hold, or give up, after the reload.
        var released = listeners.All.Where(l => !config.Listeners.TryGetValue(l.Name, out var next) || !ListenerHosts.CanUpdateInPlace(l.Config, next)).Select(l => l.Config.Bind).ToHashSet();
        foreach (var (name, listener) in config.Listeners)
        {
            var host = listeners.Get(name);
            if ((host is not null && ListenerHosts.CanUpdateInPlace(host.Config, listener)) || released.Contains(listener.Bind))
            {
                continue;
            }

            if (TryBind(listener.Bind) is { } error)
            {
                problems.Add($"{path}: listeners.{name}.bind: cannot listen on {listener.Bind}: {error}");
            }
        }

        return problems;
    }

    private static string? TryBind(string bind)
    {
        var endpoint = BindAddress.Parse(bind);
        if (endpoint.Port == 0)
        {
            return null;
        }

        try
        {
            using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            if (endpoint.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.Bind(endpoint);
            return null;
        }
        catch (SocketException e)
        {
            return e.Message;
        }
    }
}
