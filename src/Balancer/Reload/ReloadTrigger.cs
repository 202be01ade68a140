namespace Balancer.Reload;

/// <summary>What started a reload.</summary>
internal enum ReloadTrigger
{
    /// <summary>The config file changed on disk.</summary>
    FileChange,

    /// <summary>SIGHUP.</summary>
    Signal,

    /// <summary><c>POST /reload</c> on the admin API.</summary>
    AdminApi,
}
