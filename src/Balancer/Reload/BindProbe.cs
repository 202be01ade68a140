using System.Net;
using System.Net.Sockets;
using Balancer.Hosting;

namespace Balancer.Reload;

/// <summary>A reload's check that a new listener's address can be bound, before anything of the reload is applied.</summary>
internal static class BindProbe
{
    /// <summary>Binds <paramref name="bind"/> for a moment: null when it is free (or an ephemeral port), else why not.</summary>
    public static string? TryBind(string bind)
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
