using Balancer.Core.Configuration;

namespace Balancer.Core.Routing;

/// <summary>How a condition compares a field's values.</summary>
public enum FieldMatchMode
{
    Exact,
    Prefix,
    Contains,
    Exists,
    NotExists,
}

/// <summary>
/// One header or query condition of a route, compiled from its <see cref="FieldMatchConfig"/> when the config loads:
/// it holds when any value of the field matches any of the configured values (or, for <c>exists</c>/<c>notExists</c>,
/// when the field is present/absent). A header repeated on several lines is tested line by line, each line whole
/// (as Envoy's header matcher does), so <c>exact "a"</c> does not match <c>a, b</c>.
/// </summary>
public sealed class FieldMatch
{
    private readonly string[] _values;
    private readonly StringComparison _comparison;

    public FieldMatch(string name, FieldMatchMode mode, IReadOnlyList<string> values, bool ignoreCase)
    {
        Name = name;
        Mode = mode;
        _values = [.. values];
        _comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
    }

    /// <summary>The field's name.</summary>
    public string Name { get; }

    public FieldMatchMode Mode { get; }

    /// <summary>Compiles a condition the validator accepted.</summary>
    public static FieldMatch From(FieldMatchConfig config) => new(config.Name, ParseMode(config.Mode), config.Values, config.IgnoreCase);

    /// <summary>The mode named in config (<see cref="FieldMatchModes"/>).</summary>
    public static FieldMatchMode ParseMode(string mode) => mode switch
    {
        FieldMatchModes.Prefix => FieldMatchMode.Prefix,
        FieldMatchModes.Contains => FieldMatchMode.Contains,
        FieldMatchModes.Exists => FieldMatchMode.Exists,
        FieldMatchModes.NotExists => FieldMatchMode.NotExists,
        _ => FieldMatchMode.Exact,
    };

    /// <summary>Whether a header with these values satisfies the condition.</summary>
    public bool Matches(FieldValues values)
    {
        if (Mode is FieldMatchMode.Exists or FieldMatchMode.NotExists)
        {
            return (values.Count > 0) == (Mode == FieldMatchMode.Exists);
        }

        for (var i = 0; i < values.Count; i++)
        {
            if (MatchesValue(values[i]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether one field value satisfies a comparing condition (<c>exact</c>, <c>prefix</c>, <c>contains</c>).</summary>
    public bool MatchesValue(ReadOnlySpan<char> value)
    {
        foreach (var expected in _values)
        {
            var hit = Mode switch
            {
                FieldMatchMode.Exact => value.Equals(expected, _comparison),
                FieldMatchMode.Prefix => value.StartsWith(expected, _comparison),
                FieldMatchMode.Contains => value.Contains(expected, _comparison),
                _ => false,
            };
            if (hit)
            {
                return true;
            }
        }

        return false;
    }
}
