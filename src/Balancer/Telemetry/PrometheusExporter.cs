using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Balancer.Telemetry;

/// <summary>
/// An exporter on the OpenTelemetry SDK's public API that renders the Prometheus text exposition
/// format (v0.0.4) on demand: <see cref="Scrape"/> asks its reader to collect, and the SDK hands
/// the batch to <see cref="Export"/> synchronously on the same thread. Cumulative temporality, as
/// Prometheus expects.
/// </summary>
/// <remarks>
/// It declares Push as well as Pull: the SDK only lets a pull-only reader collect inside an
/// internal scope that its own Prometheus exporter uses. Nothing pushes on a timer here (the
/// reader is not periodic); a collect outside <see cref="Scrape"/> (shutdown) is simply dropped.
/// </remarks>
[ExportModes(ExportModes.Push | ExportModes.Pull)]
internal sealed class PrometheusExporter : BaseExporter<Metric>
{
    private readonly object _scrapeLock = new();
    private PrometheusFormat? _target;

    public PrometheusExporter() => Reader = new BaseExportingMetricReader(this) { TemporalityPreference = MetricReaderTemporalityPreference.Cumulative };

    /// <summary>The reader to register with the meter provider.</summary>
    public MetricReader Reader { get; }

    /// <summary>Collects every metric now and returns the exposition text.</summary>
    public string Scrape()
    {
        lock (_scrapeLock)
        {
            _target = new PrometheusFormat();
            try
            {
                Reader.Collect(timeoutMilliseconds: 5000);
                return _target.ToString();
            }
            finally
            {
                _target = null;
            }
        }
    }

    public override ExportResult Export(in Batch<Metric> batch)
    {
        if (_target is null)
        {
            return ExportResult.Success; // a collect outside Scrape (shutdown): nobody to show it to
        }

        foreach (var metric in batch)
        {
            _target.Add(metric);
        }

        return ExportResult.Success;
    }
}
