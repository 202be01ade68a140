using System.Net.Sockets;
using System.Text;
using Balancer.Tests.Common;

namespace Balancer.Tests.Traffic;

/// <summary>Consistent hashing end to end: every key kind, key-less requests, two processes agreeing, tcp pools by client address.</summary>
public sealed class HashTests : ThreeBackends
{
    [Theory]
    [InlineData("header:X-User", "X-User")]
    [InlineData("cookie:session", "Cookie")]
    [InlineData("query:user", "")]
    [InlineData("client-ip", "X-Forwarded-For")]
    public async Task Hash_EachKeyKind_SameKeySameBackendAndKeysSpread(string hashKey, string carrier)
    {
        // 127.0.0.1 is a trusted proxy here, so client-ip hashing keys on the X-Forwarded-For client.
        var config = AffinityTests.Config("auto", "hash", $$""" "hashKey": "{{hashKey}}", """, "null", [.. Backends.Select(b => b.ConfigAddress)])
            .Replace("\"forwarder\": \"auto\",", "\"forwarder\": \"auto\", \"trustedProxies\": [\"127.0.0.1\"],", StringComparison.Ordinal);
        await using var balancer = await TestBalancer.StartAsync(config);
        using var client = balancer.CreateClient();

        var homes = new Dictionary<int, string>();
        for (var round = 0; round < 2; round++)
        {
            for (var user = 0; user < 30; user++)
            {
                var backend = await GetAsync(client, carrier, user);
                Assert.Equal(homes.TryAdd(user, backend) ? backend : homes[user], backend);
            }
        }

        Assert.Equal(3, homes.Values.Distinct().Count());
        Assert.Equal(0, (await MetricsScrape.TakeAsync(balancer)).Single("balancer_hash_fallbacks_total", "pool=\"web\""));
    }

    [Fact]
    public async Task Hash_RequestWithoutKey_RoundRobinAndCounted()
    {
        var config = AffinityTests.Config("yarp", "hash", """ "hashKey": "header:X-User", """, "null", [.. Backends.Select(b => b.ConfigAddress)]);
        await using var balancer = await TestBalancer.StartAsync(config);
        using var client = balancer.CreateClient();

        var backends = new HashSet<string>();
        for (var i = 0; i < 6; i++)
        {
            using var response = await client.GetAsync("/work");
            backends.Add(await response.Content.ReadAsStringAsync());
        }

        Assert.Equal(3, backends.Count);
        Assert.Equal(6, (await MetricsScrape.TakeAsync(balancer)).Single("balancer_hash_fallbacks_total", "pool=\"web\""));
    }

    /// <summary>No per-process seed: a child process and this one, same config, agree on 1,000 keys and on every cookie value.</summary>
    [Fact]
    public async Task TwoProcesses_SameConfig_SameHashChoicesAndCookieValues()
    {
        var config = AffinityTests.Config("auto", "hash", """ "hashKey": "header:X-Key", """, """{ "cookie": "BLB" }""", [.. Backends.Select(b => b.ConfigAddress)]);
        await using var inProcess = await TestBalancer.StartAsync(config);
        using var child = BalancerProcess.Start("--config", inProcess.ConfigPath);
        var childAddress = await child.WaitForListenerAsync("web", TimeSpan.FromSeconds(60));

        var (choicesHere, cookiesHere) = await ChoicesAsync(inProcess.ProxyAddress);
        var (choicesThere, cookiesThere) = await ChoicesAsync(childAddress);

        Assert.Equal(choicesHere, choicesThere);
        Assert.Equal(3, cookiesHere.Count);
        Assert.Equal(cookiesHere.OrderBy(c => c.Key), cookiesThere.OrderBy(c => c.Key));
    }

    [Fact]
    public async Task Hash_TcpPoolBehindProxyProtocol_KeysOnTheRealClient()
    {
        var servers = Enumerable.Range(0, 3).Select(i => TestTcpServer.Start(async socket =>
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes($"s{i}"));
            socket.Shutdown(SocketShutdown.Send);
        })).ToList();
        try
        {
            var config = TestBalancer.TcpConfig("hash", """ "acceptProxyProtocol": true, """, "", [.. servers.Select(s => s.Address)]);
            await using var balancer = await TestBalancer.StartAsync(config);
            var homes = new Dictionary<int, string>();
            for (var round = 0; round < 2; round++)
            {
                for (var client = 1; client <= 40; client++)
                {
                    using var socket = await TcpTestClient.ConnectAsync(balancer.ListenerAddress);
                    await socket.SendAsync(Encoding.ASCII.GetBytes($"PROXY TCP4 198.18.1.{client} 198.18.0.1 40000 5432\r\n"));
                    var server = Encoding.ASCII.GetString(await TcpTestClient.ReadToEndAsync(socket, TimeSpan.FromSeconds(10)));
                    Assert.Equal(homes.TryAdd(client, server) ? server : homes[client], server);
                }
            }

            Assert.Equal(3, homes.Values.Distinct().Count()); // by the PROXY source: the peer (127.0.0.1) is one address
        }
        finally
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }
        }
    }

    private static async Task<string> GetAsync(HttpClient client, string carrier, int user)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, carrier.Length == 0 ? $"/work?a=1&user=u{user}" : "/work");
        if (carrier.Length > 0)
        {
            request.Headers.Add(carrier, carrier switch
            {
                "Cookie" => $"theme=dark; session=s{user}",
                "X-Forwarded-For" => $"198.18.2.{user}",
                _ => $"u{user}",
            });
        }

        using var response = await client.SendAsync(request);
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task<(List<string> Choices, Dictionary<string, string> Cookies)> ChoicesAsync(Uri balancer)
    {
        using var client = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = balancer, Timeout = TimeSpan.FromSeconds(30) };
        var choices = new List<string>();
        var cookies = new Dictionary<string, string>();
        for (var key = 0; key < 1000; key++)
        {
            var (backend, cookie) = await AffinityTests.GetAsync(client, null, ("X-Key", $"key-{key}"));
            choices.Add(backend);
            cookies[backend] = cookie!;
        }

        return (choices, cookies);
    }
}
