using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Balancer.Admin;

/// <summary>An admin API error answer: <c>{"error": "…"}</c>.</summary>
internal sealed record AdminError(string? Error);

/// <summary>The answer of <c>POST /reload</c>.</summary>
internal sealed record ReloadAnswer(bool Applied, string Hash, IReadOnlyList<string> Changes, IReadOnlyList<string> Errors);

/// <summary>The answer of a drain or enable of one backend.</summary>
internal sealed record BackendAnswer(string Pool, string Address, bool Draining, bool Changed, int Inflight);

/// <summary>The answer of a runtime weight change of one backend; <c>WeightOverride</c> is null at the configured weight.</summary>
internal sealed record WeightAnswer(string Pool, string Address, int Weight, int ConfiguredWeight, int? WeightOverride, bool Changed);

/// <summary>
/// Source-generated JSON for the admin API's answers, the dashboard's poll query and the running-instance record: no reflection, so the same code
/// runs under Native AOT. <c>partial</c> because the generator writes the other half; nothing else is split.
/// </summary>
[JsonSerializable(typeof(AdminError))]
[JsonSerializable(typeof(ReloadAnswer))]
[JsonSerializable(typeof(BackendAnswer))]
[JsonSerializable(typeof(WeightAnswer))]
[JsonSerializable(typeof(Panels.PollQuery))]
[JsonSerializable(typeof(RunningInstance))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;

/// <summary>The admin API's JSON options over <see cref="AdminJsonContext"/>.</summary>
internal static class AdminAnswers
{
    // Web defaults (camelCase); answers are read by people with curl: "pool 'web'", "&&", not \u0027 and \u0026 (JSON, never HTML).
    private static readonly JsonSerializerOptions s_answers = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        TypeInfoResolver = AdminJsonContext.Default,
    };

    /// <summary>The metadata of an admin answer, with the answers' options.</summary>
    public static JsonTypeInfo<T> Of<T>() => (JsonTypeInfo<T>)s_answers.GetTypeInfo(typeof(T));
}
