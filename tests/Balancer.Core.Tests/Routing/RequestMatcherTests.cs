using Balancer.Core.Configuration;
using Balancer.Core.Routing;

namespace Balancer.Core.Tests.Routing;

public sealed class RequestMatcherTests
{
    [Theory]
    [InlineData("exact", false, "1", "1", true)]
    [InlineData("exact", false, "1", "10", false)]
    [InlineData("exact", false, "abc", "ABC", false)]
    [InlineData("exact", true, "abc", "ABC", true)]
    [InlineData("exact", false, "a", "a, b", false)]
    [InlineData("prefix", false, "Bear", "Bearer x", true)]
    [InlineData("prefix", false, "bear", "Bearer x", false)]
    [InlineData("prefix", true, "bear", "Bearer x", true)]
    [InlineData("contains", false, "Mobile", "Mozilla/5.0 (Mobile)", true)]
    [InlineData("contains", false, "mobile", "Mozilla/5.0 (Mobile)", false)]
    [InlineData("contains", true, "mobile", "Mozilla/5.0 (Mobile)", true)]
    public void Matches_HeaderModes(string mode, bool ignoreCase, string expected, string actual, bool matches)
    {
        var match = new FieldMatch("X-A", FieldMatch.ParseMode(mode), [expected], ignoreCase);

        Assert.Equal(matches, match.Matches(new FieldValues(actual)));
        Assert.False(match.Matches(default));
    }

    [Fact]
    public void Matches_AnyValueOfAnyLine()
    {
        var match = new FieldMatch("X-A", FieldMatchMode.Exact, ["2", "3"], ignoreCase: false);

        Assert.True(match.Matches(new FieldValues(["1", "3"])));
        Assert.False(match.Matches(new FieldValues(["1", "4"])));
    }

    [Fact]
    public void Matches_ExistsAndNotExists()
    {
        var exists = new FieldMatch("X-A", FieldMatchMode.Exists, [], false);
        var absent = new FieldMatch("X-A", FieldMatchMode.NotExists, [], false);

        Assert.True(exists.Matches(new FieldValues("")));
        Assert.False(exists.Matches(default));
        Assert.False(absent.Matches(new FieldValues("x")));
        Assert.True(absent.Matches(default));
    }

    [Theory]
    [InlineData("?v=2", "exact", "2", true)]
    [InlineData("?a=1&V=2", "exact", "2", true)]
    [InlineData("v=3&v=2", "exact", "2", true)]
    [InlineData("?v=20", "exact", "2", false)]
    [InlineData("?v=20", "prefix", "2", true)]
    [InlineData("?name=john+smith", "exact", "john smith", true)]
    [InlineData("?name=a%26b", "exact", "a&b", true)]
    [InlineData("?n%61me=x", "exact", "x", true)]
    [InlineData("?q=hello%20world", "contains", "lo wo", true)]
    [InlineData("?v", "exists", null, true)]
    [InlineData("?v=", "exists", null, true)]
    [InlineData("?vv=1", "exists", null, false)]
    [InlineData("", "exists", null, false)]
    [InlineData("?vv=1", "notExists", null, true)]
    [InlineData("?v=1", "notExists", null, false)]
    [InlineData("?bad=%zz&v=%zz", "exact", "%zz", true)]
    public void Matches_QueryParameters(string query, string mode, string? value, bool matches)
    {
        var match = new FieldMatch("v", FieldMatch.ParseMode(mode), value is null ? [] : [value], ignoreCase: false);
        var name = query.Contains("name", StringComparison.Ordinal) || query.Contains("n%61me", StringComparison.Ordinal) ? "name" : query.StartsWith("?q", StringComparison.Ordinal) ? "q" : "v";
        match = new FieldMatch(name, match.Mode, value is null ? [] : [value], false);

        Assert.Equal(matches, QueryParameters.Matches(query, match));
    }

    [Fact]
    public void Matches_EveryConditionMustHold()
    {
        var route = new RouteConfig
        {
            Methods = ["GET", "HEAD"],
            Headers = [new FieldMatchConfig { Name = "X-Canary", Values = ["1"] }, new FieldMatchConfig { Name = "X-Debug", Mode = "notExists" }],
            Query = [new FieldMatchConfig { Name = "beta", Mode = "exists" }],
        };
        var matcher = RequestMatcher.From(route);

        Assert.True(matcher.HasConditions);
        Assert.True(matcher.Matches(new FakeRequest("GET", "?beta", ("X-Canary", "1"))));
        Assert.False(matcher.Matches(new FakeRequest("get", "?beta", ("X-Canary", "1"))));
        Assert.False(matcher.Matches(new FakeRequest("POST", "?beta", ("X-Canary", "1"))));
        Assert.False(matcher.Matches(new FakeRequest("GET", "", ("X-Canary", "1"))));
        Assert.False(matcher.Matches(new FakeRequest("GET", "?beta", ("X-Canary", "0"))));
        Assert.False(matcher.Matches(new FakeRequest("GET", "?beta", ("X-Canary", "1"), ("X-Debug", "1"))));
        Assert.False(RequestMatcher.From(new RouteConfig()).HasConditions);
    }

    [Fact]
    public void Matches_HeaderNamesIgnoreCase()
    {
        var matcher = RequestMatcher.From(new RouteConfig { Headers = [new FieldMatchConfig { Name = "x-canary", Values = ["1"] }] });

        Assert.True(matcher.Matches(new FakeRequest("GET", "", ("X-CANARY", "1"))));
    }

    private readonly struct FakeRequest(string method, string query, params (string Name, string Value)[] headers) : IRequestFields
    {
        public string Method => method;

        public string RawQuery => query;

        public FieldValues Header(string name)
        {
            var values = headers.Where(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => (string?)h.Value).ToArray();
            return new FieldValues(values.Length == 0 ? null : values);
        }
    }
}
