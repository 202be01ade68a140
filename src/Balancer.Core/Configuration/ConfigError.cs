namespace Balancer.Core.Configuration;

/// <summary>How bad a <see cref="ConfigError"/> is: errors reject the config, warnings do not.</summary>
public enum ConfigErrorSeverity
{
    /// <summary>The config is rejected.</summary>
    Error,

    /// <summary>Worth telling the user; the config is still accepted.</summary>
    Warning,
}

/// <summary>One problem found in a config file, with where it is.</summary>
/// <param name="File">The file name as given to the loader.</param>
/// <param name="Line">1-based line; 0 when the problem concerns the whole file (e.g. it cannot be read).</param>
/// <param name="Column">1-based column in characters (not bytes); 0 with <paramref name="Line"/> 0.</param>
/// <param name="Path">JSON path of the offending node, e.g. <c>pools.web.backends[1].address</c>; empty for the root.</param>
/// <param name="Message">What is wrong and, where possible, how to fix it.</param>
/// <param name="Severity">Error or warning.</param>
public sealed record ConfigError(string File, int Line, int Column, string Path, string Message, ConfigErrorSeverity Severity = ConfigErrorSeverity.Error)
{
    /// <summary>True for an error, false for a warning.</summary>
    public bool IsError => Severity == ConfigErrorSeverity.Error;

    /// <summary><c>file:line:column path: message</c> (<c>file: message</c> for the whole file), with <c>warning: </c> before the message of a warning.</summary>
    public override string ToString()
    {
        var where = Line > 0 ? $"{File}:{Line}:{Column}" : File;
        // A problem with the whole file reads "config/x.json: no such file", like a shell's.
        var what = Path.Length > 0 ? $" {Path}:" : Line > 0 ? "" : ":";
        var severity = IsError ? "" : "warning: ";
        return $"{where}{what} {severity}{Message}";
    }
}
