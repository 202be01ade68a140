using System.Globalization;

namespace Balancer.Tests.Common;

/// <summary>One <c>/metrics</c> scrape, with the samples a test asks for by name and label fragments.</summary>
public sealed class MetricsScrape(string text)
{
    public string Text { get; } = text;

    public static async Task<MetricsScrape> TakeAsync(TestBalancer balancer)
    {
        using var admin = new HttpClient { BaseAddress = balancer.AdminAddress };
        return new MetricsScrape(await admin.GetStringAsync("/metrics"));
    }

    /// <summary>The values of <paramref name="name"/>'s series whose labels contain every one of <paramref name="labels"/> (e.g. <c>reason="method"</c>).</summary>
    public IReadOnlyList<double> Values(string name, params string[] labels) =>
        [.. Text.Split('\n')
            .Where(line => line.StartsWith(name + "{", StringComparison.Ordinal) || line.StartsWith(name + " ", StringComparison.Ordinal))
            .Where(line => labels.All(l => line.Contains(l, StringComparison.Ordinal)))
            .Select(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture))];

    /// <summary>The one series of <paramref name="name"/> with <paramref name="labels"/>; fails when there is none or several.</summary>
    public double Single(string name, params string[] labels)
    {
        var values = Values(name, labels);
        Assert.True(values.Count == 1, $"{values.Count} series of {name} with {string.Join(",", labels)} in:\n{Text}");
        return values[0];
    }
}
