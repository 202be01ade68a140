using System.Security.Cryptography;
using System.Text;

namespace Balancer.Admin;

/// <summary>
/// Bearer-token check for the admin API when <c>admin.tokenFile</c> is set. The token is read
/// from the file (re-read when the file changes, so it can be rotated without a restart) and
/// compared in constant time. Browsers, which cannot add the header to a page load, may send it
/// as the <c>balancer_admin_token</c> cookie that the dashboard's login form sets.
/// </summary>
internal sealed class AdminAuth(string? tokenFile, ILogger logger)
{
    public const string CookieName = "balancer_admin_token";

    private byte[]? _tokenHash;
    private DateTime _tokenWrittenAt;

    public bool Required => tokenFile is not null;

    public bool IsAuthorized(HttpContext context)
    {
        if (tokenFile is null)
        {
            return true;
        }

        var presented = Presented(context);
        var expected = ExpectedHash();
        // Hash both sides so the comparison takes the same time whatever the lengths.
        var ok = presented is not null && expected is not null
            && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), expected);
        if (!ok)
        {
            AdminLog.Unauthorized(logger, context.Request.Method, context.Request.Path, context.Connection.RemoteIpAddress?.ToString() ?? "?");
        }

        return ok;
    }

    private static string? Presented(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header["Bearer ".Length..].Trim();
        }

        return context.Request.Cookies.TryGetValue(CookieName, out var cookie) ? Uri.UnescapeDataString(cookie) : null;
    }

    private byte[]? ExpectedHash()
    {
        try
        {
            var writtenAt = File.GetLastWriteTimeUtc(tokenFile!);
            if (_tokenHash is null || writtenAt != _tokenWrittenAt)
            {
                var token = File.ReadAllText(tokenFile!).Trim();
                _tokenHash = token.Length == 0 ? null : SHA256.HashData(Encoding.UTF8.GetBytes(token));
                _tokenWrittenAt = writtenAt;
            }

            return _tokenHash;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // unreadable token file: nobody gets in, rather than everybody
        }
    }
}

/// <summary>Admin API log messages (event ids 6xx, see LogEventIds).</summary>
internal static partial class AdminLog
{
    [LoggerMessage(601, LogLevel.Warning, "admin API: unauthorized {Method} {Path} from {Client}")]
    public static partial void Unauthorized(ILogger logger, string method, string path, string client);
}
