using System.Buffers;

namespace Balancer.Core.Failover;

/// <summary>Parses the shared secret held in <c>failover.keyFile</c>.</summary>
public static class FailoverKey
{
    /// <summary>The key length in bytes: 256 bits, as <c>openssl rand -hex 32</c> makes.</summary>
    public const int Length = 32;

    /// <summary>
    /// Reads exactly 64 hex digits, surrounding whitespace ignored, into a 32-byte HMAC key.
    /// Returns false with <paramref name="error"/> set (the key itself never appears in it) otherwise.
    /// </summary>
    public static bool TryParse(string fileText, out byte[] key, out string? error)
    {
        var hex = fileText.AsSpan().Trim();
        key = [];
        if (hex.Length != Length * 2)
        {
            error = $"the key file must hold {Length * 2} hex digits (openssl rand -hex {Length}), found {hex.Length} characters";
            return false;
        }

        var bytes = new byte[Length];
        if (Convert.FromHexString(hex, bytes, out _, out _) != OperationStatus.Done)
        {
            error = "the key file holds characters that are not hex digits";
            return false;
        }

        key = bytes;
        error = null;
        return true;
    }
}
