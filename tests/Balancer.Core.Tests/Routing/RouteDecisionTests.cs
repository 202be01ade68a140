using Balancer.Core.Configuration;
using Balancer.Core.Routing;

namespace Balancer.Core.Tests.Routing;

/// <summary>The per-request decisions of a route other than matching: split side, mirror sampling, redirect and path templates.</summary>
public sealed class RouteDecisionTests
{
    [Fact]
    public void Choose_DrawsFallOnSidesByWeight()
    {
        var split = new WeightedSplit([new WeightedPoolConfig { Pool = "a", Weight = 90 }, new WeightedPoolConfig { Pool = "b", Weight = 10 }]);

        Assert.Equal(0, split.Choose(0));
        Assert.Equal(0, split.Choose(0.8999));
        Assert.Equal(1, split.Choose(0.9));
        Assert.Equal(1, split.Choose(0.99999));
        Assert.Equal(1, split.Choose(1.0));
    }

    [Fact]
    public void Choose_SeededDraws_WithinOneAndAHalfPercentOfWeights()
    {
        var split = new WeightedSplit([new WeightedPoolConfig { Pool = "a", Weight = 70 }, new WeightedPoolConfig { Pool = "b", Weight = 20 }, new WeightedPoolConfig { Pool = "c", Weight = 10 }]);
        var random = new Random(22);
        var counts = new int[3];
        for (var i = 0; i < 10_000; i++)
        {
            counts[split.Choose(random.NextDouble())]++;
        }

        Assert.InRange(counts[0], 6850, 7150);
        Assert.InRange(counts[1], 1850, 2150);
        Assert.InRange(counts[2], 850, 1150);
    }

    [Fact]
    public void Choose_StickySideWins_EvenAtWeightZero()
    {
        var split = new WeightedSplit([new WeightedPoolConfig { Pool = "a", Weight = 1 }, new WeightedPoolConfig { Pool = "b", Weight = 0 }]);

        Assert.Equal(1, split.Choose(0.1, sticky: 1));
        Assert.Equal(0, split.Choose(0.99, sticky: -1));
        Assert.Equal(0, split.Choose(0.99, sticky: 7));
    }

    [Fact]
    public void Choose_ZeroWeightFirstSide_NeverDrawn()
    {
        var split = new WeightedSplit([new WeightedPoolConfig { Pool = "a", Weight = 0 }, new WeightedPoolConfig { Pool = "b", Weight = 5 }]);

        Assert.Equal(1, split.Choose(0));
    }

    [Theory]
    [InlineData(0.0, null, MirrorDecision.Copy)]
    [InlineData(0.0999, 100L, MirrorDecision.Copy)]
    [InlineData(0.1, null, MirrorDecision.Skip)]
    [InlineData(0.05, 1025L, MirrorDecision.TooLarge)]
    [InlineData(0.5, 1025L, MirrorDecision.Skip)]
    public void Decide_SamplesThenChecksTheBody(double draw, long? length, MirrorDecision expected)
    {
        var mirror = new MirrorPolicy(new MirrorConfig { Pool = "s", Percent = 10, MaxBodySize = 1024 });

        Assert.Equal(expected, mirror.Decide(draw, length));
    }

    [Fact]
    public void Decide_ZeroAndHundredPercent()
    {
        Assert.Equal(MirrorDecision.Skip, new MirrorPolicy(new MirrorConfig { Percent = 0 }).Decide(0, null));
        Assert.Equal(MirrorDecision.Copy, new MirrorPolicy(new MirrorConfig { Percent = 100 }).Decide(0.99999, null));
    }

    [Theory]
    [InlineData("https://example.com{path}{query}", "/a/b", "?x=1", "old.example:8080", "https://example.com/a/b?x=1")]
    [InlineData("https://{host}{path}", "/a", "", "old.example:8080", "https://old.example/a")]
    [InlineData("https://{host}:8443/new{path}", "/a", "", "[::1]:80", "https://[::1]:8443/new/a")]
    [InlineData("/login?next={path}", "/x", "", "h", "/login?next=/x")]
    [InlineData("https://fixed.example/", "/ignored", "?q", "h", "https://fixed.example/")]
    public void Expand_Placeholders(string to, string path, string query, string host, string expected)
    {
        var template = RedirectTemplate.Parse(to, out var error);

        Assert.Null(error);
        Assert.Equal(expected, template!.Expand(path, query, host));
    }

