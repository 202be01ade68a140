using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.Core;

namespace Balancer.Tests.Grpc;

/// <summary>The Echo test service of one <see cref="GrpcTestBackend"/>: it names the backend in every answer and records what it was sent.</summary>
public sealed class EchoService(string backend) : Echo.EchoBase
{
    private int _calls;

    /// <summary>Calls received, of every method.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>When set, every <c>Unary</c> call fails with UNAVAILABLE (a backend that lost its database, say).</summary>
    public bool Unavailable { get; set; }

    /// <summary>Request headers of each call (grpc-timeout, te, metadata), by method name.</summary>
    public ConcurrentQueue<(string Method, IReadOnlyDictionary<string, string> Headers)> Seen { get; } = new();

    public override Task<Msg> Unary(Msg request, ServerCallContext context)
    {
        Record(context);
        if (Unavailable)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"{backend} is unavailable"));
        }

        return Task.FromResult(new Msg { Text = request.Text, N = request.N, Backend = backend, Payload = request.Payload });
    }

    public override async Task ServerStream(StreamRequest request, IServerStreamWriter<Msg> responseStream, ServerCallContext context)
    {
        Record(context);
        for (var i = 0; i < request.Count; i++)
        {
            await responseStream.WriteAsync(new Msg { N = i, Backend = backend, Payload = ByteString.CopyFrom(Payload(i, request.Size)) });
        }
    }

    public override async Task<Msg> ClientStream(IAsyncStreamReader<Msg> requestStream, ServerCallContext context)
    {
        Record(context);
        var texts = new List<string>();
        await foreach (var message in requestStream.ReadAllAsync(context.CancellationToken))
        {
            texts.Add(message.Text);
        }

        return new Msg { N = texts.Count, Text = string.Join(",", texts), Backend = backend };
    }

    public override async Task Bidi(IAsyncStreamReader<Msg> requestStream, IServerStreamWriter<Msg> responseStream, ServerCallContext context)
    {
        Record(context);
        await foreach (var message in requestStream.ReadAllAsync(context.CancellationToken))
        {
            await responseStream.WriteAsync(new Msg { Text = message.Text, N = message.N, Backend = backend, Payload = message.Payload });
        }
    }

    public override Task<Msg> Fail(FailRequest request, ServerCallContext context)
    {
        Record(context);
        var trailers = new Metadata
        {
            { "x-detail", "plain text" },
            { "x-detail-bin", new byte[] { 0, 1, 2, 0xFE, 0xFF } },
        };
        throw new RpcException(new Status((StatusCode)request.Code, request.Message), trailers);
    }

    public override async Task<Msg> Sleep(SleepRequest request, ServerCallContext context)
    {
        Record(context);
        await Task.Delay(request.Ms, context.CancellationToken);
        return new Msg { Backend = backend };
    }

    /// <summary>The <paramref name="size"/> bytes of message <paramref name="n"/> of a server stream.</summary>
    public static byte[] Payload(int n, int size)
    {
        var data = new byte[size];
        new Random(n).NextBytes(data);
        return data;
    }

    private void Record(ServerCallContext context)
    {
        Interlocked.Increment(ref _calls);
        var headers = context.GetHttpContext().Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        Seen.Enqueue((context.Method, headers));
    }
}
