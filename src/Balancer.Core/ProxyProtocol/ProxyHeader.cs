using System.Net;
using System.Net.Sockets;

namespace Balancer.Core.ProxyProtocol;

/// <summary>
/// What a PROXY protocol header says about a connection: the original client (source) and the address
/// it connected to (destination). Null endpoints mean unknown (v1 <c>UNKNOWN</c>, v2 <c>LOCAL</c> or
/// <c>AF_UNSPEC</c>): the receiver then uses the real connection's addresses (spec sections 2.1, 2.2).
/// </summary>
public sealed record ProxyHeader(IPEndPoint? Source, IPEndPoint? Destination)
{
    /// <summary>The PROXY protocol signature of v2 (spec section 2.2), 12 bytes.</summary>
    public static ReadOnlySpan<byte> V2Signature => [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    /// <summary>A header that says nothing about the addresses.</summary>
    public static ProxyHeader Unknown { get; } = new(null, null);

    /// <summary>True when both addresses are known.</summary>
    public bool IsKnown => Source is not null && Destination is not null;

    /// <summary>
    /// Both endpoints in one address family, as both header versions need: IPv4 when both are IPv4 or
    /// IPv4-mapped, otherwise IPv6 with IPv4 mapped (HAProxy does the same); null when unknown.
    /// </summary>
    internal (IPEndPoint Source, IPEndPoint Destination)? SameFamily()
    {
        if (Source is not { } source || Destination is not { } destination)
        {
            return null;
        }

        var src = Unmap(source);
        var dst = Unmap(destination);
        if (src.AddressFamily == dst.AddressFamily)
        {
            return (src, dst);
        }

        return (new IPEndPoint(src.Address.MapToIPv6(), src.Port), new IPEndPoint(dst.Address.MapToIPv6(), dst.Port));
    }

    private static IPEndPoint Unmap(IPEndPoint endpoint)
    {
        var address = endpoint.Address;
        if (address.IsIPv4MappedToIPv6)
        {
            return new IPEndPoint(address.MapToIPv4(), endpoint.Port);
        }

        // A scope id has no place in either header format.
        return address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0
            ? new IPEndPoint(new IPAddress(address.GetAddressBytes()), endpoint.Port)
            : endpoint;
    }
}
