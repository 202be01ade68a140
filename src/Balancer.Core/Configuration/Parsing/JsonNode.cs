namespace Balancer.Core.Configuration.Parsing;

/// <summary>A JSON value that remembers the byte offset it starts at.</summary>
internal abstract record JsonNode(long Offset)
{
    /// <summary>What the node is, as an error message names it ("a string", "an object").</summary>
    public abstract string Kind { get; }
}

/// <summary>One <c>"key": value</c> of an object; duplicates are kept so the binder can report them.</summary>
internal sealed record JsonMember(string Key, long KeyOffset, JsonNode Value);

/// <summary>A JSON object, members in file order.</summary>
internal sealed record JsonObject(long Offset, IReadOnlyList<JsonMember> Members) : JsonNode(Offset)
{
    public override string Kind => "an object";
}

/// <summary>A JSON array.</summary>
internal sealed record JsonArray(long Offset, IReadOnlyList<JsonNode> Items) : JsonNode(Offset)
{
    public override string Kind => "an array";
}

/// <summary>A JSON string, unescaped.</summary>
internal sealed record JsonString(long Offset, string Value) : JsonNode(Offset)
{
    public override string Kind => "a string";
}

/// <summary>A JSON number, kept as its source text so the binder decides how to read it.</summary>
internal sealed record JsonNumber(long Offset, string Text) : JsonNode(Offset)
{
    public override string Kind => "a number";
}

/// <summary>A JSON <c>true</c> or <c>false</c>.</summary>
internal sealed record JsonBool(long Offset, bool Value) : JsonNode(Offset)
{
    public override string Kind => "a boolean";
}

/// <summary>A JSON <c>null</c>.</summary>
internal sealed record JsonNull(long Offset) : JsonNode(Offset)
{
    public override string Kind => "null";
}
