using Balancer.Core.Configuration.Binding;
using Balancer.Core.Routing;

namespace Balancer.Core.Configuration.Validation;

/// <summary>Checks a route's <c>transforms</c>: path rewrites that give a path, header edits that a forwarder can send, and a Host.</summary>
internal static class TransformsValidator
{
    // Framing and connection headers are the forwarders' to write (a rewrite would unframe the message or the
    // connection); Host has its own transform.
    private static readonly string[] s_reserved =
        ["Host", "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade", "TE", "Trailer", "Proxy-Connection"];

    /// <summary>Checks the transforms of <paramref name="route"/> at <paramref name="path"/>.</summary>
    public static void Check(RouteConfig route, TransformsConfig transforms, string path, ConfigDiagnostics diagnostics)
    {
        CheckPrefix(transforms.StripPrefix, ConfigPath.Child(path, "stripPrefix"), "stripPrefix", diagnostics);
        CheckPrefix(transforms.AddPrefix, ConfigPath.Child(path, "addPrefix"), "addPrefix", diagnostics);
        if (transforms.PathPattern is { } pattern)
        {
            CheckPattern(route, transforms, pattern, ConfigPath.Child(path, "pathPattern"), diagnostics);
        }

        if (transforms.Host != TransformsConfig.KeepHost && AddressSyntax.CheckHostPort(transforms.Host.Contains(':') && !transforms.Host.EndsWith(']') ? transforms.Host : transforms.Host + ":80") is not null)
        {
            diagnostics.Report(ConfigPath.Child(path, "host"), $"host must be \"keep\" (the client's Host) or a host name with an optional port, e.g. \"api.internal:8080\"; got '{transforms.Host}'");
        }

        CheckEdits(transforms.RequestHeaders, ConfigPath.Child(path, "requestHeaders"), diagnostics);
        CheckEdits(transforms.ResponseHeaders, ConfigPath.Child(path, "responseHeaders"), diagnostics);
    }

    private static void CheckPrefix(string? prefix, string path, string name, ConfigDiagnostics diagnostics)
    {
        if (prefix is null)
        {
            return;
        }

        if (!prefix.StartsWith('/') || prefix.Length < 2 || prefix.EndsWith('/') || prefix.Contains("//", StringComparison.Ordinal) || prefix.IndexOfAny(['?', '#', '{', '}', '%']) >= 0 || prefix.Any(c => c <= ' ' || c >= 0x7f))
        {
            diagnostics.Report(path, $"{name} must be a path of one or more segments, starting with '/' and not ending with one, e.g. \"/api\"; got '{prefix}'");
        }
    }

    private static void CheckPattern(RouteConfig route, TransformsConfig transforms, string pattern, string path, ConfigDiagnostics diagnostics)
    {
        if (transforms.StripPrefix is not null || transforms.AddPrefix is not null)
        {
            diagnostics.Report(path, "pathPattern sets the whole path; put the prefix in it rather than in stripPrefix or addPrefix");
        }

        if (PathTemplate.Parse(pattern, out var error) is not { } template)
        {
            diagnostics.Report(path, error!);
            return;
        }

        var captured = PathTemplate.ParameterNames(route.Path);
        foreach (var name in template.Parameters.Where(p => !captured.Contains(p, StringComparer.OrdinalIgnoreCase)))
        {
            var have = captured.Count == 0 ? "the route path captures none" : $"the route path captures {string.Join(", ", captured.Select(c => $"{{{c}}}"))}";
            diagnostics.Report(path, $"pathPattern uses {{{name}}}, but {have}");
        }
    }

    private static void CheckEdits(HeaderEditsConfig? edits, string path, ConfigDiagnostics diagnostics)
    {
        if (edits is null)
        {
            return;
        }

        CheckNamed(edits.Set.Select(p => (p.Key, (string?)p.Value)).ToList(), ConfigPath.Child(path, "set"), diagnostics, byKey: true);
        CheckNamed(edits.Append.Select(p => (p.Key, (string?)p.Value)).ToList(), ConfigPath.Child(path, "append"), diagnostics, byKey: true);
        CheckNamed(edits.Remove.Select(n => (n, (string?)null)).ToList(), ConfigPath.Child(path, "remove"), diagnostics, byKey: false);
    }

    private static void CheckNamed(List<(string Name, string? Value)> entries, string path, ConfigDiagnostics diagnostics, bool byKey)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < entries.Count; i++)
        {
            var (name, value) = entries[i];
            var at = byKey ? ConfigPath.Child(path, name) : ConfigPath.Item(path, i);
            if (!RouteMatchValidator.IsToken(name))
            {
                diagnostics.Report(at, $"'{name}' is not a header name (letters, digits and !#$%&'*+-.^_`|~)");
            }
            else if (s_reserved.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                var hint = name.Equals("Host", StringComparison.OrdinalIgnoreCase) ? "; use transforms.host" : "";
                diagnostics.Report(at, $"'{name}' frames the message or the connection and is written by the forwarder; it cannot be edited{hint}");
            }
            else if (!seen.Add(name))
            {
                diagnostics.Report(at, $"header '{name}' is listed twice here (header names ignore case)");
            }

            if (value is not null && value.Any(c => c is < ' ' and not '\t' or '\x7f'))
            {
                diagnostics.Report(at, $"the value of '{name}' holds a control character (a CR or LF would split the header)");
            }
        }
    }
}
