using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Balancer.Reload;
using Balancer.Tests.Common;

namespace Balancer.Tests.Reload;

public sealed class ReloadTests : ThreeBackends
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task FileEditedInPlace_AddedBackendGetsTraffic()
    {
        await using var balancer = await TestBalancer.StartAsync(Config((Backends[0], 1)));
        using var client = balancer.CreateClient();

        await File.WriteAllTextAsync(balancer.ConfigPath, Config((Backends[0], 1), (Backends[1], 1)));

        // How fast a reload applies is measured by bench/load/reload-churn.sh, not by a wall clock here.
        await Wait.Until(async () => (await client.GetAsync("/")).Headers.GetValues("X-Backend").Single() == "b", Generous, "b receives traffic");
        Assert.Equal(1, balancer.Reloads);
    }

    [Fact]
    public async Task FileReplacedByRename_AppliedOnce()
    {
        await using var balancer = await TestBalancer.StartAsync(Config((Backends[0], 1)));
        var temp = balancer.ConfigPath + ".tmp";

        await File.WriteAllTextAsync(temp, Config((Backends[0], 1), (Backends[1], 1)));
        File.Move(temp, balancer.ConfigPath, overwrite: true);
        await Wait.Until(() => balancer.Server.Pools.Get("web")!.Snapshot.All.Length == 2, Generous, "reload applied");
        await EditAndWaitForWeightAsync(balancer, 7, Config((Backends[0], 7), (Backends[1], 1)));

        Assert.Equal(2, balancer.Reloads); // the rename's duplicate events, which came before the next edit, applied nothing
    }

    [Fact]
    public async Task SymlinkSwap_AsKubernetesConfigMap_Applied()
    {
        // ConfigMap volumes: balancer.json → ..data/balancer.json, ..data → ..2026_v1 swapped by rename.
        var dir = Directory.CreateTempSubdirectory("balancer-cm-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "v1"));
            await File.WriteAllTextAsync(Path.Combine(dir, "v1", "balancer.json"), Config((Backends[0], 1)));
            File.CreateSymbolicLink(Path.Combine(dir, "..data"), "v1");
            File.CreateSymbolicLink(Path.Combine(dir, "balancer.json"), Path.Combine("..data", "balancer.json"));
            await using var balancer = await TestBalancer.StartAtAsync(Path.Combine(dir, "balancer.json"));

            Directory.CreateDirectory(Path.Combine(dir, "v2"));
            await File.WriteAllTextAsync(Path.Combine(dir, "v2", "balancer.json"), Config((Backends[0], 1), (Backends[2], 1)));
            File.CreateSymbolicLink(Path.Combine(dir, "..data_tmp"), "v2");
            // rename(2) of one symlink over another, as kubelet does (File.Move follows the link).
            using (var mv = System.Diagnostics.Process.Start("mv", ["-Tf", Path.Combine(dir, "..data_tmp"), Path.Combine(dir, "..data")]))
            {
                await mv.WaitForExitAsync();
                Assert.Equal(0, mv.ExitCode);
            }

            await Wait.Until(() => balancer.Server.Pools.Get("web")!.Find(Backends[2].ConfigAddress) is not null, Generous, "symlink swap applied");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task BurstOfWrites_OneReload()
    {
        await using var balancer = await TestBalancer.StartAsync(Config((Backends[0], 1)));

        for (var weight = 2; weight <= 6; weight++)
        {
            await File.WriteAllTextAsync(balancer.ConfigPath, Config((Backends[0], weight)));
        }

        await Wait.Until(() => balancer.Server.Pools.Get("web")!.Snapshot.All[0].Weight == 6, Generous, "last write applied");
        await EditAndWaitForWeightAsync(balancer, 9, Config((Backends[0], 9)));
        Assert.Equal(2, balancer.Reloads);
    }

    [Fact]
    public async Task RunningFilePutBack_AfterRejectedEdit_ErrorClearedAndLoggedUnchanged()
    {
        var logs = new LogSink();
        var running = Config((Backends[0], 1));
        await using var balancer = await TestBalancer.StartAsync(running, logSink: logs, logLevel: Microsoft.Extensions.Logging.LogLevel.Information);

        await File.WriteAllTextAsync(balancer.ConfigPath, running.Replace("round-robin", "round-robbin", StringComparison.Ordinal));
        await Wait.Until(async () => (await Status(balancer)).GetProperty("config").GetProperty("lastError").ValueKind == JsonValueKind.String, Generous, "typo rejected");
        await File.WriteAllTextAsync(balancer.ConfigPath, running);

        await Wait.Until(async () => (await Status(balancer)).GetProperty("config").GetProperty("lastError").ValueKind == JsonValueKind.Null, Generous, "undo clears the error");
        Assert.Contains(logs.Lines, l => l.Contains("config unchanged on FileChange", StringComparison.Ordinal));
        Assert.Equal(0, balancer.Reloads);
    }

    [Fact]
    public async Task RemovedBackend_InFlightSlowRequestCompletes_NoNewRequests()
    {
        await using var balancer = await TestBalancer.StartAsync(Config((Backends[0], 1), (Backends[1], 1)));
        using var client = balancer.CreateClient();
        var slow = Enumerable.Range(0, 2).Select(_ => client.GetAsync("/slow?ms=1500")).ToList();
        await Wait.Until(() => Backends[1].InFlight == 1, Generous, "slow request at b");
        var bBefore = Backends[1].Requests;

        await File.WriteAllTextAsync(balancer.ConfigPath, Config((Backends[0], 1)));
        await Wait.Until(() => balancer.ReloadsFinished == 1, Generous, "reload applied");
        var b = await balancer.BackendStatusAsync("web", Backends[1].ConfigAddress);
        Assert.True(b.GetProperty("draining").GetBoolean());
        for (var i = 0; i < 10; i++)
        {
            (await client.GetAsync("/")).EnsureSuccessStatusCode();
        }

        foreach (var response in await Task.WhenAll(slow))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(bBefore, Backends[1].Requests);
        await Wait.Until(() => balancer.Server.Pools.Get("web")!.Snapshot.All.Length == 1, Generous, "drained backend forgotten");
    }

    [Fact]
    public async Task Reload_UnchangedBackendDown_StaysDown()
    {
        var dead = $"http://127.0.0.1:{Health.ActiveHealthTests.ClosedPort()}";
        const string health = """ "health": { "probe": "tcp", "interval": "100ms", "timeout": "100ms", "rise": 1, "fall": 1 }, """;
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.PoolConfig("round-robin", health, (Backends[0].ConfigAddress, 1), (dead, 1)));
        await Wait.Until(async () => (await balancer.BackendStatusAsync("web", dead)).GetProperty("health").GetString() == "down", Generous, "dead backend down");
        var changedAt = (await balancer.BackendStatusAsync("web", dead)).GetProperty("healthChangedAt").GetString();

        await File.WriteAllTextAsync(balancer.ConfigPath, TestBalancer.PoolConfig("round-robin", health, (Backends[0].ConfigAddress, 3), (dead, 1), (Backends[1].ConfigAddress, 1)));
        await Wait.Until(() => balancer.ReloadsFinished == 1, Generous, "reload applied");

        var after = await balancer.BackendStatusAsync("web", dead);
        Assert.Equal("down", after.GetProperty("health").GetString());
        Assert.Equal(changedAt, after.GetProperty("healthChangedAt").GetString());
    }

    public static TheoryData<string, string, string> InvalidEdits() => new()
    {
        { "broken json", """{ "listeners": { """, ":1:18 invalid JSON: " },
        { "unknown field", """{ "pools": { "web": { "algorithm": "round-robin", "backendz": [] } } }""", ":1:51 pools.web.backendz: unknown field 'backendz' (did you mean 'backends'?)" },
        { "bad address", """{ "pools": { "web": { "backends": [ { "address": "http//x" } ] } } }""", "pools.web.backends[0].address: 'http//x' is not an absolute http(s) URI" },
        { "unknown pool", """{ "listeners": { "web": { "bind": "127.0.0.1:0", "routes": [ { "pool": "nope" } ] } }, "pools": {} }""", "listeners.web.routes[0].pool: " },
        { "duplicate listener port", """{ "listeners": { "a": { "bind": "127.0.0.1:9", "routes": [ { "pool": "p" } ] }, "b": { "bind": "127.0.0.1:9", "routes": [ { "pool": "p" } ] } }, "pools": { "p": { "backends": [ { "address": "http://127.0.0.1:1" } ] } } }""", "listeners.b.bind: '127.0.0.1:9' takes the same port as listeners.a.bind" },
    };

    [Theory]
    [MemberData(nameof(InvalidEdits))]
    public async Task InvalidEdit_OldConfigKeepsServing_ErrorRecorded(string what, string json, string expected)
    {
        await using var balancer = await TestBalancer.StartAsync(Config((Backends[0], 1)));
        using var client = balancer.CreateClient();

        await File.WriteAllTextAsync(balancer.ConfigPath, json);
        await Wait.Until(async () => (await Status(balancer)).GetProperty("config").GetProperty("lastError").ValueKind == JsonValueKind.String, Generous, $"{what} rejected");

        var error = (await Status(balancer)).GetProperty("config").GetProperty("lastError").GetString()!;
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.StartsWith(balancer.ConfigPath, error, StringComparison.Ordinal);
        (await client.GetAsync("/")).EnsureSuccessStatusCode();

        await File.WriteAllTextAsync(balancer.ConfigPath, Config((Backends[0], 2)));
        await Wait.Until(async () => (await Status(balancer)).GetProperty("config").GetProperty("lastError").ValueKind == JsonValueKind.Null, Generous, "a later valid file clears the error");
    }

    [Fact]
    public async Task AdminReload_ReportsChanges()
    {
        await using var balancer = await TestBalancer.StartAsync(Config((Backends[0], 1)), watch: false);
        await File.WriteAllTextAsync(balancer.ConfigPath, Config((Backends[0], 2), (Backends[1], 1)));
        using var admin = new HttpClient { BaseAddress = balancer.AdminAddress };

        using var response = await admin.PostAsync("/reload", null);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(body.RootElement.GetProperty("applied").GetBoolean());
        Assert.Equal(
            [$"+backend web/{Backends[1].ConfigAddress}", $"~backend web/{Backends[0].ConfigAddress} (weight 1 → 2)"],
            body.RootElement.GetProperty("changes").EnumerateArray().Select(c => c.GetString()!).Order().ToArray());
    }

    [Fact]
    public async Task FiftyReloadsUnderLoad_NoFailedRequest()
    {
        await using var balancer = await TestBalancer.StartAsync(Config((Backends[0], 1), (Backends[1], 1)), watch: false);
        using var client = balancer.CreateClient();
        var failures = 0;
        var sent = 0;
        using var stop = new CancellationTokenSource();
        var failed = new System.Collections.Concurrent.ConcurrentBag<string>();
        var load = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested && Volatile.Read(ref sent) < 20_000)
            {
                using var response = await client.GetAsync("/");
                Interlocked.Increment(ref sent);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref failures);
                    failed.Add($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
            }
        })).ToList();

        for (var i = 0; i < 50; i++)
        {
            var variant = (i % 3) switch
            {
                0 => Config((Backends[0], 1), (Backends[1], 1), (Backends[2], 1)),
                1 => Config((Backends[0], 3), (Backends[2], 1)),
                _ => Config((Backends[1], 2), (Backends[2], 1)),
            };
            await File.WriteAllTextAsync(balancer.ConfigPath, variant);
            var result = await balancer.Server.ReloadAsync(ReloadTrigger.AdminApi);
            Assert.True(result.Applied, string.Join("; ", result.Errors));
            // Under load means requests between every two reloads, however fast or slow the machine is.
            var before = Volatile.Read(ref sent);
            await Wait.Until(() => Volatile.Read(ref sent) >= before + 8 || load.Any(t => t.IsCompleted), Generous, $"requests after reload {i + 1}");
        }

        await stop.CancelAsync();
        await Task.WhenAll(load);
        Assert.True(sent > 100, $"only {sent} requests were sent");
        Assert.True(failures == 0, $"{failures} failed: {string.Join(" | ", failed)}");
    }

    /// <summary>Writes <paramref name="json"/> and waits until backend 0 has <paramref name="weight"/>: every earlier file event has been handled by then.</summary>
    [Fact]
    public async Task WarmUpAtStart_ChangesNothing_NeverUndoesAReloadThatCameFirst()
    {
        await using var balancer = await TestBalancer.StartAsync(Config((Backends[0], 1), (Backends[1], 1)));
        var backends = balancer.Server.Pools.Get("web")!.Snapshot.All;
        var hash = balancer.Server.State.ConfigHash;
        await File.WriteAllTextAsync(balancer.ConfigPath, Config((Backends[0], 5), (Backends[1], 1)));

        var reload = await balancer.Server.ReloadAsync(ReloadTrigger.Signal); // before or after the warm-up: either way it stays
        await balancer.Server.ReloadWarmedUp.WaitAsync(Generous);

        Assert.True(reload.Applied);
        Assert.NotEqual(hash, balancer.Server.State.ConfigHash);
        var after = balancer.Server.Pools.Get("web")!.Snapshot.All;
        Assert.Equal(backends, after); // the same backends, counters and health kept
        Assert.Equal(5, after[0].Weight);
        await Wait.Until(() => balancer.ReloadsFinished >= 1, Generous, "the edit applied");
        Assert.Equal(5, balancer.Server.Pools.Get("web")!.Snapshot.All[0].Weight);
    }

    private static async Task EditAndWaitForWeightAsync(TestBalancer balancer, int weight, string json)
    {
        await File.WriteAllTextAsync(balancer.ConfigPath, json);
        await Wait.Until(() => balancer.Server.Pools.Get("web")!.Snapshot.All[0].Weight == weight, Generous, $"weight {weight} applied");
    }

    private static string Config(params (TestBackend Backend, int Weight)[] backends) =>
        TestBalancer.SinglePoolConfig("round-robin", [.. backends.Select(b => (b.Backend.ConfigAddress, b.Weight))]);

    private static async Task<JsonElement> Status(TestBalancer balancer)
    {
        using var admin = new HttpClient { BaseAddress = balancer.AdminAddress };
        using var doc = JsonDocument.Parse(await admin.GetStringAsync("/status"));
        return doc.RootElement.Clone();
    }
}
