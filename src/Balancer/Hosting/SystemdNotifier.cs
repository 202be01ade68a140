using System.Net.Sockets;
using System.Text;

namespace Balancer.Hosting;

/// <summary>
/// sd_notify(3) without libsystemd: one datagram to <c>$NOTIFY_SOCKET</c> per state change, so a
/// <c>Type=notify</c> unit is "started" only once every listener is bound, and systemd shows
/// reloads and the drain on stop. A no-op outside systemd.
/// </summary>
internal static class SystemdNotifier
{
    public static void Ready(string status) => Send($"READY=1\nSTATUS={status}");

    /// <summary>RELOADING=1 needs MONOTONIC_USEC since systemd 253 (<c>Type=notify-reload</c>); harmless before.</summary>
    public static void Reloading() => Send($"RELOADING=1\nMONOTONIC_USEC={Environment.TickCount64 * 1000}");

    public static void Stopping() => Send("STOPPING=1\nSTATUS=draining");

    private static void Send(string message)
    {
        var path = Environment.GetEnvironmentVariable("NOTIFY_SOCKET");
        if (string.IsNullOrEmpty(path))
        {
            return;
        }

        try
        {
            // A leading '@' names a socket in the abstract namespace (a leading NUL byte).
            var endpoint = new UnixDomainSocketEndPoint(path[0] == '@' ? "\0" + path[1..] : path);
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            socket.Connect(endpoint);
            socket.Send(Encoding.UTF8.GetBytes(message));
        }
        catch (SocketException)
        {
            // Notification is best effort: systemd's own timeouts report a silent service.
        }
    }
}
