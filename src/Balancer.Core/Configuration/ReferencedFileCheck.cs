namespace Balancer.Core.Configuration;

/// <summary>What the loader does about files the config names (<c>failover.keyFile</c>, <c>admin.tokenFile</c>).</summary>
public enum ReferencedFileCheck
{
    /// <summary>Do not look at them (unit tests, parsing a string).</summary>
    Skip,

    /// <summary>An unreadable or empty file is a warning: <c>balancer check</c>, which may run on another host.</summary>
    Warn,

    /// <summary>An unreadable or empty file is an error: the running balancer, which needs the secrets.</summary>
    Require,
}
