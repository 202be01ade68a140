using Balancer.Demo;
using Balancer.Tests.Common;

namespace Balancer.Tests.Demo;

public sealed class DemoConfigLocatorTests
{
    [Fact]
    public void Locate_RunFromBuildOutputInsideTheRepository_TheRepositorysFile()
    {
        // As `dotnet run --project src/Balancer -- demo` runs it: the base directory is bin/…, which holds a shipped copy.
        var bin = Path.Combine(RepositoryRoot.Path, "src", "Balancer", "bin", "Debug", "net10.0");

        var located = DemoConfigLocator.Locate(null, Path.GetTempPath(), bin);

        Assert.Equal(Path.Combine(RepositoryRoot.Path, "config", "demo.json"), located);
    }

    [Fact]
    public void Locate_CurrentDirectoryHasConfig_ThatOne_ExplicitPathFirst()
    {
        var dir = Directory.CreateTempSubdirectory("balancer-demo-locate-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "config"));
            File.WriteAllText(Path.Combine(dir, "config", "demo.json"), "{}");

            Assert.Equal(Path.Combine(dir, "config", "demo.json"), DemoConfigLocator.Locate(null, dir, "/nonexistent/bin"));
            Assert.Equal(Path.Combine(dir, "mine.json"), DemoConfigLocator.Locate("mine.json", dir, "/nonexistent/bin"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Locate_PublishedBuildOutsideARepository_TheShippedCopy()
    {
        var published = Directory.CreateTempSubdirectory("balancer-published-").FullName;
        try
        {
            Assert.Equal(Path.Combine(published, "config", "demo.json"), DemoConfigLocator.Locate(null, "/", published));
        }
        finally
        {
            Directory.Delete(published, recursive: true);
        }
    }
}
