using System.Text;

namespace Balancer.Http.Http1;

/// <summary>
/// Turns response header bytes into the strings Kestrel's header dictionary wants, allocating as little as it can:
/// the names backends send on nearly every response are shared strings, and their values are reused per connection
/// while the backend repeats them (Server, Content-Type, and Date within its second).
/// </summary>
internal static class ResponseHeaderNames
{
    /// <summary>Index of <c>Content-Length</c> in the table: its value is set as a number, never as a string.</summary>
    public const int ContentLength = 0;

    /// <summary>Index of <c>Connection</c>: it is hop-by-hop, but the headers it names must go too.</summary>
    public const int Connection = 1;

    // HttpClient knows all of these, so YARP passes them on in this casing whatever the backend sent.
    private static readonly string[] s_known =
    [
        "Content-Length", "Connection", "Date", "Server", "Content-Type", "Last-Modified", "ETag", "Accept-Ranges",
        "Cache-Control", "Expires", "Vary", "Content-Encoding", "Keep-Alive", "Transfer-Encoding", "Location",
    ];

    /// <summary>Slots of a connection's value cache.</summary>
    public static int CachedCount => s_known.Length;

    /// <summary>The header's name; <paramref name="index"/> is its slot in the table, or -1.</summary>
    public static string Name(ReadOnlySpan<byte> name, out int index)
    {
        for (var i = 0; i < s_known.Length; i++)
        {
            if (s_known[i].Length == name.Length && Ascii.EqualsIgnoreCase(name, s_known[i]))
            {
                index = i;
                return s_known[i];
            }
        }

        index = -1;
        return Encoding.Latin1.GetString(name);
    }

    /// <summary>The header's value, from the connection's cache when it is the same as last time.</summary>
    public static string Value(ReadOnlySpan<byte> value, int index, string?[] cache)
    {
        if (index < 0)
        {
            return Encoding.Latin1.GetString(value);
        }

        if (cache[index] is { } cached && cached.Length == value.Length && Ascii.Equals(value, cached))
        {
            return cached;
        }

        return cache[index] = Encoding.Latin1.GetString(value);
    }
}
