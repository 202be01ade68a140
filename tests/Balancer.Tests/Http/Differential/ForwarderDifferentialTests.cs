using System.Collections.Concurrent;
using Balancer.Tests.Common;
using Balancer.Tests.Hardening;

namespace Balancer.Tests.Http.Differential;

/// <summary>
/// The two forwarders, one contract (issue #20 §2, STYLE habit 15): the framing corpus and a set of ordinary requests
/// go through a listener with the lean forwarder (<c>forwarder: auto</c>) and one with YARP's (<c>forwarder: yarp</c>),
/// each in front of a recorder backend, at the same time. What each backend receives — the head normalised for order
/// only — and what each client receives must be the same. A case that differs is run once more alone with a longer
/// quiet time before it counts (a busy machine can delay one side's last bytes); every difference is listed.
/// </summary>
public sealed class ForwarderDifferentialTests(DifferentialFixture fixture) : IClassFixture<DifferentialFixture>
{
    private static readonly string s_corpus = Path.Combine(AppContext.BaseDirectory, "Hardening", "Corpus");

    [Fact]
    public void Cases_AtLeast250()
    {
        Assert.True(OrdinaryRequests.All().Count + CorpusCase.LoadAll(s_corpus).Count >= 250);
    }

    [Fact]
    public async Task OrdinaryRequests_BothForwarders_SameBytesToBackendAndClient()
    {
        var cases = OrdinaryRequests.All();
        var differences = await RunAsync(cases);

        Assert.True(differences.Count == 0, $"{differences.Count} case(s) differ:\n\n{string.Join("\n", differences)}");
        // Not YARP against YARP: most requests on the auto side went through the lean forwarder (the rest are those it
        // declines: chunked bodies, 100-continue, repeated or non-ASCII headers).
        await Wait.Until(() => fixture.LeanRequests() >= cases.Count / 2, TimeSpan.FromSeconds(10), "half the ordinary requests through the lean forwarder");
    }

    [Fact]
    public async Task TransformedRequests_BothForwarders_SameBytesToBackendAndClient()
    {
        // The ordinary requests again, under the routes that rewrite path, Host and headers (issue #22's transforms).
        var cases = OrdinaryRequests.All().SelectMany(c => new[] { Under(c, "/t"), Under(c, "/p/42") }).OfType<DifferentialCase>().ToList();

        var differences = await RunAsync(cases);

        Assert.True(cases.Count >= 100, $"only {cases.Count} transformed cases");
        Assert.True(differences.Count == 0, $"{differences.Count} case(s) differ:\n\n{string.Join("\n", differences)}");
    }

    [Fact]
    public async Task FramingCorpus_BothForwarders_SameBytesToBackendAndClient()
    {
        var cases = CorpusCase.LoadAll(s_corpus).Select(c => new DifferentialCase(c.ToString(), c.Request, EndsWithClose: false, IgnoreCut: c.CutAllowed)).ToList();

        var differences = await RunAsync(cases);

        Assert.True(differences.Count == 0, $"{differences.Count} case(s) differ:\n\n{string.Join("\n", differences)}");
    }

    private async Task<List<string>> RunAsync(IReadOnlyList<DifferentialCase> cases)
    {
        var queue = new ConcurrentQueue<DifferentialCase>(cases);
        var differences = new ConcurrentBag<string>();
        await Task.WhenAll(fixture.Lanes.Select(async lane =>
        {
            while (queue.TryDequeue(out var @case))
            {
                if (await CompareAsync(lane, @case, TimeSpan.FromMilliseconds(300)) is not null
                    && await CompareAsync(lane, @case, TimeSpan.FromSeconds(1.5)) is { } difference)
                {
                    differences.Add(difference);
                }
            }
        }));
        return [.. differences.Order(StringComparer.Ordinal)];
    }

    /// <summary>Null when both sides saw the same; else the two views.</summary>
    private static async Task<string?> CompareAsync(DifferentialFixture.Lane lane, DifferentialCase @case, TimeSpan quiet)
    {
        lane.Auto.Recorder.Clear();
        lane.Yarp.Recorder.Clear();
        var idle = @case.EndsWithClose ? TimeSpan.FromSeconds(10) : quiet;
        var limit = TimeSpan.FromSeconds(15);
        var exchanges = await Task.WhenAll(
            RawHttpClient.ExchangeAsync(lane.Auto.Listener, @case.Request, idle, limit),
            RawHttpClient.ExchangeAsync(lane.Yarp.Listener, @case.Request, idle, limit));
        if (!@case.EndsWithClose)
        {
            await Task.Delay(50); // a straggler forwarded after the last response would show up here
        }

        var client = System.Text.Encoding.Latin1.GetString(@case.Request);
        var auto = View(lane.Auto, exchanges[0], client, @case.IgnoreCut);
        var yarp = View(lane.Yarp, exchanges[1], client, @case.IgnoreCut);
        return auto == yarp ? null : $"== {@case.Name}\n-- lean (forwarder auto):\n{auto}-- yarp:\n{yarp}";
    }

    /// <summary>The case with its origin-form target moved under <paramref name="prefix"/>; null for other targets.</summary>
    private static DifferentialCase? Under(DifferentialCase @case, string prefix)
    {
        var text = System.Text.Encoding.Latin1.GetString(@case.Request);
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 || space + 1 >= text.Length || text[space + 1] != '/'
            ? null
            : @case with { Name = $"{prefix} {@case.Name}", Request = System.Text.Encoding.Latin1.GetBytes(text[..(space + 1)] + prefix + text[(space + 1)..]) };
    }

    private static string View(DifferentialFixture.Side side, RawExchange exchange, string client, bool ignoreCut) =>
        ExchangeView.Describe(ignoreCut ? [.. side.Recorder.Requests.Where(r => !r.Cut)] : side.Recorder.Requests, side.Recorder.ConfigAddress["http://".Length..], exchange, client);
}
