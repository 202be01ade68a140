namespace Balancer.Tests.Failover;

/// <summary>
/// The active-active client (#23): a <see cref="VipLoad"/> per virtual IP (one GET every 10 ms, each on a new
/// connection, off the thread pool), and the outage of each measured from its per-request records, so that a test's
/// own slow steps on a loaded machine do not count.
/// </summary>
internal sealed class VipProbe : IDisposable
{
    private readonly Dictionary<string, VipLoad> _loads;

    public VipProbe(NetnsTopology net, params string[] vips) => _loads = vips.ToDictionary(v => v, v => new VipLoad(net, v));

    /// <summary>Each load's own clock now: where an event falls among its samples.</summary>
    public Dictionary<string, TimeSpan> Mark() => _loads.ToDictionary(l => l.Key, l => l.Value.Elapsed);

    /// <summary>Stops every load and returns each virtual IP's samples in send order.</summary>
    public async Task<Dictionary<string, List<VipLoad.Sample>>> StopAsync()
    {
        var samples = new Dictionary<string, List<VipLoad.Sample>>();
        foreach (var (vip, load) in _loads)
        {
            await load.StopAsync();
            samples[vip] = [.. load.Samples.OrderBy(s => s.Sent)];
        }

        return samples;
    }

    /// <summary>
    /// The longest outage in <paramref name="samples"/> from <paramref name="from"/> on: for each run of failed requests,
    /// from the last served request before it to the first served after it, by send time (zero when none failed;
    /// <see cref="TimeSpan.MaxValue"/> when none was served after); how many failed; and how long of it the client itself
    /// sent nothing beyond its 10 ms schedule (held off the CPU on a loaded machine): time that says nothing of the service.
    /// </summary>
    public static (TimeSpan Outage, int Failed, TimeSpan ClientPause) Outage(IReadOnlyList<VipLoad.Sample> samples, TimeSpan from)
    {
        var (longest, failed, pause) = (TimeSpan.Zero, 0, TimeSpan.Zero);
        TimeSpan? lastServed = null;
        var inRun = false;
        foreach (var sample in samples.Where(s => s.Sent >= from))
        {
            if (sample.Backend is null)
            {
                (failed, inRun) = (failed + 1, true);
                lastServed ??= from;
                continue;
            }

            if (inRun && sample.Sent - lastServed!.Value > longest)
            {
                longest = sample.Sent - lastServed.Value;
                pause = PauseWithin(samples, lastServed.Value, sample.Sent);
            }

            (inRun, lastServed) = (false, sample.Sent);
        }

        return (inRun ? TimeSpan.MaxValue : longest, failed, pause);
    }

    /// <summary>The longest gap between two consecutive sends in [<paramref name="start"/>, <paramref name="end"/>] beyond the 10 ms schedule.</summary>
    private static TimeSpan PauseWithin(IReadOnlyList<VipLoad.Sample> samples, TimeSpan start, TimeSpan end)
    {
        var sends = samples.Select(s => s.Sent).Where(t => t >= start && t <= end).Distinct().Order().ToList();
        var gap = sends.Zip(sends.Skip(1), (a, b) => b - a).DefaultIfEmpty(TimeSpan.Zero).Max() - TimeSpan.FromMilliseconds(10);
        return gap > TimeSpan.Zero ? gap : TimeSpan.Zero;
    }

    public void Dispose()
    {
        foreach (var load in _loads.Values)
        {
            load.Dispose();
        }
    }
}
