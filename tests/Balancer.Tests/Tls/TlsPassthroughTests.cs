using Balancer.Tests.Common;

namespace Balancer.Tests.Tls;

public sealed class TlsPassthroughTests
{
    [Fact]
    public async Task TcpListener_TlsClient_HandshakesWithTheBackendItself()
    {
        using var certs = new TestCertificates();
        await using var backend = await TestBackend.StartAsync("secure", certificate: certs.Issue("backend", ["backend.test"]));
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.TcpConfig("round-robin", "", "", $"127.0.0.1:{backend.Address.Port}"));

        // The tcp listener copies bytes: the certificate seen is the backend's, SNI and all.
        Assert.Equal("CN=backend", await TlsTestClient.ServedSubjectAsync(balancer.ListenerAddress, "backend.test"));
    }
}
