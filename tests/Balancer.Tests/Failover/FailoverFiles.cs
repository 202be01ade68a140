using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Balancer.Tests.Failover;

/// <summary>
/// A temp folder for a failover pair: the shared key (mode 0600), one notify hook per node that appends
/// "$1 $2" to that node's log, and each node's config. Deleted on dispose.
/// </summary>
public sealed class FailoverFiles : IDisposable
{
    public FailoverFiles()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("balancer-failover-").FullName;
        KeyFile = Path.Combine(Directory, "peer.key");
        File.WriteAllText(KeyFile, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)) + "\n");
        SetMode(KeyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    public string Directory { get; }

    public string KeyFile { get; }

    /// <summary>A UDP port free on 127.0.0.1 right now.</summary>
    public static int FreeUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>Writes node <paramref name="nodeId"/>'s config and hook; returns the config path.</summary>
    /// <param name="failoverFields">More fields of the failover block, JSON without braces, e.g. <c>"vipAction": "none"</c>.</param>
    public string WriteNode(string nodeId, int priority, string bind, string peer, string failoverFields, string listenerBind = "127.0.0.1:0", string backend = "http://127.0.0.1:9", string? keyFile = null)
    {
        var hook = Path.Combine(Directory, $"hook-{nodeId}.sh");
        File.WriteAllText(hook, $"#!/bin/sh\necho \"$1 $2\" >> '{HookLog(nodeId)}'\n");
        SetMode(hook, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var config = Path.Combine(Directory, $"{nodeId}.json");
        File.WriteAllText(config, $$"""
            {
              "listeners": { "web": { "bind": "{{listenerBind}}", "routes": [ { "pool": "web" } ] } },
              "pools": { "web": { "backends": [ { "address": "{{backend}}" } ] } },
              "failover": {
                "nodeId": "{{nodeId}}", "priority": {{priority}}, "bind": "{{bind}}", "peers": ["{{peer}}"],
                "advertInterval": "100ms", "keyFile": "{{keyFile ?? KeyFile}}",
                "notify": { "onMaster": "{{hook}}", "onBackup": "{{hook}}", "onFault": "{{hook}}" },
                {{failoverFields}}
              },
              "admin": { "bind": "127.0.0.1:0" }
            }
            """);
        return config;
    }

    /// <summary>How many times node <paramref name="nodeId"/>'s hook has reported <paramref name="state"/>.</summary>
    public int HookCount(string nodeId, string state) =>
        File.Exists(HookLog(nodeId)) ? File.ReadAllLines(HookLog(nodeId)).Count(l => l.StartsWith(state + " ", StringComparison.Ordinal)) : 0;

    /// <summary>Waits until node <paramref name="nodeId"/>'s hook reported <paramref name="state"/> <paramref name="times"/> times; returns how long that took.</summary>
    public async Task<TimeSpan> WaitForHookAsync(string nodeId, string state, int times, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (HookCount(nodeId, state) < times)
        {
            if (watch.Elapsed > timeout)
            {
                var log = File.Exists(HookLog(nodeId)) ? File.ReadAllText(HookLog(nodeId)) : "(no hook ran)";
                throw new TimeoutException($"{nodeId} did not report {state} x{times} within {timeout.TotalSeconds} s; hook log: {log}");
            }

            await Task.Delay(10);
        }

        return watch.Elapsed;
    }

    /// <summary>The state node <paramref name="nodeId"/>'s hook reported last, or null.</summary>
    public string? LastHook(string nodeId) =>
        File.Exists(HookLog(nodeId)) ? File.ReadAllLines(HookLog(nodeId)).LastOrDefault()?.Split(' ')[0] : null;

    /// <summary>Waits until <paramref name="master"/>'s last hook says master and <paramref name="backup"/>'s says backup.</summary>
    public Task WaitForRolesAsync(string master, string backup, TimeSpan timeout) =>
        Common.Wait.Until(() => LastHook(master) == "master" && LastHook(backup) == "backup", timeout, $"{master} master and {backup} backup");

    /// <summary>Writes <paramref name="keys"/>, one hex key per line, to <paramref name="path"/> (mode 0600).</summary>
    public static void WriteKeys(string path, params string[] keys)
    {
        File.WriteAllText(path, string.Join("\n", keys) + "\n");
        SetMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    /// <summary>A new random key, as <c>openssl rand -hex 32</c> makes.</summary>
    public static string NewKey() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public string HookLog(string nodeId) => Path.Combine(Directory, $"{nodeId}.hooks");

    private static void SetMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
