using Balancer.Core.Affinity;
using Balancer.Core.Configuration;
using Balancer.Core.Model;
using Balancer.Core.Tests.TestDoubles;

namespace Balancer.Core.Tests.Affinity;

public sealed class AffinityTableTests
{
    private static readonly AffinityConfig s_config = new() { Cookie = "BLB" };
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void SetCookie_TwoTablesSameConfig_SameValueWithoutTheAddress()
    {
        var first = Backends("http://10.0.0.5:8080");
        var second = Backends("http://10.0.0.9:80", "http://10.0.0.5:8080");
        var a = new AffinityTable("web", s_config, first);
        var b = new AffinityTable("web", s_config, second);

        var value = a.SetCookie(first[0])!;
        Assert.Equal(value, b.SetCookie(second[1]));
        Assert.DoesNotContain("10.0.0.5", value, StringComparison.Ordinal);
        Assert.Matches("^BLB=[A-Za-z0-9_-]{11}; Path=/; HttpOnly; SameSite=Lax$", value);
        // Another pool names the same address differently: one pool's cookie is not another's.
        var other = new AffinityTable("api", s_config, first);
        Assert.NotEqual(value, other.SetCookie(first[0]));
    }

    [Fact]
    public void SetCookie_TtlSecureStrict_Attributes()
    {
        var backends = Backends("http://a:1");
        var table = new AffinityTable("web", new AffinityConfig { Cookie = "S", Ttl = TimeSpan.FromHours(1), Secure = true, SameSite = "strict" }, backends);

        Assert.EndsWith("; Path=/; Max-Age=3600; Secure; HttpOnly; SameSite=Strict", table.SetCookie(backends[0]), StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_EachBackendState_Status()
    {
        var backends = Backends("http://up:1", "http://draining:1", "http://down:1", "http://removed:1");
        backends[1].Draining = true;
        backends[2].Health = BackendHealth.Down;
        backends[3].Removed = true;
        var table = new AffinityTable("web", s_config, backends);

        Assert.Equal([AffinityStatus.Usable, AffinityStatus.Usable, AffinityStatus.Unavailable, AffinityStatus.Unavailable], backends.Select(b => table.Resolve(Value(table, b), out _)));
        table.Resolve(Value(table, backends[1]), out var named);
        Assert.Same(backends[1], named);
    }

    [Theory]
    [InlineData("")]
    [InlineData("AAAAAAAAAAA")]
    [InlineData("not-a-value-at-all")]
    [InlineData("!!!!!!!!!!!")]
    public void Resolve_ForgedOrAbsent_NoBackend(string value)
    {
        var table = new AffinityTable("web", s_config, Backends("http://a:1"));

        var status = table.Resolve(value, out var backend);

        Assert.Equal(value.Length == 0 ? AffinityStatus.None : AffinityStatus.Unknown, status);
        Assert.Null(backend);
    }

    private static string Value(AffinityTable table, BackendState backend) => table.SetCookie(backend)!.Split(';')[0].Split('=')[1];

    private BackendState[] Backends(params string[] addresses) =>
        [.. addresses.Select(a => new BackendState("web", a, 1, _time, Snapshots.DecayTime) { Health = BackendHealth.Up })];
}
