using System.Net.Sockets;

namespace Balancer.Hosting;

/// <summary>
/// A startup failure with a message meant for the operator, printed as one line without a stack trace;
/// the exception behind it, if any, is logged at debug level only (<c>BALANCER_LOG_LEVEL=Debug</c>).
/// </summary>
internal sealed class StartupException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>Runs <paramref name="start"/>, turning a bind failure into one line that names the listener and the address.</summary>
    public static async Task<T> Binding<T>(string name, string address, Func<Task<T>> start)
    {
        try
        {
            return await start();
        }
        catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException or SocketException)
        {
            throw new StartupException($"listener {name}: cannot listen on {address}: {e.InnerException.Message}", e);
        }
        catch (SocketException e)
        {
            throw new StartupException($"listener {name}: cannot listen on {address}: {e.Message}", e);
        }
    }

    /// <summary>Runs <paramref name="open"/>, turning a file that cannot be opened into one line that names the field and the file.</summary>
    public static T Opening<T>(string field, string file, Func<T> open)
    {
        try
        {
            return open();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"{field}: cannot open '{file}' for appending: {e.Message}", e);
        }
    }
}
