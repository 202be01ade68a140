namespace Balancer.Core.Configuration;

/// <summary>
/// What the loader does about files the config names (<c>failover.keyFile</c>, <c>admin.tokenFile</c>, certificates).
/// A file that is read and found wrong (empty, malformed, readable by every user, an expired certificate) is an error
/// whenever files are looked at; the modes differ only in what a file that cannot be read here is.
/// </summary>
public enum ReferencedFileCheck
{
    /// <summary>Do not look at them (unit tests, parsing a string).</summary>
    Skip,

    /// <summary>A file that cannot be read here is a warning: <c>balancer check</c>, which may run on another host.</summary>
    Warn,

    /// <summary>A file that cannot be read is an error: the running balancer, which needs them, and <c>balancer check --strict</c>.</summary>
    Require,
}
