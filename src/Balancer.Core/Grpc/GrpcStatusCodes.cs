namespace Balancer.Core.Grpc;

/// <summary>
/// The gRPC status codes (grpc/grpc doc/statuscodes.md) by number and canonical name, and what a client makes of an
/// HTTP status when a response carries no <c>grpc-status</c> (doc/http-grpc-status-mapping.md).
/// </summary>
public static class GrpcStatusCodes
{
    /// <summary>Not a gRPC call, or no status known.</summary>
    public const int None = -1;

    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>The call was cancelled, typically by the caller.</summary>
    public const int Cancelled = 1;

    /// <summary>Unknown error; also what a call that ended without a status is counted as.</summary>
    public const int Unknown = 2;

    /// <summary>The deadline expired before the call completed.</summary>
    public const int DeadlineExceeded = 4;

    /// <summary>The method is not implemented (by a server without that service).</summary>
    public const int Unimplemented = 12;

    /// <summary>The service is currently unavailable: transient, the client may retry (on another backend).</summary>
    public const int Unavailable = 14;

    private static readonly string[] s_names =
    [
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED",
        "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
        "UNAUTHENTICATED",
    ];

    /// <summary>Every canonical name, in code order (the index is the code).</summary>
    public static IReadOnlyList<string> Names => s_names;

    /// <summary>The canonical name of <paramref name="code"/>; codes outside 0-16 read as <c>UNKNOWN</c>, as clients treat them.</summary>
    public static string Name(int code) => (uint)code < (uint)s_names.Length ? s_names[code] : s_names[Unknown];

    /// <summary>The code of a canonical name (exact, upper case as the spec writes it).</summary>
    public static bool TryParse(string name, out int code)
    {
        code = Array.IndexOf(s_names, name);
        return code >= 0;
    }

    /// <summary>
    /// The value of a <c>grpc-status</c> field: a decimal number; anything else (a proxy or server bug) reads as
    /// <c>UNKNOWN</c>, as clients treat it.
    /// </summary>
    public static int ParseField(ReadOnlySpan<char> value)
    {
        var code = 0;
        if (value.IsEmpty || value.Length > 3)
        {
            return Unknown;
        }

        foreach (var c in value)
        {
            if (c is < '0' or > '9')
            {
                return Unknown;
            }

            code = (code * 10) + (c - '0');
        }

        return code;
    }

    /// <summary>The status a gRPC client reports for a response with HTTP status <paramref name="httpStatus"/> and no <c>grpc-status</c>.</summary>
    public static int FromHttpStatus(int httpStatus) => httpStatus switch
    {
        400 => 13, // INTERNAL
        401 => 16, // UNAUTHENTICATED
        403 => 7, // PERMISSION_DENIED
        404 => 12, // UNIMPLEMENTED
        429 or 502 or 503 or 504 => Unavailable,
        _ => Unknown,
    };
}
