using Balancer.Core.Configuration;

namespace Balancer.Core.Tests.Configuration;

/// <summary>Binding and validation of issue #22's route fields: match, split, transforms, redirect, respond, mirror.</summary>
public sealed class RouteConfigTests
{
    private const string Pools = """
        "pools": { "v1": { "backends": [ { "address": "http://127.0.0.1:5001" } ] },
                   "v2": { "backends": [ { "address": "http://127.0.0.1:5002" } ] },
                   "shadow": { "backends": [ { "address": "http://127.0.0.1:5003" } ] } }
        """;

    [Fact]
    public void Parse_EveryField_Bound()
    {
        var json = $$"""
            { "listeners": { "web": { "bind": "127.0.0.1:80", "routes": [
                { "path": "/api/items/{id}", "methods": ["GET", "HEAD"],
                  "headers": [ { "name": "X-Canary", "values": ["1", "yes"], "mode": "exact", "ignoreCase": true }, { "name": "X-Debug", "mode": "notExists" } ],
                  "query": [ { "name": "v", "values": ["2"], "mode": "prefix" } ],
                  "pools": [ { "pool": "v1", "weight": 90 }, { "pool": "v2", "weight": 10 } ],
                  "transforms": { "pathPattern": "/items/{id}", "host": "api.internal:8080",
                                  "requestHeaders": { "set": { "X-Env": "prod" }, "append": { "X-Via": "lb" }, "remove": ["X-Debug"] },
                                  "responseHeaders": { "set": { "X-Frame-Options": "DENY" }, "removeServer": true } },
                  "mirror": { "pool": "shadow", "percent": 12.5, "maxBodySize": 1024 } },
                { "path": "/old/{**rest}", "redirect": { "to": "https://{host}/new{path}{query}", "status": 308 } },
                { "path": "/down", "respond": { "status": 503, "body": "down\n", "contentType": "text/plain" } },
                { "path": "/api/{**rest}", "pool": "v1", "transforms": { "stripPrefix": "/api", "addPrefix": "/v2" } } ] } },
              {{Pools}} }
            """;

        var result = ConfigLoader.Parse(json, "c.json");

        Assert.Empty(result.Errors);
        var routes = result.Config!.Listeners["web"].Routes;
        var split = routes[0];
        Assert.Equal(["GET", "HEAD"], split.Methods);
        Assert.Equal(new FieldMatchConfig { Name = "X-Canary", Values = split.Headers[0].Values, Mode = "exact", IgnoreCase = true }, split.Headers[0]);
        Assert.Equal(["1", "yes"], split.Headers[0].Values);
        Assert.Equal((FieldMatchModes.NotExists, 0), (split.Headers[1].Mode, split.Headers[1].Values.Count));
        Assert.Equal(("v", FieldMatchModes.Prefix), (split.Query[0].Name, split.Query[0].Mode));
        Assert.Equal([new WeightedPoolConfig { Pool = "v1", Weight = 90 }, new WeightedPoolConfig { Pool = "v2", Weight = 10 }], split.Pools);
        Assert.Equal(("/items/{id}", "api.internal:8080"), (split.Transforms!.PathPattern, split.Transforms.Host));
        Assert.Equal([new("X-Env", "prod")], split.Transforms.RequestHeaders!.Set);
        Assert.Equal([new("X-Via", "lb")], split.Transforms.RequestHeaders.Append);
        Assert.Equal(["X-Debug"], split.Transforms.RequestHeaders.Remove);
        Assert.True(split.Transforms.ResponseHeaders!.RemoveServer);
        Assert.Equal(new MirrorConfig { Pool = "shadow", Percent = 12.5, MaxBodySize = 1024 }, split.Mirror);
        Assert.Equal(new RedirectConfig { To = "https://{host}/new{path}{query}", Status = 308 }, routes[1].Redirect);
        Assert.Equal(new RespondConfig { Status = 503, Body = "down\n", ContentType = "text/plain" }, routes[2].Respond);
        Assert.Equal(("/api", "/v2", "v1"), (routes[3].Transforms!.StripPrefix, routes[3].Transforms!.AddPrefix, routes[3].Pool));
    }

