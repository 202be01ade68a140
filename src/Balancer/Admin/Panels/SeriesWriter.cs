using System.Text.Json;
using Balancer.Core.History;

namespace Balancer.Admin.Panels;

/// <summary>Writes series as JSON arrays: NaN (no data) as null, values rounded to what a chart can show.</summary>
internal static class SeriesWriter
{
    /// <summary>Writes an object <paramref name="name"/> of every series in <paramref name="named"/>, samples <paramref name="first"/> to <paramref name="count"/> - 1.</summary>
    public static void WriteAll(Utf8JsonWriter json, string name, IReadOnlyList<(string Name, Series Series)> named, long first, long count)
    {
        json.WriteStartObject(name);
        foreach (var (series, values) in named)
        {
            Write(json, series, values, first, count);
        }

        json.WriteEndObject();
    }

    public static void Write(Utf8JsonWriter json, string name, Series series, long first, long count)
    {
        json.WriteStartArray(name);
        for (var s = first; s < count; s++)
        {
            WriteValue(json, series[s]);
        }

        json.WriteEndArray();
    }

    public static void WriteValue(Utf8JsonWriter json, float value)
    {
        if (float.IsNaN(value) || float.IsInfinity(value))
        {
            json.WriteNullValue();
            return;
        }

        // Three significant figures or so: 12345, 123.5, 1.23, 0.012.
        var magnitude = Math.Abs(value);
        json.WriteNumberValue(Math.Round((double)value, magnitude >= 100 ? 0 : magnitude >= 1 ? 2 : 3));
    }

    /// <summary>The value of sample <paramref name="last"/>, or of the latest one before it that has one (within five), else NaN.</summary>
    public static float Latest(Series series, long last, long first)
    {
        for (var s = last; s >= Math.Max(first, last - 4); s--)
        {
            if (!float.IsNaN(series[s]))
            {
                return series[s];
            }
        }

        return float.NaN;
    }
}
