using System.Buffers;

namespace Balancer.Core.Failover;

/// <summary>Parses <c>failover.keyFile</c>: one shared secret per line, at most two (the first signs, both verify).</summary>
public static class FailoverKey
{
    /// <summary>The key length in bytes: 256 bits, as <c>openssl rand -hex 32</c> makes.</summary>
    public const int Length = 32;

    /// <summary>
    /// Reads one or two keys of exactly 64 hex digits each, one per line; blank lines and surrounding whitespace are
    /// ignored. Returns false with <paramref name="error"/> set (no key ever appears in it) otherwise.
    /// </summary>
    public static bool TryParse(string fileText, out FailoverKeyRing ring, out string? error)
    {
        ring = null!;
        var lines = fileText.Split('\n').Select((text, index) => (Text: text.Trim(), Line: index + 1)).Where(l => l.Text.Length > 0).ToList();
        if (lines.Count == 0)
        {
            error = $"the key file is empty; it must hold {Length * 2} hex digits (openssl rand -hex {Length})";
            return false;
        }

        if (lines.Count > 2)
        {
            error = $"the key file holds {lines.Count} keys; at most two: the one this node signs with, then the one being rotated in or out";
            return false;
        }

        var keys = new List<byte[]>();
        foreach (var (text, line) in lines)
        {
            if (!TryParseOne(text, out var key, out var problem))
            {
                error = lines.Count == 1 ? problem : $"line {line}: {problem}";
                return false;
            }

            keys.Add(key);
        }

        if (keys.Count == 2 && keys[0].AsSpan().SequenceEqual(keys[1]))
        {
            error = "the two keys are the same; the second line is for the key being rotated in or out";
            return false;
        }

        ring = new FailoverKeyRing(keys);
        error = null;
        return true;
    }

    private static bool TryParseOne(string hex, out byte[] key, out string? error)
    {
        key = [];
        if (hex.Length != Length * 2)
        {
            error = $"a key must be {Length * 2} hex digits (openssl rand -hex {Length}), found {hex.Length} characters";
            return false;
        }

        var bytes = new byte[Length];
        if (Convert.FromHexString(hex, bytes, out _, out _) != OperationStatus.Done)
        {
            error = "the key holds characters that are not hex digits";
            return false;
        }

        key = bytes;
        error = null;
        return true;
    }
}
