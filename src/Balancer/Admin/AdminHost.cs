using Balancer.Core.Configuration;
using Balancer.Hosting;

namespace Balancer.Admin;

/// <summary>
/// The admin API on <c>admin.bind</c>: status, config, metrics, reload, drain/enable/weight of single backends, and the
/// dashboard with what it polls (<see cref="AdminEndpoints"/>). Every call passes the token check first.
/// </summary>
internal sealed class AdminHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly UnauthorizedLog _refusals;
    private readonly string? _published;

    private AdminHost(WebApplication app, UnauthorizedLog refusals, string boundAddress, string? published)
    {
        _app = app;
        _refusals = refusals;
        BoundAddress = boundAddress;
        _published = published;
    }

    public string BoundAddress { get; }

    public static async Task<AdminHost> StartAsync(AdminConfig config, AdminServices services, CancellationToken cancellationToken)
    {
        var state = services.State;
        var endpoint = BindAddress.Parse(config.Bind);
        var builder = WebAppFactory.CreateBuilder(services.Logs, TimeSpan.FromSeconds(1), services.Meters);
        builder.WebHost.ConfigureKestrel(k => k.Listen(endpoint));
        var app = builder.Build();
        var logger = services.Logs.CreateLogger("Balancer.Admin");
        var refusals = new UnauthorizedLog(logger, services.Time);
        // Relative to the config file, as `balancer check` and start-up resolve it.
        var tokenFile = config.TokenFile is null ? null : Path.GetFullPath(config.TokenFile, Path.GetDirectoryName(Path.GetFullPath(state.ConfigPath))!);
        var auth = new AdminAuth(tokenFile, logger, refusals);
        app.Use(async (context, next) =>
        {
            var decision = auth.Check(context);
            if (decision.Status == 0)
            {
                AdminCaller.Set(context, decision.Fingerprint);
                await next(context);
                return;
            }

            context.Response.StatusCode = decision.Status;
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"balancer\"";
            if (decision.Status == StatusCodes.Status401Unauthorized && context.Request.Method == HttpMethods.Get && context.Request.Path == "/")
            {
                context.Response.ContentType = "text/html; charset=utf-8";
                await context.Response.WriteAsync(Dashboard.LoginPage);
                return;
            }

            await context.Response.WriteAsJsonAsync(new AdminError(decision.Error), AdminAnswers.Of<AdminError>());
        });

        AdminEndpoints.Map(app, services, logger);
        await app.StartAsync(cancellationToken);
        var bound = WebAppFactory.BoundAddress(app, endpoint);
        return new AdminHost(app, refusals, bound, RunningInstance.Publish(bound, tokenFile, state.ConfigPath, logger));
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        if (_published is not null)
        {
            RunningInstance.Withdraw(_published);
        }

        return _app.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_published is not null)
        {
            RunningInstance.Withdraw(_published);
        }

        await _app.DisposeAsync();
        _refusals.Dispose();
    }
}