    [Theory]
    [InlineData("""{ "pool": "v1", "pools": [ { "pool": "v2" } ] }""", "routes[0].pools", "'pool' and 'pools' are both set")]
    [InlineData("""{ "path": "/x" }""", "routes[0].pool", "a route needs 'pool', 'pools' (a weighted split), 'redirect' or 'respond'")]
    [InlineData("""{ "pool": "v1", "respond": { "status": 503 } }""", "routes[0].pool", "a route with 'respond' answers by itself and forwards nothing; remove 'pool'")]
    [InlineData("""{ "redirect": { "to": "/x" }, "mirror": { "pool": "shadow" } }""", "routes[0].mirror", "a route with 'redirect' answers by itself")]
    [InlineData("""{ "redirect": { "to": "/x" }, "transforms": { "stripPrefix": "/a" } }""", "routes[0].transforms", "forwards nothing; remove 'transforms'")]
    [InlineData("""{ "redirect": { "to": "/x" }, "respond": {} }""", "routes[0].respond", "a route either redirects or responds")]
    [InlineData("""{ "redirect": { "to": "https://example.com{path}", "status": 304 } }""", "routes[0].redirect.status", "one of 301, 302, 303, 307, 308; got 304")]
    [InlineData("""{ "redirect": { "to": "https://example.com{uri}" } }""", "routes[0].redirect.to", "unknown placeholder '{uri}'")]
    [InlineData("""{ "redirect": { "to": "example.com/{path}" } }""", "routes[0].redirect.to", "is not an http(s) URL or an absolute path")]
    [InlineData("""{ "redirect": { "status": 301 } }""", "routes[0].redirect.to", "missing required field 'to'")]
    [InlineData("""{ "respond": { "status": 99 } }""", "routes[0].respond.status", "status must be 200-599, got 99")]
    [InlineData("""{ "respond": { "status": 204, "body": "x" } }""", "routes[0].respond.body", "a 204 response has no body")]
    [InlineData("""{ "pool": "v1", "headers": [ { "values": ["1"] } ] }""", "routes[0].headers[0].name", "missing required field 'name'")]
    [InlineData("""{ "pool": "v1", "headers": [ { "name": "X A", "values": ["1"] } ] }""", "routes[0].headers[0].name", "'X A' is not a header name")]
    [InlineData("""{ "pool": "v1", "headers": [ { "name": "X-A" } ] }""", "routes[0].headers[0].values", "mode 'exact' needs 'values'")]
    [InlineData("""{ "pool": "v1", "headers": [ { "name": "X-A", "mode": "exists", "values": ["1"] } ] }""", "routes[0].headers[0].values", "mode 'exists' tests only whether the header is there")]
    [InlineData("""{ "pool": "v1", "headers": [ { "name": "X-A", "mode": "regex", "values": ["1"] } ] }""", "routes[0].headers[0].mode", "unknown match mode 'regex'")]
    [InlineData("""{ "pool": "v1", "query": [ { "name": "q", "mode": "contains", "values": [""] } ] }""", "routes[0].query[0].values[0]", "an empty value matches every query parameter")]
    [InlineData("""{ "pool": "v1", "methods": ["GET POST"] }""", "routes[0].methods[0]", "'GET POST' is not a method")]
    [InlineData("""{ "pools": [ { "pool": "v1", "weight": 0 }, { "pool": "v2", "weight": 0 } ] }""", "routes[0].pools", "every side of the split has weight 0")]
    [InlineData("""{ "pools": [ { "pool": "v1" }, { "pool": "v1" } ] }""", "routes[0].pools[1].pool", "already a side of this split")]
    [InlineData("""{ "pools": [ { "pool": "v3" } ] }""", "routes[0].pools[0].pool", "pool 'v3' is not defined")]
    [InlineData("""{ "pools": [ { "pool": "v1", "weight": -1 } ] }""", "routes[0].pools[0].weight", "weight must be 0-1000000, got -1")]
    [InlineData("""{ "pool": "v1", "mirror": { "pool": "nope" } }""", "routes[0].mirror.pool", "pool 'nope' is not defined")]
    [InlineData("""{ "pool": "v1", "mirror": { "pool": "shadow", "percent": 101 } }""", "routes[0].mirror.percent", "percent must be between 0 and 100")]
    [InlineData("""{ "pool": "v1", "mirror": { "pool": "shadow", "maxBodySize": -1 } }""", "routes[0].mirror.maxBodySize", "maxBodySize must be 0-16777216, got -1")]
    [InlineData("""{ "pool": "v1", "transforms": { "stripPrefix": "api" } }""", "routes[0].transforms.stripPrefix", "stripPrefix must be a path of one or more segments")]
    [InlineData("""{ "pool": "v1", "transforms": { "addPrefix": "/v2/" } }""", "routes[0].transforms.addPrefix", "addPrefix must be a path")]
    [InlineData("""{ "pool": "v1", "transforms": { "pathPattern": "/items/{id}" } }""", "routes[0].transforms.pathPattern", "pathPattern uses {id}, but the route path captures {rest}")]
    [InlineData("""{ "pool": "v1", "transforms": { "pathPattern": "/{**rest}", "stripPrefix": "/a" } }""", "routes[0].transforms.pathPattern", "pathPattern sets the whole path")]
    [InlineData("""{ "pool": "v1", "transforms": { "host": "a b" } }""", "routes[0].transforms.host", "host must be \"keep\"")]
    [InlineData("""{ "pool": "v1", "transforms": { "requestHeaders": { "set": { "Host": "x" } } } }""", "routes[0].transforms.requestHeaders.set.Host", "use transforms.host")]
    [InlineData("""{ "pool": "v1", "transforms": { "requestHeaders": { "remove": ["Content-Length"] } } }""", "routes[0].transforms.requestHeaders.remove[0]", "frames the message")]
    [InlineData("""{ "pool": "v1", "transforms": { "requestHeaders": { "set": { "X-A": "1\r\nX-B: 2" } } } }""", "routes[0].transforms.requestHeaders.set.X-A", "control character")]
    [InlineData("""{ "pool": "v1", "transforms": { "requestHeaders": { "set": { "X-A": "1", "x-a": "2" } } } }""", "routes[0].transforms.requestHeaders.set.x-a", "listed twice")]
    [InlineData("""{ "pool": "v1", "transforms": { "requestHeaders": { "removeServer": true } } }""", "routes[0].transforms.requestHeaders.removeServer", "unknown field 'removeServer'")]
    [InlineData("""{ "pool": "v1", "transforms": { "requestHeaders": { "set": { "X-A": 1 } } } }""", "routes[0].transforms.requestHeaders.set.X-A", "expected a string, got a number")]
    [InlineData("""{ "pool": "v1", "path": "/a/{id}/{id}" }""", "routes[0].path", "names parameter '{id}' twice")]
    [InlineData("""{ "pool": "v1", "mirrors": {} }""", "routes[0].mirrors", "unknown field 'mirrors'")]
    public void Parse_InvalidRoute_ReportedAtItsField(string route, string path, string message)
    {
        var json = $$"""{ "listeners": { "web": { "bind": "127.0.0.1:80", "routes": [ {{route}} ] } }, {{Pools}} }""";

        var errors = ConfigLoader.Parse(json, "c.json").Errors.Where(e => e.IsError).ToList();

        Assert.Contains(errors, e => e.Path == $"listeners.web.{path}" && e.Message.Contains(message, StringComparison.Ordinal) && e.Line > 0 && e.Column > 0);
    }

