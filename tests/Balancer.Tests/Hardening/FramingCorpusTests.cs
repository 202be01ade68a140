using System.Text;
using Balancer.Tests.Common;

namespace Balancer.Tests.Hardening;

/// <summary>
/// Request framing and desync corpus, end to end: each case of <c>Corpus/*.txt</c> goes over a raw socket to a real
/// Balancer in front of a <see cref="RecorderBackend"/>. It must be refused (a 4xx or a closed connection, the backend
/// seeing nothing) or normalised (the backend sees exactly the expected requests, each one well-formed: never CL and TE
/// together, no control characters, no h2c upgrade, origin-form target). <c>CORPUS_DISCOVER=1</c> prints what each
/// case got instead of checking the expectation (the well-formedness checks still run).
/// </summary>
public sealed class FramingCorpusTests(CorpusFixture fixture) : IClassFixture<CorpusFixture>
{
    private static readonly string s_directory = Path.Combine(AppContext.BaseDirectory, "Hardening", "Corpus");
    private static readonly bool s_discover = Environment.GetEnvironmentVariable("CORPUS_DISCOVER") == "1";

    public static TheoryData<string> Cases => [.. CorpusCase.LoadAll(s_directory).Select(c => c.ToString())];

    [Fact]
    public void Corpus_HasEnoughCases() => Assert.True(CorpusCase.LoadAll(s_directory).Count >= 150);

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Case_RejectedOrForwardedWellFormed(string id)
    {
        var @case = CorpusCase.LoadAll(s_directory).Single(c => c.ToString() == id);
        fixture.Recorder.Clear();

        var expected = @case.Backend.Where(b => b.Key == "requests").Select(b => int.Parse(b.Value, System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault(1);
        var exchange = await RawHttpClient.ExchangeAsync(fixture.Balancer.ListenerAddress, @case.Request, TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(5));
        if (@case.Expect != "reject" && !s_discover)
        {
            // The client side may go quiet before a pipelined request reaches the backend on a busy machine: wait for
            // the expected count (bounded), then as for every case a moment more for a straggler that should not come.
            for (var waited = TimeSpan.Zero; fixture.Recorder.Requests.Count < expected && waited < TimeSpan.FromSeconds(5); waited += TimeSpan.FromMilliseconds(20))
            {
                await Task.Delay(20);
            }
        }

        await Task.Delay(50); // a straggler forwarded after the last response would show up here
        var seen = @case.Counted(fixture.Recorder.Requests);

        var outcome = Describe(exchange, seen);
        if (s_discover)
        {
            await File.AppendAllTextAsync(Path.Combine(Path.GetTempPath(), "corpus-discover.txt"), $"{id}\n    expect {@case.Expect}; got {outcome}\n");
        }

        Assert.All(seen, r => Assert.Empty(r.Problems()));
        if (s_discover)
        {
            return;
        }

        if (@case.Expect == "reject")
        {
            Assert.True(seen.Count == 0 && !exchange.Statuses.Contains(200), $"expected a refusal; got {outcome}");
            return;
        }

        Assert.True(seen.Count == expected, $"expected {expected} request(s) at the backend; got {outcome}");
        foreach (var (key, value) in @case.Backend)
        {
            CheckRule(seen[0], key, value, outcome);
        }
    }

    private static void CheckRule(RecordedRequest request, string key, string value, string outcome)
    {
        switch (key)
        {
            case "body":
                Assert.Equal(value, Encoding.Latin1.GetString(request.Body));
                break;
            case "method":
                Assert.Equal(value, request.Method);
                break;
            case "target":
                Assert.Equal(value, request.Target);
                break;
            case "header":
                var colon = value.IndexOf(':', StringComparison.Ordinal);
                Assert.True(request.Values(value[..colon]).SequenceEqual([value[(colon + 1)..].Trim()]), $"expected only {value}; got {outcome}");
                break;
            case "no-header":
                Assert.True(!request.Values(value).Any(), $"expected no {value}; got {outcome}");
                break;
        }
    }

    private static string Describe(RawExchange exchange, IReadOnlyList<RecordedRequest> seen)
    {
        var statuses = exchange.Statuses.Count == 0 ? "no response" : string.Join(",", exchange.Statuses);
        var requests = string.Join(" | ", seen.Select(r =>
            $"{r.Method} {RecordedRequest.Escape(r.Target)} [{string.Join("; ", r.Headers.Select(h => RecordedRequest.Escape($"{h.Name}: {h.Value}")))}] body={r.Body.Length}"
            + (r.Anomalies.Count > 0 ? " anomalies: " + string.Join("; ", r.Anomalies) : "")));
        return $"{statuses}{(exchange.Closed ? ", closed" : "")}; backend saw {seen.Count}{(seen.Count > 0 ? ": " + requests : "")}";
    }
}
