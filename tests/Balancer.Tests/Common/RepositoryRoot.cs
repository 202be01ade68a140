namespace Balancer.Tests.Common;

/// <summary>The repository the tests were built from, for checks of its docs, configs and deployment files.</summary>
public static class RepositoryRoot
{
    public static readonly string Path = Find();

    /// <summary>The text of a file of the repository, by its path from the root.</summary>
    public static string Read(string relative) => File.ReadAllText(System.IO.Path.Combine(Path, relative));

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "docker-compose.yml")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("docker-compose.yml not found above the test folder");
    }
}
