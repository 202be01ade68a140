using System.Text.Json;
using Balancer.Admin.Timeline;
using Balancer.Core.Model;
using Balancer.Telemetry;

namespace Balancer.Admin;

/// <summary>
/// <c>POST /pools/{pool}/backends/{address}/drain</c>, <c>/enable</c> and <c>/weight</c> on the backend named by the path as
/// the client sent it (see <see cref="BackendTarget"/>). Every call, done or refused, is one audited admin event.
/// </summary>
internal static class BackendActions
{
    /// <summary>Runtime weights are the config's range.</summary>
    public const int MaxWeight = 256;

    private const int MaxBody = 1024;

    public static async Task<IResult> RunAsync(HttpContext context, string rawTarget, PoolRegistry pools, EventTimeline timeline, ILogger logger)
    {
        var actor = AdminCaller.Of(context);
        var target = BackendTarget.Resolve(rawTarget, pools);
        var named = target.Pool is null ? rawTarget : $"{target.Pool.Name} {target.Backend?.Address}";
        if (target.Backend is not { } backend)
        {
            // The path's last segment, as the caller named the action, even when the backend was not found.
            var path = rawTarget.Split('?')[0];
            var action = Uri.UnescapeDataString(path[(path.LastIndexOf('/') + 1)..]);
            return Refuse(timeline, actor, action.Length > 0 ? action : "backend", named, target.Status, target.Error!);
        }

        var pool = target.Pool!;
        switch (target.Action)
        {
            case "drain" or "enable":
                var draining = target.Action == "drain";
                var changed = pool.SetDraining(backend, draining);
                if (changed)
                {
                    // Only a change is logged: repeating a drain (scripts, retries) says nothing new.
                    Log.AdminBackendAction(logger, pool.Name, backend.Address, draining ? "drained" : "enabled");
                }

                timeline.Record(TimelineKind.Admin, target.Action, named, changed ? "ok" : "unchanged",
                    changed ? $"{(draining ? "drained" : "enabled")}, {backend.InFlight} in flight" : $"already {(draining ? "draining" : "enabled")}", TimelineSeverity.Info, actor);
                return Results.Json(new BackendAnswer(pool.Name, backend.Address, backend.Draining, changed, backend.InFlight), AdminAnswers.Of<BackendAnswer>());

            case "weight":
                var (weight, error) = await ReadWeightAsync(context);
                if (error is not null)
                {
                    return Refuse(timeline, actor, "weight", named, StatusCodes.Status400BadRequest, error);
                }

                var before = pool.SetWeightOverride(backend, weight);
                var detail = backend.WeightOverride is { } set
                    ? $"weight {before} → {set} (runtime; configured {backend.ConfiguredWeight})"
                    : $"weight {before} → {backend.ConfiguredWeight} (the configured weight; no runtime override)";
                Log.AdminBackendAction(logger, pool.Name, backend.Address, detail);
                timeline.Record(TimelineKind.Admin, "weight", named, before == backend.Weight ? "unchanged" : "ok", detail, TimelineSeverity.Info, actor);
                return Results.Json(
                    new WeightAnswer(pool.Name, backend.Address, backend.Weight, backend.ConfiguredWeight, backend.WeightOverride, before != backend.Weight),
                    AdminAnswers.Of<WeightAnswer>());

            default:
                return Refuse(timeline, actor, target.Action, named, StatusCodes.Status404NotFound, $"unknown action '{target.Action}': use drain, enable or weight");
        }
    }

    private static IResult Refuse(EventTimeline timeline, TimelineActor actor, string action, string target, int status, string error)
    {
        timeline.Record(TimelineKind.Admin, action, target, $"refused ({status})", error, TimelineSeverity.Error, actor);
        return Results.Json(new AdminError(error), AdminAnswers.Of<AdminError>(), statusCode: status);
    }

    /// <summary>The body <c>{"weight": N}</c> (0–256), or <c>{"weight": null}</c> for the configured weight again.</summary>
    private static async Task<(int? Weight, string? Error)> ReadWeightAsync(HttpContext context)
    {
        const string usage = "send {\"weight\": N} with N from 0 to 256 (0 takes no new traffic), or {\"weight\": null} to go back to the configured weight";
        if (context.Request.ContentLength > MaxBody)
        {
            return (null, $"the body is too large; {usage}");
        }

        // Read at most one byte past the limit: a chunked body of any size costs no more than that.
        var buffer = new byte[MaxBody + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await context.Request.Body.ReadAsync(buffer.AsMemory(length))) > 0)
        {
            length += read;
        }

        if (length is 0 or > MaxBody)
        {
            return (null, length == 0 ? $"no body; {usage}" : $"the body is too large; {usage}");
        }

        try
        {
            using var document = JsonDocument.Parse(buffer.AsMemory(0, length));
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("weight", out var weight) || root.EnumerateObject().Count() != 1)
            {
                return (null, $"expected one field, weight; {usage}");
            }

            return weight.ValueKind switch
            {
                JsonValueKind.Null => (null, null),
                JsonValueKind.Number when weight.TryGetInt32(out var n) && n is >= 0 and <= MaxWeight => (n, null),
                _ => (null, $"weight {weight.GetRawText()} is not a whole number from 0 to {MaxWeight}; {usage}"),
            };
        }
        catch (JsonException e)
        {
            return (null, $"the body is not JSON ({e.Message}); {usage}");
        }
    }
}
