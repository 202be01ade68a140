using System.Security.Cryptography;
using System.Text;
using Balancer.Core.Configuration;

namespace Balancer.Admin;

/// <summary>
/// Bearer-token check for the admin API when <c>admin.tokenFile</c> is set. The token is read from the file (re-read
/// when the file changes, so it can be rotated without a restart) and compared in constant time. Browsers, which
/// cannot add the header to a page load, may send it as the <c>balancer_admin_token</c> cookie that the dashboard's
/// login form sets. A token file that every user can read, or that cannot be read, lets nobody in: start-up refuses
/// such a file, and so does the running API when it is made so later (checked on every call; the mode is one stat).
/// </summary>
internal sealed class AdminAuth(string? tokenFile, ILogger logger, UnauthorizedLog refusals)
{
    public const string CookieName = "balancer_admin_token";

    private readonly object _lock = new();
    private byte[]? _tokenHash;
    private DateTime _tokenWrittenAt;
    private string? _fileProblem;

    /// <summary>
    /// The outcome of a check: <see cref="Status"/> 0 when the call may go on, else the answer; <see cref="Fingerprint"/>
    /// names the token presented (see <see cref="Timeline.TokenFingerprint"/>) when tokens are on.
    /// </summary>
    public readonly record struct Decision(int Status, string? Error, string? Fingerprint = null);

    public Decision Check(HttpContext context)
    {
        if (tokenFile is null)
        {
            return default;
        }

        var (expected, problem) = ExpectedHash();
        if (problem is not null)
        {
            refusals.Refused(Describe(context));
            return new Decision(StatusCodes.Status503ServiceUnavailable, $"admin.tokenFile {tokenFile} {problem}: no token is accepted until it is fixed");
        }

        // Hash both sides so the comparison takes the same time whatever the lengths.
        var presented = Presented(context) is { } token ? SHA256.HashData(Encoding.UTF8.GetBytes(token)) : null;
        if (presented is not null && expected is not null && CryptographicOperations.FixedTimeEquals(presented, expected))
        {
            return new Decision(0, null, Timeline.TokenFingerprint.Of(presented));
        }

        refusals.Refused(Describe(context));
        return new Decision(StatusCodes.Status401Unauthorized, "missing or wrong bearer token (admin.tokenFile)");
    }

    private static string Describe(HttpContext context) =>
        $"{context.Request.Method} {context.Request.Path} from {context.Connection.RemoteIpAddress?.ToString() ?? "?"}";

    private static string? Presented(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header["Bearer ".Length..].Trim();
        }

        return context.Request.Cookies.TryGetValue(CookieName, out var cookie) ? Uri.UnescapeDataString(cookie) : null;
    }

    /// <summary>The token's hash, or why the file cannot be used now; logs when that changes, once.</summary>
    private (byte[]? Hash, string? Problem) ExpectedHash()
    {
        lock (_lock)
        {
            string? problem;
            try
            {
                var file = new FileInfo(tokenFile!);
                problem = !file.Exists ? "does not exist"
                    : SecretFilePermissions.Insecure(file.FullName) is { } insecure ? $"{insecure}; keep it to the service: {SecretFilePermissions.Fix(tokenFile!)}"
                    : null;
                if (problem is null && (_tokenHash is null || file.LastWriteTimeUtc != _tokenWrittenAt))
                {
                    var token = File.ReadAllText(file.FullName).Trim();
                    _tokenHash = token.Length == 0 ? null : SHA256.HashData(Encoding.UTF8.GetBytes(token));
                    _tokenWrittenAt = file.LastWriteTimeUtc;
                    problem = _tokenHash is null ? "is empty" : null;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problem = $"cannot be read: {e.Message}";
            }

            if (problem != _fileProblem)
            {
                if (problem is null)
                {
                    AdminLog.TokenFileUsable(logger, tokenFile!);
                }
                else
                {
                    AdminLog.TokenFileRefused(logger, tokenFile!, problem);
                }

                _fileProblem = problem;
            }

            return (problem is null ? _tokenHash : null, problem);
        }
    }
}

/// <summary>Admin API log messages (event ids 6xx, see LogEventIds).</summary>
internal static partial class AdminLog
{
    [LoggerMessage(601, LogLevel.Warning, "admin API: unauthorized {Call}")]
    public static partial void Unauthorized(ILogger logger, string call);

    [LoggerMessage(603, LogLevel.Warning, "admin API: {Count} more unauthorized calls in the last {Seconds} s, the last {Call}")]
    public static partial void UnauthorizedRepeated(ILogger logger, long count, int seconds, string call);

    [LoggerMessage(604, LogLevel.Error, "admin API: admin.tokenFile {File} {Problem}: every call is refused until it is fixed")]
    public static partial void TokenFileRefused(ILogger logger, string file, string problem);

    [LoggerMessage(605, LogLevel.Information, "admin API: admin.tokenFile {File} is usable again")]
    public static partial void TokenFileUsable(ILogger logger, string file);

    [LoggerMessage(606, LogLevel.Warning, "admin API: cannot publish its address in {Path} for balancer check --diff: {Message}")]
    public static partial void InstanceNotPublished(ILogger logger, string path, string message);
}
