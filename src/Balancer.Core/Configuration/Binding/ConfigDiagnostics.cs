using Balancer.Core.Configuration.Parsing;

namespace Balancer.Core.Configuration.Binding;

/// <summary>Collects errors and warnings for one file, turning byte offsets and paths into lines and columns.</summary>
internal sealed class ConfigDiagnostics(string fileName, SourceText source, ConfigPositions positions)
{
    private readonly List<(long Offset, ConfigError Error)> _errors = [];
    private readonly HashSet<string> _pathsInError = new(StringComparer.Ordinal);

    /// <summary>Everything reported so far, in file order (stable for equal positions).</summary>
    public IReadOnlyList<ConfigError> Errors => [.. _errors.OrderBy(e => e.Offset).Select(e => e.Error)];

    /// <summary>True once any error (not warning) was reported.</summary>
    public bool HasErrors => _errors.Any(e => e.Error.IsError);

    /// <summary>Reports a problem with the node at <paramref name="path"/> (or its nearest ancestor in the file).</summary>
    public void Report(string path, string message, ConfigErrorSeverity severity = ConfigErrorSeverity.Error) =>
        Report(positions.Locate(path), path, message, severity);

    /// <summary>
    /// Reports a problem at a byte offset, e.g. a key rather than its value. Only the first error per path is kept:
    /// a node the binder rejected (wrong type, so it kept its default) must not draw a second, confusing error
    /// from the validator.
    /// </summary>
    public void Report(long offset, string path, string message, ConfigErrorSeverity severity = ConfigErrorSeverity.Error)
    {
        if (severity == ConfigErrorSeverity.Error && !_pathsInError.Add(path))
        {
            return;
        }

        var at = source.PositionOf(offset);
        _errors.Add((offset, new ConfigError(fileName, at.Line, at.Column, path, message, severity)));
    }
}
