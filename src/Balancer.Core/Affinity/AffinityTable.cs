using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Balancer.Core.Configuration;
using Balancer.Core.Model;

namespace Balancer.Core.Affinity;

/// <summary>What an affinity cookie of a request says.</summary>
public enum AffinityStatus
{
    /// <summary>No cookie: pick by the algorithm and set one.</summary>
    None,

    /// <summary>A value naming no backend of the pool (forged, stale, another config): treated as absent.</summary>
    Unknown,

    /// <summary>It names a backend that may take the request (up, not removed; draining still counts).</summary>
    Usable,

    /// <summary>It names a backend that is down or removed: re-pick and replace the cookie.</summary>
    Unavailable,
}

/// <summary>
/// The affinity cookie codec of one pool snapshot. A backend's value is the first 64 bits of HMAC-SHA256 over its
/// address, keyed by a hash of the pool and cookie names, in base64url: it leaks no address, and two Balancers with the
/// same config (the two nodes of a pair, or one after a restart) give every backend the same value, so a failover keeps
/// each session on its backend with nothing to replicate. Built on the control path; lookups allocate nothing.
/// </summary>
public sealed class AffinityTable
{
    private const int TokenBytes = 8;
    private readonly Dictionary<ulong, BackendState> _byToken = [];
    private readonly Dictionary<BackendState, string> _setCookie = new(ReferenceEqualityComparer.Instance);
    private readonly AffinityConfig _config;

    /// <summary>Builds the values of <paramref name="backends"/> of pool <paramref name="pool"/>.</summary>
    public AffinityTable(string pool, AffinityConfig config, IEnumerable<BackendState> backends)
    {
        _config = config;
        CookieName = config.Cookie;
        var key = SHA256.HashData(Encoding.UTF8.GetBytes($"balancer affinity v1\n{pool}\n{config.Cookie}"));
        var attributes = Attributes(config);
        foreach (var backend in backends)
        {
            var token = Token(key, backend.Address, out var text);
            _byToken[token] = backend;
            _setCookie[backend] = $"{config.Cookie}={text}{attributes}";
        }
    }

    /// <summary>The cookie's name.</summary>
    public string CookieName { get; }

    /// <summary>Reads a request's cookie value: which backend it names and whether that one may take the request.</summary>
    public AffinityStatus Resolve(ReadOnlySpan<char> value, out BackendState? backend)
    {
        backend = null;
        if (value.IsEmpty)
        {
            return AffinityStatus.None;
        }

        Span<byte> bytes = stackalloc byte[TokenBytes + 2];
        if (value.Length != 11 || Base64Url.DecodeFromChars(value, bytes, out _, out var written) != OperationStatus.Done || written != TokenBytes
            || !_byToken.TryGetValue(BinaryPrimitives.ReadUInt64LittleEndian(bytes), out backend))
        {
            return AffinityStatus.Unknown;
        }

        return backend.Removed || backend.Health != BackendHealth.Up ? AffinityStatus.Unavailable : AffinityStatus.Usable;
    }

    /// <summary>Whether this table serves <paramref name="config"/> over exactly <paramref name="backends"/> (so a new snapshot may keep it).</summary>
    public bool Matches(AffinityConfig config, BackendState[] backends)
    {
        if (_config != config || backends.Length != _setCookie.Count)
        {
            return false;
        }

        foreach (var backend in backends)
        {
            if (!_setCookie.ContainsKey(backend))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The whole <c>Set-Cookie</c> value naming <paramref name="backend"/>; null for a backend this table does not know.</summary>
    public string? SetCookie(BackendState backend) => _setCookie.GetValueOrDefault(backend);

    private static ulong Token(byte[] key, string address, out string text)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(address), mac);
        text = Base64Url.EncodeToString(mac[..TokenBytes]);
        return BinaryPrimitives.ReadUInt64LittleEndian(mac);
    }

    // HttpOnly always: the value is of no use to scripts. Path=/ so every route of the site carries it.
    private static string Attributes(AffinityConfig config)
    {
        var text = new StringBuilder("; Path=/");
        if (config.Ttl is { } ttl)
        {
            text.Append("; Max-Age=").Append((long)ttl.TotalSeconds);
        }

        if (config.Secure)
        {
            text.Append("; Secure");
        }

        text.Append("; HttpOnly; SameSite=").Append(config.SameSite switch { "strict" => "Strict", "none" => "None", _ => "Lax" });
        return text.ToString();
    }
}
