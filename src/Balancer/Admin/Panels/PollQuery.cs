using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Balancer.Admin.Panels;

/// <summary>
/// What the dashboard asks for in one poll (<c>GET /console/poll?q=JSON</c>): the samples and events after those it has,
/// the page of each pool's backend table it shows, and the backends whose series it draws. Bounded: a page holds at
/// most <see cref="MaxPageSize"/> rows and at most <see cref="MaxSeries"/> backends' series are sent.
/// </summary>
internal sealed record PollQuery
{
    public const int MaxPageSize = 200;

    public const int MaxSeries = 100;

    public const string Usage =
        "q must be JSON: {\"since\": N, \"events\": N, \"pages\": {\"POOL\": {\"offset\": N, \"limit\": N, \"filter\": \"all|down|draining|override|problems\", "
        + "\"search\": \"TEXT\", \"sort\": \"config|requests|errors|p99|inflight\"}}, \"have\": [\"POOL|ADDRESS\"], \"expand\": [\"POOL|ADDRESS\"]}";

    // Source-generated (AdminJsonContext): no reflection, so the same code runs under Native AOT. Properties with a
    // default are set, not init: the generator builds init-only ones in one object initializer that sets those the
    // query left out to null or 0, over their defaults (every poll without "have" answered 500).
    private static readonly JsonSerializerOptions s_options = new(JsonSerializerDefaults.Web) { AllowTrailingCommas = true, TypeInfoResolver = AdminJsonContext.Default };

    /// <summary>Samples the client has: it gets those numbered from here on (0: all there are).</summary>
    public long Since { get; init; }

    /// <summary>The last event the client has: it gets those after it.</summary>
    public long Events { get; init; }

    /// <summary>The page of each pool's backend table shown; pools not named get their first page.</summary>
    public Dictionary<string, PageQuery> Pages { get; set; } = [];

    /// <summary>Backends (<c>pool|address</c>) whose series the client already has up to <see cref="Since"/>.</summary>
    public List<string> Have { get; set; } = [];

    /// <summary>Backends (<c>pool|address</c>) whose series the client wants besides those its pool's chart draws.</summary>
    public List<string> Expand { get; set; } = [];

    /// <summary>The query in <paramref name="q"/> (none: the defaults); null when it is not one.</summary>
    public static PollQuery? Parse(string? q)
    {
        if (string.IsNullOrEmpty(q))
        {
            return new PollQuery();
        }

        try
        {
            var query = JsonSerializer.Deserialize(q, (JsonTypeInfo<PollQuery>)s_options.GetTypeInfo(typeof(PollQuery)));
            return query is null || query.Since < 0 || query.Events < 0 || query.Have.Count > 10 * MaxSeries || query.Expand.Count > MaxSeries
                || query.Pages.Values.Any(p => p is null || p.Offset < 0 || p.Limit is < 1 or > MaxPageSize) ? null : query;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The page asked for <paramref name="pool"/>.</summary>
    public PageQuery PageOf(string pool) => Pages.TryGetValue(pool, out var page) ? page : PageQuery.First;

    /// <summary>Splits <c>pool|address</c>.</summary>
    public static (string Pool, string Address)? SplitKey(string key) =>
        key.IndexOf('|', StringComparison.Ordinal) is > 0 and var bar ? (key[..bar], key[(bar + 1)..]) : null;
}

/// <summary>One page of a pool's backend table.</summary>
internal sealed record PageQuery
{
    public static readonly PageQuery First = new();

    public int Offset { get; init; }

    public int Limit { get; set; } = 50;

    /// <summary><c>all</c>, <c>down</c> (down or not probed yet), <c>draining</c>, <c>override</c> (a runtime weight), <c>problems</c> (any of those, or failing).</summary>
    public string Filter { get; set; } = "all";

    /// <summary>Only backends whose address contains this.</summary>
    public string Search { get; set; } = "";

    /// <summary><c>config</c> (the config's order), or by <c>requests</c>, <c>errors</c>, <c>p99</c>, <c>inflight</c>, highest first.</summary>
    public string Sort { get; set; } = "config";
}
