using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Balancer.Tests.Common;

namespace Balancer.Tests.Failover;

/// <summary>A node's admin API as seen from inside its namespace, and what /proc says of its process.</summary>
internal static partial class NodeStatus
{
    /// <summary>The node's <c>/status</c> <c>failover</c> object, fetched with curl inside <paramref name="netns"/>.</summary>
    public static JsonElement Failover(string netns, BalancerProcess node)
    {
        var port = AdminLine().Match(node.Stdout) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException($"no admin line yet: {node.Stdout}");
        var (code, body) = NetnsTopology.Run("ip", "netns", "exec", netns, "curl", "-s", "-m", "5", $"http://127.0.0.1:{port}/status");
        return code == 0 ? JsonDocument.Parse(body).RootElement.GetProperty("failover").Clone() : throw new InvalidOperationException($"curl /status: {body}");
    }

    /// <summary>The process's CPU time so far (user + system), from /proc/PID/stat.</summary>
    public static TimeSpan CpuTime(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // field 3 on, after the command name
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture); // utime, stime
        return TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ is 100 on Linux
    }

    [GeneratedRegex(@"admin API serving on 127\.0\.0\.1:(\d+)")]
    private static partial Regex AdminLine();
}
