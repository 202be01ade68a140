using System.Text.RegularExpressions;

namespace Balancer.Core.Configuration.Binding;

/// <summary>Builds JSON paths as errors show them: <c>pools.web.backends[1].address</c>.</summary>
internal static partial class ConfigPath
{
    /// <summary>The path of member <paramref name="key"/> of the object at <paramref name="parent"/>.</summary>
    public static string Child(string parent, string key)
    {
        // Names that would read ambiguously after a dot are quoted: pools["a.b"].
        var part = PlainKey().IsMatch(key) ? key : $"[\"{key.Replace("\"", "\\\"", StringComparison.Ordinal)}\"]";
        return parent.Length == 0 ? part : part[0] == '[' ? parent + part : $"{parent}.{part}";
    }

    /// <summary>The path of item <paramref name="index"/> of the array at <paramref name="parent"/>.</summary>
    public static string Item(string parent, int index) => $"{parent}[{index}]";

    /// <summary>The path one step up, or null at the root.</summary>
    public static string? Parent(string path)
    {
        if (path.Length == 0)
        {
            return null;
        }

        var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return cut <= 0 ? "" : path[..cut];
    }

    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    private static partial Regex PlainKey();
}
