namespace Balancer.Core.Configuration.Validation;

/// <summary>Which kinds of listener send traffic to a pool; that decides the shape of its backend addresses.</summary>
[Flags]
internal enum PoolUse
{
    /// <summary>No listener names the pool.</summary>
    None = 0,

    /// <summary>An http listener's route names it: backends are http(s) URIs.</summary>
    Http = 1,

    /// <summary>A tcp listener names it: backends are host:port.</summary>
    Tcp = 2,
}
