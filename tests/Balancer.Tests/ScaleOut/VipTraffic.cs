using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace Balancer.Tests.ScaleOut;

/// <summary>
/// One request of a traffic pattern: when it started and ended (from the pattern's start), how it ended, who served it, and
/// whether it was sent again on a new connection after its kept-alive connection failed before any response byte.
/// </summary>
public readonly record struct Attempt(TimeSpan At, bool Ok, int Node, string? Backend, string? Error, bool Retried = false, TimeSpan Ended = default)
{
    /// <summary>The attempt <paramref name="response"/> makes: served when 200.</summary>
    public static Attempt Of(TimeSpan at, ProbeResponse response) =>
        new(at, response.Status == 200, EcmpTopology.NodeOf(response.Node), response.Backend, response.Status == 200 ? null : $"status {response.Status}");
}

/// <summary>
/// Traffic from the client namespace to the announced address, every loop bounded in count and time: a spread of new
/// connections (each its own source port, so its own ECMP flow), a prober on a fixed schedule, and a load of
/// workers on new and on kept-alive connections.
/// </summary>
public static class VipTraffic
{
    private static readonly IPEndPoint _vip = EcmpTopology.VipEndPoint(ScaleOutCluster.Port);

    /// <summary><paramref name="count"/> requests, each on a new connection, <paramref name="parallel"/> at a time.</summary>
    public static async Task<Attempt[]> SpreadAsync(NetnsSockets client, int count, int parallel = 8, string headers = "", TimeSpan? timeout = null)
    {
        var watch = Stopwatch.StartNew();
        var results = new Attempt[count];
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, parallel).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next))
            {
                results[i] = await OnceAsync(client, watch, headers, timeout ?? TimeSpan.FromSeconds(2));
            }
        }));
        return results;
    }

    /// <summary>
    /// One request on a new connection every <paramref name="period"/> for <paramref name="duration"/> of
    /// <paramref name="clock"/>, each with its own deadline, so a request lost to a dead node fails alone and never
    /// delays the schedule (at most duration / period requests).
    /// </summary>
    public static async Task<Attempt[]> ProbeAsync(NetnsSockets client, Stopwatch clock, TimeSpan duration, TimeSpan period, TimeSpan timeout)
    {
        var tasks = new List<Task<Attempt>>();
        var start = clock.Elapsed;
        for (var k = 0; k < duration / period; k++)
        {
            var due = start + (k * period);
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed);
            }

            tasks.Add(OnceAsync(client, clock, "", timeout));
        }

        return await Task.WhenAll(tasks);
    }

    /// <summary>
    /// Load for <paramref name="duration"/>: <paramref name="fresh"/> workers each sending one request per new connection,
    /// <paramref name="kept"/> workers each keeping a connection alive until the server says close, then opening the
    /// next. A failed request is recorded and the worker carries on with a new connection.
    /// </summary>
    public static async Task<Attempt[]> LoadAsync(NetnsSockets client, Stopwatch watch, TimeSpan duration, int fresh, int kept)
    {
        var attempts = new ConcurrentQueue<Attempt>();
        var workers = Enumerable.Range(0, fresh).Select(async _ =>
        {
            for (var n = 0; n < 100_000 && watch.Elapsed < duration; n++)
            {
                attempts.Enqueue(await OnceAsync(client, watch, "", TimeSpan.FromSeconds(2)));
            }
        }).Concat(Enumerable.Range(0, kept).Select(_ => KeepAliveWorkerAsync(client, watch, duration, attempts)));
        await Task.WhenAll(workers);
        return [.. attempts.OrderBy(a => a.At)];
    }

    /// <summary>A request on a connection that stays open, by its node; the connection is kept for the next.</summary>
    public static async Task<Attempt> OnAsync(ProbeConnection connection, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            var response = await connection.GetAsync("/", "", cts.Token);
            return Attempt.Of(TimeSpan.Zero, response);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or System.Net.Sockets.SocketException)
        {
            return new Attempt(TimeSpan.Zero, false, 0, null, e.Message);
        }
    }

    /// <summary>Opens <paramref name="count"/> kept-alive connections and sends one request on each, so each knows its node.</summary>
    public static async Task<(ProbeConnection Connection, int Node)[]> OpenKeptAsync(NetnsSockets client, int count)
    {
        var connections = new List<(ProbeConnection, int)>();
        for (var i = 0; i < count; i++)
        {
            var connection = await ProbeConnection.ConnectAsync(client, _vip, CancellationToken.None);
            var first = await OnAsync(connection, TimeSpan.FromSeconds(2));
            connections.Add((connection, first.Ok ? first.Node : 0));
        }

        return [.. connections];
    }

    /// <summary>The share of <paramref name="attempts"/> each node served, by node number (1-based; index 0 unused).</summary>
    public static double[] Shares(IReadOnlyCollection<Attempt> attempts) =>
        [.. Enumerable.Range(0, EcmpTopology.NodeCount + 1).Select(n => n == 0 ? 0 : (double)attempts.Count(a => a.Ok && a.Node == n) / Math.Max(1, attempts.Count))];

    /// <summary>
    /// A client on kept-alive connections, as HTTP clients behave (curl, browsers, Go, .NET): it opens the next connection
    /// when the server says close, and retries once on a new connection a GET whose reused connection failed before any
    /// response byte (RFC 9110 §9.2.2), which is what a withdrawn node's kept-alive connection does once the router has
    /// moved its flow to another node. A request fails only when that retry fails too.
    /// </summary>
    private static async Task KeepAliveWorkerAsync(NetnsSockets client, Stopwatch watch, TimeSpan duration, ConcurrentQueue<Attempt> attempts)
    {
        ProbeConnection? connection = null;
        var used = 0;
        for (var n = 0; n < 100_000 && watch.Elapsed < duration; n++)
        {
            var at = watch.Elapsed;
            for (var retried = false; ; retried = true)
            {
                try
                {
                    using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                    if (connection is null)
                    {
                        (connection, used) = (await ProbeConnection.ConnectAsync(client, _vip, cts.Token), 0);
                    }

                    var response = await connection.GetAsync("/", "", cts.Token);
                    used++;
                    attempts.Enqueue(Attempt.Of(at, response) with { Retried = retried });
                    if (response.Closes)
                    {
                        await connection.DisposeAsync();
                        connection = null;
                    }

                    break;
                }
                catch (Exception e) when (e is IOException or OperationCanceledException or System.Net.Sockets.SocketException)
                {
                    var retry = !retried && used > 0 && connection is { ResponseStarted: false };
                    await (connection?.DisposeAsync() ?? ValueTask.CompletedTask);
                    connection = null;
                    if (!retry)
                    {
                        attempts.Enqueue(new Attempt(at, false, 0, null, $"kept-alive connection: {e.Message}", retried));
                        break;
                    }
                }
            }
        }

        await (connection?.DisposeAsync() ?? ValueTask.CompletedTask);
    }

    private static async Task<Attempt> OnceAsync(NetnsSockets client, Stopwatch watch, string headers, TimeSpan timeout)
    {
        var at = watch.Elapsed;
        try
        {
            var response = await ProbeConnection.GetOnceAsync(client, _vip, "/", headers, timeout);
            return Attempt.Of(at, response) with { Ended = watch.Elapsed };
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or System.Net.Sockets.SocketException)
        {
            return new Attempt(at, false, 0, null, e.Message, Ended: watch.Elapsed);
        }
    }
}
