using System.Diagnostics;
using Balancer.Tests.Common;

namespace Balancer.Tests.ScaleOut;

/// <summary>
/// The BIRD configs that docs/scale-out.md tells operators to copy parse (<c>bird -p -c</c>): the node's, the router's,
/// and the router's with the last-resort static route. (The FRR ones were checked with <c>vtysh -C -f</c> by hand:
/// CI does not install FRR.)
/// </summary>
public sealed class ScaleOutDocsTests
{
    [BirdFact]
    public void BirdConfigs_InTheScaleOutDoc_Parse()
    {
        BirdFactAttribute.Require();
        var blocks = FencedBlocks(RepositoryRoot.Read("docs/scale-out.md"));
        var node = Assert.Single(blocks, b => b.Contains("protocol direct", StringComparison.Ordinal));
        var router = Assert.Single(blocks, b => b.Contains("merge paths on", StringComparison.Ordinal));
        var fallback = Assert.Single(blocks, b => b.StartsWith("protocol static", StringComparison.Ordinal));
        foreach (var (name, config) in new[] { ("node", node), ("router", router), ("router with the fallback route", router + fallback) })
        {
            var (code, output) = Parse(config);
            Assert.True(code == 0, $"bird -p -c on the {name} config of docs/scale-out.md (exit {code}):\n{output}\n{config}");
        }
    }

    private static List<string> FencedBlocks(string markdown)
    {
        var blocks = new List<string>();
        List<string>? open = null;
        foreach (var line in markdown.Split('\n'))
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                if (open is not null)
                {
                    blocks.Add(string.Join('\n', open) + "\n");
                }

                open = open is null ? [] : null;
            }
            else
            {
                open?.Add(line);
            }
        }

        return blocks;
    }

    private static (int Code, string Output) Parse(string config)
    {
        var file = Path.Combine(Path.GetTempPath(), $"balancer-docs-bird-{Environment.ProcessId}-{Guid.NewGuid():N}.conf");
        File.WriteAllText(file, config);
        try
        {
            using var process = Process.Start(new ProcessStartInfo(BirdDaemon.Find("bird")!, ["-p", "-c", file]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            Assert.True(process.WaitForExit(30_000), "bird -p did not finish");
            return (process.ExitCode, stdout.Result + stderr.Result);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