    [Fact]
    public void Parse_SeveralMistakes_EveryOneReportedWithPosition()
    {
        const string Json = """
            { "listeners": { "web": { "bind": "127.0.0.1:80", "routes": [
                { "pool": "v1", "pools": [ { "pool": "v2" } ], "headers": [ { "mode": "exists" } ] },
                { "respond": { "status": 700 }, "pool": "v1" } ] } },
              "pools": { "v1": { "backends": [] }, "v2": { "backends": [] } } }
            """;

        var errors = ConfigLoader.Parse(Json, "c.json").Errors.Where(e => e.IsError).Select(e => e.ToString()).ToList();

        Assert.Equal(
            [
                "c.json:2:30 listeners.web.routes[0].pools: 'pool' and 'pools' are both set; use 'pool' for one pool or 'pools' for a weighted split",
                "c.json:2:65 listeners.web.routes[0].headers[0].name: missing required field 'name'",
                "c.json:3:30 listeners.web.routes[1].respond.status: status must be 200-599, got 700",
                "c.json:3:45 listeners.web.routes[1].pool: a route with 'respond' answers by itself and forwards nothing; remove 'pool'",
            ],
            errors);
    }

    [Fact]
    public void Parse_MirrorToItsOwnPool_Warns()
    {
        var json = $$"""{ "listeners": { "web": { "bind": "127.0.0.1:80", "routes": [ { "pool": "v1", "mirror": { "pool": "v1" } } ] } }, {{Pools}} }""";

        var result = ConfigLoader.Parse(json, "c.json");

        Assert.NotNull(result.Config);
        Assert.Contains(result.Errors, e => !e.IsError && e.Path == "listeners.web.routes[0].mirror.pool");
    }
}
