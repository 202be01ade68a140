using System.Globalization;
using System.Text;

namespace Balancer.Chaos.Steps;

/// <summary>Renders a <see cref="ConfigModel"/> as a Balancer config file, and the broken variants the schedule writes.</summary>
internal sealed class ConfigText(ChaosSettings settings, int listenPort, int adminPort, IReadOnlyList<int> backendPorts)
{
    /// <summary>The invalid files, by variant number: the last one is valid JSON that a running Balancer must refuse.</summary>
    public static readonly IReadOnlyList<string> InvalidVariants =
        ["truncated", "unknown field", "unknown algorithm", "bad address", "bad duration", "weight out of range", "admin.bind moved"];

    public string Render(ConfigModel config)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $$"""
            // chaos run config (JSONC: comments and trailing commas allowed)
            {
              "listeners": { "web": { "bind": "127.0.0.1:{{listenPort}}", "routes": [ { "pool": "web" } ] } },
              "pools": {
                "web": {
                  "algorithm": "{{config.Algorithm}}",
                  "health": { "probe": "http", "path": "/healthz", "interval": "{{Ms(settings.Interval)}}", "timeout": "{{Ms(settings.Timeout)}}", "rise": {{settings.Rise}}, "fall": {{settings.Fall}} },
                  "passive": { "ejectTime": "{{Ms(settings.EjectTime)}}" },
                  "backends": [

            """);
        foreach (var (index, weight) in config.Weights)
        {
            text.Append(CultureInfo.InvariantCulture, $$"""
                        { "address": "http://127.0.0.1:{{backendPorts[index]}}", "weight": {{weight}} },

                """);
        }

        text.Append(CultureInfo.InvariantCulture, $$"""
                  ],
                },
              },
              "admin": { "bind": "127.0.0.1:{{adminPort}}" },
            }

            """);
        return text.ToString();
    }

    /// <summary>A broken file made from <paramref name="config"/>.</summary>
    public string RenderInvalid(ConfigModel config, int variant)
    {
        var text = Render(config);
        return variant switch
        {
            0 => text[..(text.Length * 2 / 3)],
            1 => ReplaceFirst(text, "\"weight\":", "\"wieght\":"),
            2 => ReplaceFirst(text, $"\"algorithm\": \"{config.Algorithm}\"", "\"algorithm\": \"round-robbin\""),
            3 => ReplaceFirst(text, "\"address\": \"http://", "\"address\": \"http//"),
            4 => ReplaceFirst(text, $"\"interval\": \"{Ms(settings.Interval)}\"", "\"interval\": \"1 sec\""),
            5 => ReplaceFirst(text, $"\"weight\": {config.Weights.First().Value} ", "\"weight\": 999 "),
            _ => ReplaceFirst(text, $"127.0.0.1:{adminPort}", $"127.0.0.1:{adminPort + 1}"),
        };
    }

    private static string Ms(TimeSpan t) => $"{t.TotalMilliseconds:0}ms";

    private static string ReplaceFirst(string text, string what, string with)
    {
        var at = text.IndexOf(what, StringComparison.Ordinal);
        return at < 0 ? throw new InvalidOperationException($"'{what}' not in the config") : string.Concat(text.AsSpan(0, at), with, text.AsSpan(at + what.Length));
    }
}
