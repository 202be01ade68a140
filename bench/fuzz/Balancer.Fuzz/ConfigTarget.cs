using Balancer.Core.Configuration;

namespace Balancer.Fuzz;

/// <summary>
/// The config loader on file bytes: JSON with comments, then binding and validation. It must never throw, must
/// name a position and a reason for every error, and must give a config exactly when there is no error.
/// </summary>
internal sealed class ConfigTarget : IFuzzTarget
{
    public void Run(ReadOnlySpan<byte> input)
    {
        var result = ConfigLoader.Parse(input.ToArray(), "fuzz.json");
        var hasError = result.Errors.Any(e => e.IsError);
        InvariantException.Check((result.Config is not null) != hasError, "a config and errors at once, or neither");
        foreach (var error in result.Errors)
        {
            InvariantException.Check(error.Line >= 0 && error.Column >= 0 && !string.IsNullOrWhiteSpace(error.Message), $"an error without position or reason: {error}");
        }
    }
}
