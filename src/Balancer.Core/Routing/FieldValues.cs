namespace Balancer.Core.Routing;

/// <summary>
/// The values of one request header: none, one, or several lines. Holds a string or an array, as ASP.NET's
/// <c>StringValues</c> does, so the HTTP side hands over what it has without copying.
/// </summary>
public readonly struct FieldValues
{
    private readonly object? _values;

    public FieldValues(string? value) => _values = value;

    public FieldValues(string?[]? values) => _values = values is { Length: 1 } ? values[0] : values;

    /// <summary>How many values there are.</summary>
    public int Count => _values switch
    {
        null => 0,
        string => 1,
        _ => ((string?[])_values).Length,
    };

    /// <summary>The <paramref name="index"/>-th value ("" for a null line).</summary>
    public string this[int index] => (_values is string one ? one : ((string?[])_values!)[index]) ?? "";
}

/// <summary>What route conditions read from a request; the HTTP side implements it over its request without allocating.</summary>
public interface IRequestFields
{
    /// <summary>The request method as received.</summary>
    string Method { get; }

    /// <summary>The query string as received, with or without its leading <c>?</c>; empty when none.</summary>
    string RawQuery { get; }

    /// <summary>The values of header <paramref name="name"/> (names compare case-insensitively); none when absent.</summary>
    FieldValues Header(string name);
}
