using System.Globalization;
using System.Text;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Balancer.Telemetry;

/// <summary>
/// Renders one OpenTelemetry metric as Prometheus text: names translated as the OpenTelemetry
/// spec's Prometheus compatibility section says (dots to underscores, unit suffix, <c>_total</c>
/// on counters), labels escaped, histograms as cumulative <c>_bucket</c>/<c>_sum</c>/<c>_count</c>.
/// </summary>
internal static class PrometheusFormat
{
    public static void Write(StringBuilder output, Metric metric)
    {
        var name = MetricName(metric.Name, metric.Unit);
        var (type, suffix) = metric.MetricType switch
        {
            MetricType.LongSum or MetricType.DoubleSum => ("counter", "_total"),
            MetricType.Histogram => ("histogram", ""),
            _ => ("gauge", ""),
        };
        if (metric.MetricType == MetricType.ExponentialHistogram)
        {
            return; // not produced by our views; the text format has no equivalent
        }

        output.Append("# HELP ").Append(name).Append(suffix).Append(' ').Append(EscapeHelp(metric.Description)).Append('\n');
        output.Append("# TYPE ").Append(name).Append(suffix).Append(' ').Append(type).Append('\n');
        foreach (ref readonly var point in metric.GetMetricPoints())
        {
            var labels = Labels(point.Tags);
            switch (metric.MetricType)
            {
                case MetricType.Histogram:
                    WriteHistogram(output, name, labels, point);
                    break;
                case MetricType.LongSum or MetricType.LongSumNonMonotonic:
                    Sample(output, name + suffix, labels, point.GetSumLong());
                    break;
                case MetricType.DoubleSum or MetricType.DoubleSumNonMonotonic:
                    Sample(output, name + suffix, labels, point.GetSumDouble());
                    break;
                case MetricType.LongGauge:
                    Sample(output, name, labels, point.GetGaugeLastValueLong());
                    break;
                case MetricType.DoubleGauge:
                    Sample(output, name, labels, point.GetGaugeLastValueDouble());
                    break;
            }
        }
    }

    /// <summary><c>balancer.request.duration</c> in <c>s</c> → <c>balancer_request_duration_seconds</c>.</summary>
    public static string MetricName(string name, string? unit)
    {
        var builder = new StringBuilder(name.Length + 8);
        foreach (var c in name)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c == '_' || c == ':' ? c : '_');
        }

        var suffix = unit switch
        {
            "s" => "_seconds",
            "ms" => "_milliseconds",
            "By" => "_bytes",
            "1" => "_ratio",
            _ => "",
        };
        if (suffix.Length > 0 && !builder.ToString().EndsWith(suffix, StringComparison.Ordinal))
        {
            builder.Append(suffix);
        }

        return builder.ToString();
    }

    private static void WriteHistogram(StringBuilder output, string name, string labels, MetricPoint point)
    {
        long cumulative = 0;
        foreach (var bucket in point.GetHistogramBuckets())
        {
            cumulative += bucket.BucketCount;
            var le = double.IsPositiveInfinity(bucket.ExplicitBound) ? "+Inf" : bucket.ExplicitBound.ToString("R", CultureInfo.InvariantCulture);
            var bucketLabels = labels.Length == 0 ? $"{{le=\"{le}\"}}" : $"{labels[..^1]},le=\"{le}\"}}";
            Sample(output, name + "_bucket", bucketLabels, cumulative);
        }

        Sample(output, name + "_sum", labels, point.GetHistogramSum());
        Sample(output, name + "_count", labels, point.GetHistogramCount());
    }

    private static string Labels(ReadOnlyTagCollection tags)
    {
        var builder = new StringBuilder();
        foreach (var tag in tags)
        {
            builder.Append(builder.Length == 0 ? '{' : ',').Append(MetricName(tag.Key, null)).Append("=\"");
            foreach (var c in Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? "")
            {
                _ = c switch
                {
                    '\\' => builder.Append(@"\\"),
                    '"' => builder.Append("\\\""),
                    '\n' => builder.Append(@"\n"),
                    _ => builder.Append(c),
                };
            }

            builder.Append('"');
        }

        return builder.Length == 0 ? "" : builder.Append('}').ToString();
    }

    private static void Sample(StringBuilder output, string name, string labels, double value) =>
        output.Append(name).Append(labels).Append(' ').Append(Number(value)).Append('\n');

    private static void Sample(StringBuilder output, string name, string labels, long value) =>
        output.Append(name).Append(labels).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');

    private static string Number(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private static string EscapeHelp(string? help) => (help ?? "").Replace(@"\", @"\\", StringComparison.Ordinal).Replace("\n", @"\n", StringComparison.Ordinal);
}
