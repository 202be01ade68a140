using System.Globalization;
using System.Text;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Balancer.Telemetry;

/// <summary>
/// Renders OpenTelemetry metrics as Prometheus text: names translated as the OpenTelemetry spec's
/// Prometheus compatibility section says (dots to underscores, unit suffix, <c>_total</c> on
/// counters), labels escaped, histograms as cumulative <c>_bucket</c>/<c>_sum</c>/<c>_count</c>.
/// </summary>
/// <remarks>
/// Balancer runs several Kestrel hosts in one process, each with its own meters of the same
/// names (one <c>Microsoft.AspNetCore.Server.Kestrel</c> per listener), so the SDK hands over
/// several streams per name. The text format allows one TYPE per family and one line per series:
/// families are merged and identical series summed (counts, sums and gauges of the same
/// instrument across hosts add up).
/// </remarks>
internal sealed class PrometheusFormat
{
    private readonly SortedDictionary<string, Family> _families = new(StringComparer.Ordinal);

    /// <summary>Adds one metric stream.</summary>
    public void Add(Metric metric)
    {
        if (metric.MetricType == MetricType.ExponentialHistogram)
        {
            return; // not produced by our views; the text format has no equivalent
        }

        var name = MetricName(metric.Name, metric.Unit);
        var type = metric.MetricType switch
        {
            MetricType.LongSum or MetricType.DoubleSum => "counter",
            MetricType.Histogram => "histogram",
            _ => "gauge",
        };
        var family = Family(FamilyName(name, type), type, metric.Description);
        foreach (ref readonly var point in metric.GetMetricPoints())
        {
            var labels = Labels(point.Tags);
            switch (metric.MetricType)
            {
                case MetricType.Histogram:
                    long cumulative = 0;
                    foreach (var bucket in point.GetHistogramBuckets())
                    {
                        cumulative += bucket.BucketCount;
                        var le = double.IsPositiveInfinity(bucket.ExplicitBound) ? "+Inf" : Number(bucket.ExplicitBound);
                        family.Add(name + "_bucket", labels.Length == 0 ? $"{{le=\"{le}\"}}" : $"{labels[..^1]},le=\"{le}\"}}", cumulative);
                    }

                    family.Add(name + "_sum", labels, point.GetHistogramSum());
                    family.Add(name + "_count", labels, point.GetHistogramCount());
                    break;
                case MetricType.LongSum or MetricType.LongSumNonMonotonic:
                    family.Add(family.Name, labels, point.GetSumLong());
                    break;
                case MetricType.DoubleSum or MetricType.DoubleSumNonMonotonic:
                    family.Add(family.Name, labels, point.GetSumDouble());
                    break;
                case MetricType.LongGauge:
                    family.Add(family.Name, labels, point.GetGaugeLastValueLong());
                    break;
                case MetricType.DoubleGauge:
                    family.Add(family.Name, labels, point.GetGaugeLastValueDouble());
                    break;
            }
        }
    }

    /// <summary>The exposition text of everything added.</summary>
    public override string ToString()
    {
        var output = new StringBuilder(16 * 1024);
        foreach (var family in _families.Values)
        {
            output.Append("# HELP ").Append(family.Name).Append(' ').Append(EscapeHelp(family.Help)).Append('\n');
            output.Append("# TYPE ").Append(family.Name).Append(' ').Append(family.Type).Append('\n');
            foreach (var ((sample, labels), value) in family.Samples)
            {
                output.Append(sample).Append(labels).Append(' ').Append(Number(value)).Append('\n');
            }
        }

        return output.ToString();
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

    /// <summary>
    /// The family's name: a counter's ends in <c>_total</c>; any other whose name ends in a suffix the format reserves for
    /// histogram samples (<c>dotnet.assembly.count</c>, an up-down counter) gets <c>_current</c>, so that no sample of it
    /// reads as part of a histogram or summary (promtool's "should not have _count suffix").
    /// </summary>
    public static string FamilyName(string name, string type) => type switch
    {
        "counter" => name + "_total",
        "histogram" => name,
        _ when name.EndsWith("_count", StringComparison.Ordinal) || name.EndsWith("_sum", StringComparison.Ordinal)
            || name.EndsWith("_bucket", StringComparison.Ordinal) => name + "_current",
        _ => name,
    };

    private Family Family(string name, string type, string? help)
    {
        if (!_families.TryGetValue(name, out var family))
        {
            family = new Family(name, type, help);
            _families[name] = family;
        }

        return family;
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

    private static string Number(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private static string EscapeHelp(string? help) => (help ?? "").Replace(@"\", @"\\", StringComparison.Ordinal).Replace("\n", @"\n", StringComparison.Ordinal);
}

/// <summary>One metric family: its TYPE and HELP once, and its series summed across streams, in first-seen order.</summary>
internal sealed class Family(string name, string type, string? help)
{
    public string Name { get; } = name;

    public string Type { get; } = type;

    public string? Help { get; } = help;

    public Dictionary<(string Sample, string Labels), double> Samples { get; } = [];

    public void Add(string sample, string labels, double value) =>
        Samples[(sample, labels)] = Samples.GetValueOrDefault((sample, labels)) + value;
}
