using System.Diagnostics.Metrics;
using Balancer.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Balancer.Tests.Admin;

/// <summary>
/// Golden output of the Prometheus text writer (<see cref="PrometheusFormat"/>, via <see cref="PrometheusExporter"/>):
/// names, unit suffixes, <c>_total</c>, label and help escaping, cumulative buckets, a reserved suffix on a gauge, and
/// same-named streams of two meters merged into one family.
/// </summary>
public sealed class PrometheusFormatTests
{
    private const string Golden = """
        # HELP golden_assembly_count_current Loaded assemblies.
        # TYPE golden_assembly_count_current gauge
        golden_assembly_count_current 7
        # HELP golden_duration_seconds Time taken.
        # TYPE golden_duration_seconds histogram
        golden_duration_seconds_bucket{pool="web",le="0.5"} 2
        golden_duration_seconds_bucket{pool="web",le="1"} 2
        golden_duration_seconds_bucket{pool="web",le="+Inf"} 3
        golden_duration_seconds_sum{pool="web"} 4.75
        golden_duration_seconds_count{pool="web"} 3
        # HELP golden_free_ratio Share free.
        # TYPE golden_free_ratio gauge
        golden_free_ratio 0.5
        # HELP golden_requests_total Requests with a \\ and a\nsecond line.
        # TYPE golden_requests_total counter
        golden_requests_total{pool="a\"b\\c\nd",status_class="2xx"} 3
        golden_requests_total{pool="web",status_class="5xx"} 0
        golden_requests_total{pool="both",status_class="2xx"} 5

        """;

    [Fact]
    public void Scrape_EveryKindOfInstrument_MatchesGolden()
    {
        var name = "Golden" + Guid.NewGuid().ToString("N");
        using var meter = new Meter(name);
        using var second = new Meter(name + ".Second");
        var exporter = new PrometheusExporter();
        using var provider = Sdk.CreateMeterProviderBuilder().AddMeter(name, name + ".Second").AddReader(exporter.Reader).Build();

        var requests = meter.CreateCounter<long>("golden.requests", "{request}", "Requests with a \\ and a\nsecond line.");
        requests.Add(3, new("pool", "a\"b\\c\nd"), new("status_class", "2xx"));
        requests.Add(0, new("pool", "web"), new("status_class", "5xx"));
        requests.Add(2, new("pool", "both"), new("status_class", "2xx"));
        // The same instrument on another meter (Balancer's per-pool meters): one family, identical series summed.
        second.CreateCounter<long>("golden.requests", "{request}", "Requests with a \\ and a\nsecond line.").Add(3, new("pool", "both"), new("status_class", "2xx"));
        var duration = meter.CreateHistogram("golden.duration", "s", "Time taken.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.5, 1] });
        foreach (var seconds in new[] { 0.25, 0.5, 4 })
        {
            duration.Record(seconds, new KeyValuePair<string, object?>("pool", "web"));
        }

        meter.CreateObservableUpDownCounter("golden.assembly.count", () => 7L, "{assembly}", "Loaded assemblies.");
        meter.CreateObservableGauge("golden.free", () => 0.5, "1", "Share free.");

        Assert.Equal(Golden.ReplaceLineEndings("\n"), exporter.Scrape());
    }
}
