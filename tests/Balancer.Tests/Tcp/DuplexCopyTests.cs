using System.Net;
using System.Net.Sockets;
using Balancer.Core.Model;
using Balancer.Tcp;
using Balancer.Tests.Common;

namespace Balancer.Tests.Tcp;

/// <summary>
/// The L4 copy on its own, between two loopback socket pairs: the "client" and "backend" applications on one end,
/// the legs the copy runs on at the other. Bytes both ways, a FIN passed on as a half-close while the other
/// direction goes on, a backend reset reported as the backend's failure, and the idle timeout on a fake clock.
/// </summary>
public sealed class DuplexCopyTests : IAsyncLifetime
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(10);

    private readonly TcpBufferPool _buffers = new(maxFree: 8);
    private readonly FakeTimeProvider _time = new();
    private readonly BackendState _backend;
    private Socket _clientApp = null!;
    private Socket _backendApp = null!;
    private TcpLeg _clientLeg = null!;
    private TcpLeg _backendLeg = null!;

    public DuplexCopyTests() => _backend = new BackendState("tcp", "127.0.0.1:1", 1, _time, TimeSpan.FromSeconds(10));

    public async Task InitializeAsync()
    {
        (_clientApp, var clientEnd) = await PairAsync();
        (_backendApp, var backendEnd) = await PairAsync();
        _clientLeg = TcpLeg.ForUpstream(clientEnd, _buffers);
        _backendLeg = TcpLeg.ForUpstream(backendEnd, _buffers);
    }

    public async Task DisposeAsync()
    {
        await _clientLeg.DisposeAsync();
        await _backendLeg.DisposeAsync();
        _clientApp.Dispose();
        _backendApp.Dispose();
        _buffers.Dispose();
    }

    [Fact]
    public async Task RunAsync_BytesBothWays_CopiedWholeAndCounted()
    {
        var copy = DuplexCopy.RunAsync(_clientLeg, _backendLeg, _backend, Idle, _time);
        var request = Pattern(300_000, seed: 1);
        var response = Pattern(150_000, seed: 2);

        var sent = _clientApp.SendAsync(request);
        Assert.Equal(request, await TcpTestClient.ReadExactlyAsync(_backendApp, request.Length));
        await sent;
        await _backendApp.SendAsync(response);
        Assert.Equal(response, await TcpTestClient.ReadExactlyAsync(_clientApp, response.Length));

        _clientApp.Shutdown(SocketShutdown.Send);
        _backendApp.Shutdown(SocketShutdown.Send);

        Assert.False(await copy.WaitAsync(Generous));
        Assert.Equal(request.Length, _backend.BytesIn);
        Assert.Equal(response.Length, _backend.BytesOut);
    }

    [Fact]
    public async Task RunAsync_ClientHalfCloses_FinPassedOnAndTheAnswerStillFlows()
    {
        var copy = DuplexCopy.RunAsync(_clientLeg, _backendLeg, _backend, Idle, _time);

        await _clientApp.SendAsync("request"u8.ToArray());
        _clientApp.Shutdown(SocketShutdown.Send);
        // The backend sees the request and then the end of it (the FIN), as a server reading to EOF would.
        Assert.Equal("request"u8.ToArray(), await TcpTestClient.ReadToEndAsync(_backendApp, Generous));
        Assert.False(copy.IsCompleted);

        await _backendApp.SendAsync("answer after the FIN"u8.ToArray());
        _backendApp.Shutdown(SocketShutdown.Send);

        // Both directions have ended: the copy is done, and closing the legs (as TcpProxyHandler does) sends the last FIN.
        Assert.False(await copy.WaitAsync(Generous));
        await _clientLeg.DisposeAsync();
        Assert.Equal("answer after the FIN"u8.ToArray(), await TcpTestClient.ReadToEndAsync(_clientApp, Generous));
    }

    [Fact]
    public async Task RunAsync_BackendResets_ReportedAsTheBackendsFailureAndBothStop()
    {
        var copy = DuplexCopy.RunAsync(_clientLeg, _backendLeg, _backend, Idle, _time);
        await _clientApp.SendAsync("ping"u8.ToArray());
        await TcpTestClient.ReadExactlyAsync(_backendApp, 4);

        // Linger 0: close sends RST, not FIN.
        _backendApp.LingerState = new LingerOption(true, 0);
        _backendApp.Close();

        Assert.True(await copy.WaitAsync(Generous));
    }

    [Fact]
    public async Task RunAsync_SilentForTheIdleTimeout_StopsBothWithoutBlamingTheBackend()
    {
        var copy = DuplexCopy.RunAsync(_clientLeg, _backendLeg, _backend, Idle, _time);
        await _clientApp.SendAsync("x"u8.ToArray());
        await TcpTestClient.ReadExactlyAsync(_backendApp, 1);

        _time.Advance(Idle - TimeSpan.FromMilliseconds(1));
        Assert.False(copy.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.False(await copy.WaitAsync(Generous));
    }

    // A connected pair on loopback: the application's socket and the one the copy's leg wraps.
    private static async Task<(Socket App, Socket LegEnd)> PairAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var app = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var accepted = listener.AcceptAsync();
        await app.ConnectAsync(listener.LocalEndPoint!);
        return (app, await accepted);
    }

    private static byte[] Pattern(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
