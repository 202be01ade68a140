using System.IO.Pipelines;
using Balancer.Core.Configuration;
using Balancer.Core.ProxyProtocol;

namespace Balancer.Tcp;

/// <summary>
/// Reads the PROXY header a connection must start with when its listener has <c>acceptProxyProtocol</c>.
/// The spec (section 2) forbids guessing whether a header is there, so anything else is refused.
/// </summary>
internal static class InboundProxyHeader
{
    /// <summary>The parsed header, consumed from <paramref name="input"/>; any failure comes back as <see cref="ProxyParseStatus.Invalid"/>.</summary>
    public static async Task<ProxyParseResult> ReadAsync(PipeReader input, TimeSpan timeout, TimeProvider time)
    {
        using var deadline = new CancellationTokenSource(timeout, time);
        while (true)
        {
            ReadResult read;
            try
            {
                read = await input.ReadAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                return new ProxyParseResult(ProxyParseStatus.Invalid, null, 0, $"no whole PROXY header within {Durations.Format(timeout)}");
            }
            catch (Exception e)
            {
                return new ProxyParseResult(ProxyParseStatus.Invalid, null, 0, e.Message);
            }

            var buffer = read.Buffer;
            var result = ProxyHeaderParser.Parse(buffer);
            if (result.Status == ProxyParseStatus.Done)
            {
                input.AdvanceTo(buffer.GetPosition(result.Consumed));
                return result;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            if (result.Status == ProxyParseStatus.Invalid)
            {
                return result;
            }

            if (read.IsCompleted || read.IsCanceled)
            {
                return new ProxyParseResult(ProxyParseStatus.Invalid, null, 0, "connection ended inside the PROXY header");
            }
        }
    }
}
