using System.Buffers;
using System.Text;
using Balancer.Core.ProxyProtocol;
using FsCheck;
using FsCheck.Fluent;

namespace Balancer.Core.Tests.Fuzz;

/// <summary>The inbound PROXY header parser on hostile input: never throws, never consumes more than it was given.</summary>
public sealed class ProxyHeaderParserFuzzTests
{
    private static readonly byte[] s_v2Signature = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    [FuzzProperty]
    public Property Parse_HostileInput_NeverThrowsAndStaysInBounds()
    {
        var v1 = Fuzz.Text("PROXY TCP46UNKOWN 0123456789.:abcdef\r\n", 120).Select(s => Encoding.ASCII.GetBytes("PROXY " + s));
        var v2 = Fuzz.Bytes(300).Select(tail => s_v2Signature.Concat(tail).ToArray());
        var v2Shaped = from command in Gen.Choose(0x20, 0x21)
                       from family in Gen.Elements(0x00, 0x11, 0x12, 0x21, 0x22, 0x31, 0x32, 0xFF)
                       from length in Gen.Choose(0, 300)
                       from body in Fuzz.Bytes(300)
                       select s_v2Signature.Concat(new[] { (byte)command, (byte)family, (byte)(length >> 8), (byte)length }).Concat(body).ToArray();
        var input = Gen.OneOf(Fuzz.Bytes(300), v1, v2, v2Shaped);
        return Prop.ForAll(input.ToArbitrary(), bytes =>
        {
            var result = ProxyHeaderParser.Parse(new ReadOnlySequence<byte>(bytes));
            return result.Status switch
            {
                ProxyParseStatus.Done => result.Header is not null && result.Consumed > 0 && result.Consumed <= bytes.Length,
                ProxyParseStatus.Invalid => result.Error is { Length: > 0 } && result.Consumed == 0,
                _ => result.Consumed == 0,
            };
        });
    }
}
