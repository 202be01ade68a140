using System.Globalization;
using System.Text;

namespace Balancer.Tests.Hardening;

/// <summary>
/// One case of the framing corpus (<c>Corpus/*.txt</c>). A case starts with <c>== name</c>; <c>send:</c> lines are the
/// raw request, concatenated, with escapes <c>\r \n \t \" \\ \xHH</c> and <c>{{c*N}}</c> for N copies of c;
/// <c>expect:</c> is <c>reject</c> (a 4xx or a closed connection, and the backend sees nothing) or <c>forward</c>
/// (the backend sees exactly one well-formed request); <c>backend:</c> lines check what the backend saw:
/// <c>body=…</c>, <c>method=…</c>, <c>target=…</c>, <c>header=Name: value</c>, <c>no-header=Name</c>,
/// <c>requests=N</c> (pipelined cases), <c>cut=allowed</c> (a rejected case whose body is streamed before the limit it
/// breaks is met: the backend may see the start of it cut off mid-body, never a whole request); <c>limitation:</c>
/// names a known limitation documented in README.
/// </summary>
public sealed record CorpusCase(string Category, string Name, byte[] Request, string Expect, IReadOnlyList<(string Key, string Value)> Backend, string? Limitation)
{
    public override string ToString() => $"{Category}: {Name}";

    /// <summary>Whether the backend may see this case cut off mid-request (<c>backend: cut=allowed</c>).</summary>
    public bool CutAllowed => Backend.Any(b => b.Key == "cut");

    /// <summary>What the backend saw that counts: all of it, less a cut-off request where the case allows one.</summary>
    public IReadOnlyList<Common.RecordedRequest> Counted(IReadOnlyList<Common.RecordedRequest> seen) =>
        CutAllowed ? [.. seen.Where(r => !r.Cut)] : seen;

    /// <summary>Every case of every file under <paramref name="directory"/>.</summary>
    public static IReadOnlyList<CorpusCase> LoadAll(string directory) =>
        [.. Directory.GetFiles(directory, "*.txt").Order(StringComparer.Ordinal).SelectMany(f => Load(Path.GetFileNameWithoutExtension(f), File.ReadAllLines(f)))];

    private static IEnumerable<CorpusCase> Load(string category, string[] lines)
    {
        string? name = null;
        var send = new StringBuilder();
        string expect = "";
        string? limitation = null;
        var backend = new List<(string, string)>();
        foreach (var line in lines.Append("== end"))
        {
            if (line.StartsWith("== ", StringComparison.Ordinal))
            {
                if (name is not null)
                {
                    yield return new CorpusCase(category, name, Decode(send.ToString()), expect, backend, limitation);
                }

                (name, expect, limitation, backend) = (line[3..], "", null, []);
                send.Clear();
            }
            else if (line.StartsWith("send: ", StringComparison.Ordinal))
            {
                send.Append(line["send: ".Length..]);
            }
            else if (line.StartsWith("expect: ", StringComparison.Ordinal))
            {
                expect = line["expect: ".Length..];
            }
            else if (line.StartsWith("limitation: ", StringComparison.Ordinal))
            {
                limitation = line["limitation: ".Length..];
            }
            else if (line.StartsWith("backend: ", StringComparison.Ordinal))
            {
                var rule = line["backend: ".Length..];
                var eq = rule.IndexOf('=', StringComparison.Ordinal);
                backend.Add((rule[..eq], Encoding.Latin1.GetString(Decode(rule[(eq + 1)..]))));
            }
        }
    }

    /// <summary>Turns the escaped text of a <c>send:</c> line into bytes (Latin-1: one char, one byte).</summary>
    public static byte[] Decode(string text)
    {
        var bytes = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '{' && text.AsSpan(i).StartsWith("{{") && text.IndexOf("}}", i, StringComparison.Ordinal) is var end and > 0)
            {
                var spec = text[(i + 2)..end];
                bytes.AddRange(Enumerable.Repeat((byte)spec[0], int.Parse(spec[2..], CultureInfo.InvariantCulture)));
                i = end + 1;
            }
            else if (text[i] == '\\' && i + 1 < text.Length)
            {
                var c = text[++i];
                if (c == 'x')
                {
                    bytes.Add(byte.Parse(text.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    i += 2;
                }
                else
                {
                    bytes.Add((byte)(c switch { 'r' => '\r', 'n' => '\n', 't' => '\t', _ => c }));
                }
            }
            else
            {
                bytes.Add((byte)text[i]);
            }
        }

        return [.. bytes];
    }
}
