using System.Globalization;
using Balancer.Core.Configuration;
using Balancer.Core.Configuration.Validation;
using FsCheck;
using FsCheck.Fluent;

namespace Balancer.Core.Tests.Fuzz;

/// <summary>Durations and address shapes: hostile strings never throw; generated valid ones are accepted and read back.</summary>
public sealed class SyntaxFuzzTests
{
    [FuzzProperty]
    public Property DurationParser_AnyText_NeverThrowsAndNeverNegative()
    {
        return Prop.ForAll(Fuzz.Text("0123456789.,msh -+eE_\t∞١", 30).ToArbitrary(), text =>
        {
            var ok = DurationParser.TryParse(text, out var value, out var error);
            return ok ? value >= TimeSpan.Zero && error.Length == 0 : error.Length > 0 && value == TimeSpan.Zero;
        });
    }

    [FuzzProperty]
    public Property DurationParser_GeneratedDuration_ReadsBack()
    {
        var cases = from amount in Gen.Choose(0, int.MaxValue) from unit in Gen.Elements("ms", "s", "m", "h") select (amount, unit);
        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var ticksPerUnit = c.unit switch
            {
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                _ => TimeSpan.TicksPerHour,
            };
            var ticks = (decimal)c.amount * ticksPerUnit;
            var ok = DurationParser.TryParse($"{c.amount}{c.unit}", out var value, out var error);
            // Beyond TimeSpan's range the parser refuses in words rather than overflowing.
            return ticks <= TimeSpan.MaxValue.Ticks ? ok && value.Ticks == (long)ticks : !ok && error.Contains("too long", StringComparison.Ordinal);
        });
    }

    [FuzzProperty]
    public Property AddressSyntax_AnyText_NeverThrows()
    {
        return Prop.ForAll(Fuzz.Text("0123456789.:[]/*abcdefx-%lohst ", 50).ToArbitrary(), text =>
        {
            _ = AddressSyntax.CheckBind(text, out _);
            _ = AddressSyntax.CheckHostPort(text);
            _ = AddressSyntax.CheckPeer(text);
            _ = AddressSyntax.CheckCidr(text);
            _ = AddressSyntax.CheckTrustedProxy(text);
            _ = AddressSyntax.CheckHttpUri("http://" + text);
            return true;
        });
    }

    [FuzzProperty]
    public Property AddressSyntax_GeneratedIpPort_AcceptedWithItsPort()
    {
        var ipv4 = Gen.ArrayOf(Gen.Choose(0, 255), 4).Select(o => string.Join('.', o));
        var ipv6 = Gen.ArrayOf(Gen.Choose(0, 0xFFFF), 8).Select(g => "[" + string.Join(':', g.Select(x => x.ToString("x", CultureInfo.InvariantCulture))) + "]");
        var cases = from host in Gen.OneOf(ipv4, ipv6, Gen.Elements("*", "localhost")) from port in Gen.Choose(0, 65_535) select (host, port);
        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var text = $"{c.host}:{c.port}";
            var bindOk = AddressSyntax.CheckBind(text, out var endpoint) is null && endpoint.Port == c.port;
            var peerOk = c.host is "*" or "localhost" || (AddressSyntax.CheckPeer(text) is null) == (c.port > 0);
            return bindOk && peerOk;
        });
    }
}
