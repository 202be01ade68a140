using System.Security.Cryptography;
using System.Text;

namespace Balancer.Admin.Timeline;

/// <summary>
/// Names a bearer token in the audit log without writing it: the first 16 hex digits (64 bits) of its SHA-256, as
/// <c>printf %s "$(cat admin.token)" | sha256sum | cut -c1-16</c> prints it. Enough to tell which token made a change
/// (after a rotation, or with one token per operator's tooling), useless to present as the token.
/// </summary>
internal static class TokenFingerprint
{
    public static string Of(byte[] tokenSha256) => Convert.ToHexStringLower(tokenSha256, 0, 8);

    public static string Of(string token) => Of(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
