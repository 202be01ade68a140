using System.Security.Cryptography;
using System.Text;
using Balancer.Core.Configuration.Binding;
using Balancer.Core.Configuration.Parsing;
using Balancer.Core.Configuration.Validation;

namespace Balancer.Core.Configuration;

/// <summary>
/// Loads a config file (JSON with comments and trailing commas) into a <see cref="BalancerConfig"/>, reporting every
/// error with file, line, column and JSON path. Never throws for any input: problems come back in
/// <see cref="ConfigLoadResult.Errors"/>.
/// </summary>
public static class ConfigLoader
{
    private static readonly byte[] s_utf8Bom = [0xEF, 0xBB, 0xBF];

    /// <summary>
    /// Reads and checks the file at <paramref name="path"/>. The running balancer passes
    /// <see cref="ReferencedFileCheck.Require"/> (as does <c>balancer check --strict</c>); <c>balancer check</c> passes <see cref="ReferencedFileCheck.Warn"/>.
    /// Relative <c>keyFile</c>/<c>tokenFile</c> names resolve against the config file's directory.
    /// </summary>
    public static ConfigLoadResult Load(string path, ReferencedFileCheck files = ReferencedFileCheck.Require)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            var error = new ConfigError(path, 0, 0, "", ReadFailure(path, e));
            return new ConfigLoadResult { Errors = [error], FileName = path };
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? Directory.GetCurrentDirectory();
        return Check(bytes, path, directory, files);
    }

    /// <summary>Why a config file could not be read, in the operator's words rather than the runtime's ("Access to the path is denied" for a directory).</summary>
    private static string ReadFailure(string path, Exception e) => e switch
    {
        _ when Directory.Exists(path) => "is a directory",
        FileNotFoundException or DirectoryNotFoundException => "no such file",
        UnauthorizedAccessException => "cannot be read: permission denied",
        _ => $"cannot be read: {e.Message}",
    };

    /// <summary>Checks config text; <paramref name="fileName"/> only names it in errors. Relative file names resolve against the current directory.</summary>
    public static ConfigLoadResult Parse(string json, string fileName, ReferencedFileCheck files = ReferencedFileCheck.Skip) =>
        Parse(Encoding.UTF8.GetBytes(json), fileName, files);

    /// <summary>Checks config bytes as <see cref="Load"/> reads them from a file (UTF-8, a byte order mark allowed), without the file.</summary>
    public static ConfigLoadResult Parse(byte[] utf8, string fileName, ReferencedFileCheck files = ReferencedFileCheck.Skip) =>
        Check(utf8, fileName, Directory.GetCurrentDirectory(), files);

    private static ConfigLoadResult Check(byte[] bytes, string fileName, string baseDirectory, ReferencedFileCheck files)
    {
        var result = new ConfigLoadResult
        {
            Hash = Convert.ToHexStringLower(SHA256.HashData(bytes)),
            Text = Encoding.UTF8.GetString(bytes),
            FileName = fileName,
            BaseDirectory = baseDirectory,
        };

        // Utf8JsonReader rejects a byte order mark, which some Windows editors still write.
        var body = bytes.AsSpan().StartsWith(s_utf8Bom) ? bytes[s_utf8Bom.Length..] : bytes;
        var source = new SourceText(body);
        var root = PositionedJsonParser.Parse(source, out var errorAt, out var message);
        if (root is null)
        {
            return result with { Errors = [new ConfigError(fileName, errorAt.Line, errorAt.Column, "", message)] };
        }

        var diagnostics = new ConfigDiagnostics(fileName, source, ConfigPositions.Index(root));
        var config = ConfigBinder.Bind(root, diagnostics);
        if (config is not null)
        {
            ConfigValidator.Validate(config, diagnostics);
            if (files != ReferencedFileCheck.Skip)
            {
                var unreadable = files == ReferencedFileCheck.Warn ? ConfigErrorSeverity.Warning : ConfigErrorSeverity.Error;
                ReferencedFileChecker.Check(config, baseDirectory, unreadable, diagnostics);
                VirtualIpBindChecker.Check(config, diagnostics);
            }
        }

        return result with { Config = diagnostics.HasErrors ? null : config, Errors = diagnostics.Errors };
    }
}
