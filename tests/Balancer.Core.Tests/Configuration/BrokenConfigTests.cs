using Balancer.Core.Configuration;

namespace Balancer.Core.Tests.Configuration;

/// <summary>Each file under Broken/ holds one mistake and, in its first line, the one error it must produce.</summary>
public sealed class BrokenConfigTests
{
    private const string ExpectPrefix = "// expect: ";
    private static readonly string s_folder = Path.Combine(AppContext.BaseDirectory, "Configuration", "Broken");

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(s_folder, "*.json").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Fact]
    public void Files_Folder_HoldsOnePerErrorKind()
    {
        Assert.True(Files().Count >= 30, $"expected the broken configs in {s_folder}");
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Load_BrokenFile_ReportsExactlyTheExpectedError(string name)
    {
        var path = Path.Combine(s_folder, name);
        var firstLine = File.ReadLines(path).First();
        Assert.StartsWith(ExpectPrefix, firstLine);

        var result = ConfigLoader.Load(path, ReferencedFileCheck.Warn);

        Assert.False(result.IsValid);
        Assert.Null(result.Config);
        var error = Assert.Single(result.Errors, e => e.IsError);
        Assert.Equal($"{path}:{firstLine[ExpectPrefix.Length..]}", error.ToString());
    }
}
