using System.Buffers;
using Balancer.Core.Configuration.Binding;

namespace Balancer.Core.Configuration.Validation;

/// <summary>Checks what a route matches beyond host and path: <c>methods</c>, <c>headers[]</c> and <c>query[]</c>.</summary>
internal static class RouteMatchValidator
{
    // RFC 9110 §5.6.2 tchar: header names and methods are tokens.
    private static readonly SearchValues<char> s_token =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    /// <summary>Checks the match fields of the route at <paramref name="path"/>.</summary>
    public static void Check(RouteConfig route, string path, ConfigDiagnostics diagnostics)
    {
        var methodsPath = ConfigPath.Child(path, "methods");
        for (var i = 0; i < route.Methods.Count; i++)
        {
            if (!IsToken(route.Methods[i]))
            {
                diagnostics.Report(ConfigPath.Item(methodsPath, i), $"'{route.Methods[i]}' is not a method; methods are tokens such as GET or POST (case-sensitive)");
            }
        }

        CheckFields(route.Headers, ConfigPath.Child(path, "headers"), "header", diagnostics);
        CheckFields(route.Query, ConfigPath.Child(path, "query"), "query parameter", diagnostics);
    }

    /// <summary>Whether <paramref name="text"/> is a non-empty RFC 9110 token.</summary>
    public static bool IsToken(string text) => text.Length > 0 && !text.AsSpan().ContainsAnyExcept(s_token);

    private static void CheckFields(IReadOnlyList<FieldMatchConfig> fields, string path, string what, ConfigDiagnostics diagnostics)
    {
        for (var i = 0; i < fields.Count; i++)
        {
            var field = fields[i];
            var itemPath = ConfigPath.Item(path, i);
            if (what == "header" && field.Name.Length > 0 && !IsToken(field.Name))
            {
                diagnostics.Report(ConfigPath.Child(itemPath, "name"), $"'{field.Name}' is not a header name (letters, digits and !#$%&'*+-.^_`|~)");
            }

            var presence = field.Mode is FieldMatchModes.Exists or FieldMatchModes.NotExists;
            if (presence && field.Values.Count > 0)
            {
                diagnostics.Report(ConfigPath.Child(itemPath, "values"), $"mode '{field.Mode}' tests only whether the {what} is there; remove 'values'");
            }
            else if (!presence && field.Values.Count == 0)
            {
                diagnostics.Report(ConfigPath.Child(itemPath, "values"), $"mode '{field.Mode}' needs 'values', e.g. [\"1\"]; use mode 'exists' to test only that the {what} is there");
            }

            var valuesPath = ConfigPath.Child(itemPath, "values");
            for (var j = 0; j < field.Values.Count; j++)
            {
                if (field.Values[j].Length == 0 && field.Mode != FieldMatchModes.Exact)
                {
                    diagnostics.Report(ConfigPath.Item(valuesPath, j), $"an empty value matches every {what} in mode '{field.Mode}'; use mode 'exists'");
                }
            }
        }
    }
}
