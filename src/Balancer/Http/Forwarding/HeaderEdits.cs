using Microsoft.Extensions.Primitives;

namespace Balancer.Http.Forwarding;

/// <summary>
/// A route's edits of one direction's headers, folded per header name when the config is loaded: for each name,
/// whether the edits replace what was there (a <c>set</c> or <c>remove</c> anywhere in the list) and the values they
/// add after it. Both forwarders apply them the same way, after Balancer's own headers, so a route may also override
/// those (an <c>X-Forwarded-Proto</c> set by a TLS terminator in front, say).
/// </summary>
internal sealed class HeaderEdits
{
    /// <summary>No edits (the default of every route).</summary>
    public static readonly HeaderEdits None = new([]);

    private readonly Folded[] _folded;

    public HeaderEdits(IReadOnlyList<HeaderEdit> edits)
    {
        var folded = new List<Folded>();
        foreach (var edit in edits)
        {
            var i = folded.FindIndex(f => f.Name.Equals(edit.Name, StringComparison.OrdinalIgnoreCase));
            if (i < 0)
            {
                folded.Add(new Folded(edit.Name, Replace: false, []));
                i = folded.Count - 1;
            }

            var current = folded[i];
            var values = edit.Mode == HeaderEditMode.Append ? current.Values : [];
            folded[i] = new Folded(current.Name, current.Replace || edit.Mode != HeaderEditMode.Append, edit.Mode == HeaderEditMode.Remove ? values : [.. values, edit.Value]);
        }

        _folded = [.. folded];
    }

    /// <summary>The edits of one direction of a route's transforms: <c>set</c>, then <c>append</c>, then <c>remove</c> (and <c>removeServer</c>).</summary>
    public static HeaderEdits From(Core.Configuration.HeaderEditsConfig? config)
    {
        if (config is null)
        {
            return None;
        }

        var edits = new List<HeaderEdit>();
        edits.AddRange(config.Set.Select(p => new HeaderEdit(p.Key, HeaderEditMode.Set, p.Value)));
        edits.AddRange(config.Append.Select(p => new HeaderEdit(p.Key, HeaderEditMode.Append, p.Value)));
        edits.AddRange(config.Remove.Select(name => new HeaderEdit(name, HeaderEditMode.Remove)));
        if (config.RemoveServer)
        {
            edits.Add(new HeaderEdit("Server", HeaderEditMode.Remove));
        }

        return edits.Count == 0 ? None : new HeaderEdits(edits);
    }

    /// <summary>How many header names the edits name.</summary>
    public int Count => _folded.Length;

    /// <summary>The <paramref name="index"/>-th name, in the route's order.</summary>
    public string NameAt(int index) => _folded[index].Name;

    /// <summary>Whether an edit names <paramref name="name"/>: the forwarders then leave it to <see cref="Apply"/>.</summary>
    public bool Names(string name)
    {
        foreach (var folded in _folded)
        {
            if (folded.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether the <paramref name="index"/>-th name's values do not depend on those it had (a <c>set</c> or
    /// <c>remove</c>): callers then skip looking them up.
    /// </summary>
    public bool Replaces(int index) => _folded[index].Replace;

    /// <summary>
    /// The values the <paramref name="index"/>-th name leaves with, given those it would have had without edits
    /// (empty when none; not read when it <see cref="Replaces"/>): empty when the edits remove it.
    /// </summary>
    public StringValues Apply(int index, StringValues current)
    {
        var folded = _folded[index];
        return folded.Replace ? new StringValues(folded.Values) : StringValues.Concat(current, new StringValues(folded.Values));
    }

    /// <summary>Applies the edits to headers already in place (a response copied from the backend).</summary>
    public void ApplyTo(IHeaderDictionary headers)
    {
        for (var i = 0; i < _folded.Length; i++)
        {
            var folded = _folded[i];
            var name = folded.Name;
            // A set or remove needs no lookup of what the backend sent (one dictionary probe per edit and response).
            var result = Apply(i, folded.Replace ? default : headers[name]);
            if (result.Count == 0)
            {
                headers.Remove(name);
            }
            else
            {
                headers[name] = result;
            }
        }
    }

    private sealed record Folded(string Name, bool Replace, string[] Values);
}
