using System.Text;
using Balancer.Core.Http1;

namespace Balancer.Core.Tests.Http1;

public sealed class TrailerFieldsTests
{
    [Theory]
    [InlineData("X-A: 1\r\nX-B:2\r\n", "X-A=1|X-B=2")]
    [InlineData("X-A: \t padded \t\r\n", "X-A=padded")]
    [InlineData("X-A:\r\n", "X-A=")]
    [InlineData("X-A: a\u0001b\r\nX-B: ok\r\n", "X-B=ok")] // a control character: that field only is dropped
    [InlineData("X-A: 1\r\n folded\r\nX-B: 2\r\n", "X-A=1|X-B=2")] // an obs-fold line is not a field
    [InlineData("Bad Name: 1\r\n: empty\r\nno colon\r\nX-C: 3", "X-C=3")]
    [InlineData("X-A: obs\u00e9text\n", "X-A=obs\u00e9text")]
    public void TryNext_WellFormedFieldsOnly(string section, string expected)
    {
        var bytes = Encoding.Latin1.GetBytes(section);
        var fields = new List<string>();
        var position = 0;
        while (TrailerFields.TryNext(bytes, ref position, out var name, out var value))
        {
            fields.Add($"{Encoding.Latin1.GetString(bytes[name])}={Encoding.Latin1.GetString(bytes[value])}");
        }

        Assert.Equal(expected, string.Join('|', fields));
    }

    [Theory]
    [InlineData("X-Checksum", true)]
    [InlineData("grpc-status", true)]
    [InlineData("content-length", false)]
    [InlineData("Transfer-Encoding", false)]
    [InlineData("Set-Cookie", false)]
    [InlineData("Connection", false)]
    public void IsForwarded_FramingAndHopByHopKeptOut(string name, bool forwarded) =>
        Assert.Equal(forwarded, TrailerFields.IsForwarded(name));
}
