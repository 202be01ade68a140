namespace Balancer.Http.Forwarding;

/// <summary>What a route does to one header: replace it, add a value to it, or drop it.</summary>
internal enum HeaderEditMode
{
    Set,
    Append,
    Remove,
}

/// <summary>One header edit of a route, in the order the route lists them (issue #22's <c>set</c>/<c>append</c>/<c>remove</c>).</summary>
internal readonly record struct HeaderEdit(string Name, HeaderEditMode Mode, string Value = "");
