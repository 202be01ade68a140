namespace Balancer.Demo;

/// <summary>
/// Which <c>config/demo.json</c> the demo serves and watches. <c>dotnet run</c> starts the demo with the build output
/// (<c>bin/…</c>) as its base, where a copy of the file is shipped; editing that copy is not what anyone means, so
/// the repository's own file wins when the executable runs from inside a repository. A published build serves its
/// shipped copy.
/// </summary>
internal static class DemoConfigLocator
{
    public const string RelativePath = "config/demo.json";

    /// <summary>
    /// The full path of the demo config: <paramref name="explicitPath"/> when given; else <c>config/demo.json</c> under
    /// <paramref name="currentDirectory"/>; else under the nearest ancestor of <paramref name="baseDirectory"/> that is
    /// this repository (has <c>src/Balancer/Balancer.csproj</c>); else the copy shipped in <paramref name="baseDirectory"/>.
    /// </summary>
    public static string Locate(string? explicitPath, string currentDirectory, string baseDirectory)
    {
        if (explicitPath is not null)
        {
            return Path.GetFullPath(explicitPath, currentDirectory);
        }

        var here = Path.Combine(currentDirectory, RelativePath);
        if (File.Exists(here))
        {
            return Path.GetFullPath(here);
        }

        for (var dir = new DirectoryInfo(baseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, RelativePath);
            if (File.Exists(candidate) && File.Exists(Path.Combine(dir.FullName, "src", "Balancer", "Balancer.csproj")))
            {
                return candidate;
            }
        }

        return Path.GetFullPath(Path.Combine(baseDirectory, RelativePath));
    }
}