    [Theory]
    [InlineData("https://x{uri}", "unknown placeholder '{uri}'")]
    [InlineData("https://x{path", "unknown placeholder '{path'")]
    [InlineData("https://x}", "closes no placeholder")]
    public void Parse_BadRedirectTemplate_Error(string to, string message)
    {
        Assert.Null(RedirectTemplate.Parse(to, out var error));
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/items/{id}", "/items/42")]
    [InlineData("/v2/{**rest}", "/v2/a/b")]
    [InlineData("/v2/{id}/{**rest}", "/v2/42/a/b")]
    [InlineData("/fixed", "/fixed")]
    public void Expand_PathPattern(string pattern, string expected)
    {
        var template = PathTemplate.Parse(pattern, out var error);
        var values = new Dictionary<string, string> { ["id"] = "42", ["rest"] = "a/b" };

        Assert.Null(error);
        Assert.Equal(expected, template!.Expand(name => values.GetValueOrDefault(name)));
    }

    [Theory]
    [InlineData("items/{id}", "must start with '/'")]
    [InlineData("/{**rest}/x", "must be the last segment")]
    [InlineData("/item-{id}", "must be literal or one whole")]
    public void Parse_BadPathPattern_Error(string pattern, string message)
    {
        Assert.Null(PathTemplate.Parse(pattern, out var error));
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_UnchangedRouteKeepsItsCounts_ChangedOneStartsOver()
    {
        var registry = new RouteStatsRegistry();
        RouteConfig[] routes = [new RouteConfig { Pool = "a" }, new RouteConfig { Pools = [new WeightedPoolConfig { Pool = "a" }, new WeightedPoolConfig { Pool = "b" }] }];
        var first = registry.Apply("web", routes);
        first[0].OnRequest();
        first[1].OnSplit(1);

        var second = registry.Apply("web", [routes[0], new RouteConfig { Pools = [new WeightedPoolConfig { Pool = "a", Weight = 3 }, new WeightedPoolConfig { Pool = "b" }] }]);

        Assert.Same(first[0], second[0]);
        Assert.Equal(1, second[0].Requests);
        Assert.NotSame(first[1], second[1]);
        Assert.Equal(0, second[1].SplitRequests(1));
        Assert.Equal(["a", "b"], second[1].SplitPools);
        registry.Remove("web");
        Assert.Empty(registry.All);
    }

    [Fact]
    public void Describe_MatchAndAction_InConfigTerms()
    {
        var route = new RouteConfig
        {
            Path = "/api/{**rest}",
            Methods = ["GET"],
            Headers = [new FieldMatchConfig { Name = "X-Canary", Values = ["1"], IgnoreCase = true }],
            Query = [new FieldMatchConfig { Name = "debug", Mode = "notExists" }],
            Pools = [new WeightedPoolConfig { Pool = "v1", Weight = 90 }, new WeightedPoolConfig { Pool = "v2", Weight = 10 }],
            Mirror = new MirrorConfig { Pool = "shadow", Percent = 10 },
            Transforms = new TransformsConfig { StripPrefix = "/api", RequestHeaders = new HeaderEditsConfig { Set = [new("X-Env", "prod")] } },
        };

        Assert.Equal("hosts * path /api/{**rest} methods GET header X-Canary exact \"1\" ignoreCase query debug notExists", RouteDescription.Match(route));
        Assert.Equal("split v1 90, v2 10; mirror 10% to shadow (bodies up to 65536 bytes); transforms stripPrefix /api, request set X-Env: prod", RouteDescription.Action(route));
        Assert.Equal("redirect 301 https://x{path}", RouteDescription.Action(new RouteConfig { Redirect = new RedirectConfig { To = "https://x{path}", Status = 301 } }));
    }
}
