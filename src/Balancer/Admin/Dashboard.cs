using System.Collections.Frozen;
using System.Security.Cryptography;

namespace Balancer.Admin;

/// <summary>
/// The live dashboard: a page and its scripts and styles (Admin/Assets), embedded in the executable and served by the
/// admin API itself — no CDN, no external fetch, so it works on an isolated management network. The page polls
/// <c>/console/poll</c> once a second.
/// </summary>
internal static class Dashboard
{
    private const string Prefix = "Balancer.Admin.Assets.";

    private static readonly FrozenDictionary<string, Asset> s_assets = LoadAssets();

    /// <summary>Shown instead of the dashboard when a token is required and none was presented.</summary>
    public const string LoginPage = """
        <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Balancer — sign in</title>
        <style>body{font:14px system-ui,sans-serif;background:#0f1419;color:#e6edf3;display:grid;place-items:center;height:100vh;margin:0}
        form{background:#182029;padding:24px;border-radius:8px;border:1px solid #2a3541}input,button{font:inherit;padding:6px 10px;margin-top:8px}</style></head>
        <body><form id="f"><div>This admin API needs its bearer token (admin.tokenFile).</div>
        <input id="t" type="password" placeholder="token" autofocus> <button>Open dashboard</button></form>
        <script>document.getElementById("f").onsubmit=e=>{e.preventDefault();
        document.cookie="balancer_admin_token="+encodeURIComponent(document.getElementById("t").value)+"; path=/; SameSite=Strict";location.reload();};</script>
        </body></html>
        """;

    /// <summary>The page itself, never cached: a new version of Balancer serves a new one.</summary>
    public static Task ServePageAsync(HttpContext context)
    {
        context.Response.Headers.CacheControl = "no-store";
        return WriteAsync(context, s_assets["dashboard.html"]);
    }

    /// <summary>A script or style sheet of the page; revalidated by its ETag.</summary>
    public static Task ServeAssetAsync(HttpContext context, string name)
    {
        if (name == "dashboard.html" || !s_assets.TryGetValue(name, out var asset))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers.ETag = asset.ETag;
        if (context.Request.Headers.IfNoneMatch == asset.ETag)
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        return WriteAsync(context, asset);
    }

    private static Task WriteAsync(HttpContext context, Asset asset)
    {
        context.Response.ContentType = asset.ContentType;
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.ContentLength = asset.Bytes.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.Body.WriteAsync(asset.Bytes).AsTask();
    }

    private static FrozenDictionary<string, Asset> LoadAssets()
    {
        var assembly = typeof(Dashboard).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            var name = resource[Prefix.Length..];
            var type = Path.GetExtension(name) switch
            {
                ".html" => "text/html; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                ".css" => "text/css; charset=utf-8",
                _ => "application/octet-stream",
            };
            assets[name] = new Asset(bytes, type, $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes), 0, 8)}\"");
        }

        return assets.ContainsKey("dashboard.html") ? assets.ToFrozenDictionary(StringComparer.Ordinal)
            : throw new InvalidOperationException("the dashboard's embedded assets are missing from the build");
    }

    private sealed record Asset(byte[] Bytes, string ContentType, string ETag);
}
