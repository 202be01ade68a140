using System.Net;
using System.Net.Sockets;
using System.Text;
using Balancer.Core.Model;

namespace Balancer.Http.Http1;

/// <summary>
/// The idle keep-alive connections to one plain-http backend. A fixed array of slots taken and filled with
/// Interlocked operations: no lock, no allocation per request, and because renting and returning both scan from
/// slot 0 the most recently used connections are reused first (LIFO-like), letting the rest age out.
/// </summary>
internal sealed class Http1ConnectionPool
{
    /// <summary>At most this many idle connections are kept per backend; more are closed when returned.</summary>
    public const int MaxIdle = 128;

    /// <summary>SocketsHttpHandler's default <c>PooledConnectionIdleTimeout</c>, which YARP's clients keep.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(1);

    private readonly Http1Connection?[] _idle = new Http1Connection?[MaxIdle];
    private readonly TimeProvider _time;
    private volatile bool _closed;

    private Http1ConnectionPool(BackendState backend, EndPoint endpoint, string authority, TimeProvider time)
    {
        Backend = backend;
        EndPoint = endpoint;
        HostLine = Encoding.ASCII.GetBytes($"Host: {authority}\r\n");
        _time = time;
    }

    public BackendState Backend { get; }

    public EndPoint EndPoint { get; }

    /// <summary>The <c>Host</c> header YARP's client sends: the destination's authority, port omitted when 80.</summary>
    public byte[] HostLine { get; }

    /// <summary>
    /// A pool for a backend the lean forwarder can serve: <c>http://host[:port][/]</c> with an IPv4 address or a DNS
    /// name. Anything else (https, a path prefix, IPv6, user info) is null and stays on YARP.
    /// </summary>
    public static Http1ConnectionPool? Create(BackendState backend, TimeProvider time)
    {
        if (!Uri.TryCreate(backend.Address, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp
            || uri.UserInfo.Length > 0 || uri.PathAndQuery != "/" || uri.Fragment.Length > 0
            || uri.HostNameType is not (UriHostNameType.IPv4 or UriHostNameType.Dns))
        {
            return null;
        }

        EndPoint endpoint = uri.HostNameType == UriHostNameType.IPv4
            ? new IPEndPoint(IPAddress.Parse(uri.Host), uri.Port)
            : new DnsEndPoint(uri.IdnHost, uri.Port);
        var authority = uri.IsDefaultPort ? uri.IdnHost : $"{uri.IdnHost}:{uri.Port}";
        return new Http1ConnectionPool(backend, endpoint, authority, time);
    }

    /// <summary>An idle connection younger than the idle timeout, or null.</summary>
    public Http1Connection? Rent()
    {
        var now = _time.GetTimestamp();
        for (var i = 0; i < _idle.Length; i++)
        {
            if (Volatile.Read(ref _idle[i]) is null || Interlocked.Exchange(ref _idle[i], null) is not { } connection)
            {
                continue;
            }

            if (_time.GetElapsedTime(connection.IdleSince, now) < IdleTimeout)
            {
                return connection;
            }

            connection.Dispose();
        }

        return null;
    }

    public ValueTask<Http1Connection> ConnectAsync(CancellationToken cancellationToken) =>
        Http1Connection.ConnectAsync(EndPoint, _time, cancellationToken);

    /// <summary>Keeps a connection that finished a response cleanly for the next request; closes it when not wanted.</summary>
    public void Return(Http1Connection connection)
    {
        if (!_closed && !Backend.Removed)
        {
            connection.IdleSince = _time.GetTimestamp();
            for (var i = 0; i < _idle.Length; i++)
            {
                if (Volatile.Read(ref _idle[i]) is null && Interlocked.CompareExchange(ref _idle[i], connection, null) is null)
                {
                    if (_closed && Interlocked.CompareExchange(ref _idle[i], null, connection) == connection)
                    {
                        break; // closed meanwhile: Close may have swept already
                    }

                    return;
                }
            }
        }

        connection.Dispose();
    }

    /// <summary>Closes idle connections past the idle timeout (all of them when <paramref name="all"/>).</summary>
    public void Sweep(bool all)
    {
        var now = _time.GetTimestamp();
        for (var i = 0; i < _idle.Length; i++)
        {
            if (Volatile.Read(ref _idle[i]) is { } connection
                && (all || _time.GetElapsedTime(connection.IdleSince, now) >= IdleTimeout)
                && Interlocked.CompareExchange(ref _idle[i], null, connection) == connection)
            {
                connection.Dispose();
            }
        }
    }

    /// <summary>Closes every idle connection and every connection returned from now on (backend removed, shutdown).</summary>
    public void Close()
    {
        _closed = true;
        Sweep(all: true);
    }
}
