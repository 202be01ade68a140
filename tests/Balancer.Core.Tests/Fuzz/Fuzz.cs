using System.Globalization;
using FsCheck;
using FsCheck.Fluent;

namespace Balancer.Core.Tests.Fuzz;

/// <summary>
/// Shared settings of the property-based fuzz tests: how many cases each target runs (<c>FUZZ_COUNT</c>, default
/// 10 000; bench/fuzz/run.sh raises it; <see cref="FuzzPropertyAttribute"/> applies it) and the generators of
/// hostile text and bytes they share.
/// </summary>
internal static class Fuzz
{
    /// <summary>Cases per target.</summary>
    public static int Count { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("FUZZ_COUNT"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 10_000;

    /// <summary>Any bytes, 0 to <paramref name="maxLength"/> long.</summary>
    public static Gen<byte[]> Bytes(int maxLength) =>
        Gen.Choose(0, maxLength).SelectMany(length => Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), length));

    /// <summary>Strings up to <paramref name="maxLength"/> drawn from <paramref name="alphabet"/>.</summary>
    public static Gen<string> Text(string alphabet, int maxLength) =>
        Gen.Choose(0, maxLength).SelectMany(length => Gen.ArrayOf(Gen.Elements(alphabet.ToCharArray()), length)).Select(chars => new string(chars));

    /// <summary>
    /// A mutation of <paramref name="valid"/>: truncated, a character deleted, replaced or inserted (from characters
    /// that matter to JSON and to the config's own syntax), or a slice duplicated.
    /// </summary>
    public static Gen<string> Mutation(string valid)
    {
        const string significant = "{}[]:,\"\\/*\n\r\t 0123456789-.eEtrufalsn\u0000\u00e9\ud83d";
        var position = Gen.Choose(0, valid.Length);
        var character = Gen.Elements(significant.ToCharArray());
        return Gen.Choose(0, 4).SelectMany(kind => kind switch
        {
            0 => position.Select(p => valid[..p]),
            1 => position.Where(p => p < valid.Length).Select(p => valid.Remove(p, 1)),
            2 => position.Where(p => p < valid.Length).SelectMany(p => character.Select(c => valid[..p] + c + valid[(p + 1)..])),
            3 => position.SelectMany(p => character.Select(c => valid.Insert(p, c.ToString()))),
            _ => position.SelectMany(p => Gen.Choose(0, 40).Select(n => valid.Insert(p, valid.Substring(p, Math.Min(n, valid.Length - p))))),
        });
    }
}
