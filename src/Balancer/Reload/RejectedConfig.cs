using Balancer.Core.Configuration;

namespace Balancer.Reload;

/// <summary>The last config file a reload rejected, kept whole so the dashboard can show each error at its line and column.</summary>
/// <param name="At">When it was rejected.</param>
/// <param name="Path">The config file.</param>
/// <param name="Text">The file's text as read (empty when it could not be read).</param>
/// <param name="Errors">Every error, positioned where the loader could (line 0 for whole-file and run-time problems).</param>
/// <param name="Hash">The file's SHA-256, hex; empty when it could not be read.</param>
internal sealed record RejectedConfig(DateTimeOffset At, string Path, string Text, IReadOnlyList<ConfigError> Errors, string Hash);
