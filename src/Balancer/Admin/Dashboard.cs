namespace Balancer.Admin;

/// <summary>
/// The live dashboard: one self-contained page (no CDN, works offline) embedded in the
/// executable, polling <c>/status</c> every second.
/// </summary>
internal static class Dashboard
{
    public static readonly string Page = Load("dashboard.html");

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

    private static string Load(string name)
    {
        using var stream = typeof(Dashboard).Assembly.GetManifestResourceStream($"Balancer.Admin.{name}")
            ?? throw new InvalidOperationException($"embedded resource {name} is missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
