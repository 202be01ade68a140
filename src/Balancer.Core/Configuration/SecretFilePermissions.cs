namespace Balancer.Core.Configuration;

/// <summary>
/// The one rule for the secret files a config names (<c>failover.keyFile</c>, <c>admin.tokenFile</c>): readable by the
/// service and nobody else. <c>balancer check</c>, start-up and the running admin API all refuse a file every user can
/// read (OpenSSH refuses such private keys for the same reason) and give the same fix; the docs and the systemd unit
/// say the same.
/// </summary>
public static class SecretFilePermissions
{
    /// <summary>The fix, as a command line: owner root, group of the service user, mode 0640.</summary>
    public static string Fix(string file) => $"chown root:balancer {file} && chmod 0640 {file}";

    /// <summary>Why <paramref name="fullPath"/> is no secret (every user may read it), or null when it is kept to owner and group.</summary>
    public static string? Insecure(string fullPath)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        var mode = File.GetUnixFileMode(fullPath);
        return (mode & UnixFileMode.OtherRead) == 0 ? null : $"is readable by every user (mode {Mode(mode)})";
    }

    /// <summary>A file mode as <c>chmod</c> spells it: <c>0644</c>.</summary>
    public static string Mode(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0xFFF, 8).PadLeft(3, '0');
}
