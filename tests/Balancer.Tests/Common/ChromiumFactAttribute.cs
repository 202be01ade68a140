namespace Balancer.Tests.Common;

/// <summary>
/// A test that drives Debian's Chromium. Where Chromium is missing it is skipped with the reason,
/// except under CI (CI=true), where .ci/run installs it: there a missing browser fails the test.
/// </summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string ExecutablePath = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(ExecutablePath) && Environment.GetEnvironmentVariable("CI") != "true")
        {
            Skip = $"{ExecutablePath} is not installed (apt-get install chromium); CI installs it and runs this test";
        }
    }
}
