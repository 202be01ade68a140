using Balancer.Core.Configuration;
using Balancer.Core.LoadBalancing;
using Balancer.Http.Forwarding;
using Microsoft.Extensions.Primitives;

namespace Balancer.Http.Traffic;

/// <summary>
/// The 64-bit hash of the part of a request that a <c>hashKey</c> or a <c>rateLimit.key</c> names, allocation-free:
/// the client address as bytes (<see cref="ForwardedFor.ClientOf"/>, so <c>trustedProxies</c> apply), a header's
/// values, one cookie, one query parameter (its raw value, as sent), the path, or the host (case-folded). Hash pools use
/// seed 0, so both nodes of a pair send a key to the same backend; rate limits use a secret seed per process.
/// </summary>
internal static class RequestKeyHash
{
    private const int MaxFoldedHost = 256;

    /// <summary>The hash of <paramref name="key"/> in <paramref name="context"/>'s request; false when the request does not carry it.</summary>
    public static bool TryHash(HttpContext context, RequestKey key, ForwardedFor clients, ulong seed, out ulong hash)
    {
        var request = context.Request;
        switch (key.Kind)
        {
            case RequestKeyKind.ClientIp:
                return StableHash.TryHash(clients.ClientOf(context), seed, out hash);
            case RequestKeyKind.Header:
                return TryHash(request.Headers[key.Name], seed, out hash);
            case RequestKeyKind.Cookie:
                return TryHash(CookieHeader.Find(request.Headers.Cookie, key.Name), seed, out hash);
            case RequestKeyKind.Query:
                return TryHash(QueryValue(request.QueryString.Value, key.Name), seed, out hash);
            case RequestKeyKind.Path:
                return TryHash((request.Path.Value ?? "/").AsSpan(), seed, out hash);
            case RequestKeyKind.Host:
                return TryHashFolded(request.Host.Value, seed, out hash);
            case RequestKeyKind.Route:
                hash = seed;
                return true;
        }

        hash = 0;
        return false;
    }

    private static bool TryHash(ReadOnlySpan<char> value, ulong seed, out ulong hash)
    {
        hash = value.IsEmpty ? 0 : StableHash.Hash(value, seed);
        return !value.IsEmpty;
    }

    // Every line of a repeated header, in order.
    private static bool TryHash(StringValues values, ulong seed, out ulong hash)
    {
        hash = seed;
        var any = false;
        foreach (var value in values)
        {
            if (!string.IsNullOrEmpty(value))
            {
                hash = StableHash.Hash(value.AsSpan(), hash);
                any = true;
            }
        }

        return any;
    }

    // Host names are case-insensitive (RFC 9110 §4.2.3): Example.COM and example.com are one key.
    private static bool TryHashFolded(string? host, ulong seed, out ulong hash)
    {
        if (string.IsNullOrEmpty(host) || host.Length > MaxFoldedHost)
        {
            return TryHash(host.AsSpan(), seed, out hash);
        }

        Span<char> folded = stackalloc char[host.Length];
        host.AsSpan().ToLowerInvariant(folded);
        hash = StableHash.Hash(folded, seed);
        return true;
    }

    /// <summary>The raw value of the first parameter <paramref name="name"/> of a query string (<c>?a=1&amp;b=2</c>); empty when absent.</summary>
    internal static ReadOnlySpan<char> QueryValue(string? query, string name)
    {
        var rest = query.AsSpan();
        if (rest.StartsWith('?'))
        {
            rest = rest[1..];
        }

        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf('&');
            var pair = end < 0 ? rest : rest[..end];
            rest = end < 0 ? default : rest[(end + 1)..];
            var equals = pair.IndexOf('=');
            if ((equals < 0 ? pair : pair[..equals]).SequenceEqual(name))
            {
                return equals < 0 ? default : pair[(equals + 1)..];
            }
        }

        return default;
    }
}
