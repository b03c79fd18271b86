using System.Net;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PortkeyJwt.AspNetCore.Tests.Support;

/// <summary>
/// A gateway as a team would write it, on a real Kestrel server on 127.0.0.1 (a free port), called with a real
/// <see cref="HttpClient"/>. Endpoints:
/// <list type="bullet">
/// <item><c>GET /me</c>: default policy (PortkeyJwt, authenticated); echoes organisation/workspace/user.</item>
/// <item><c>GET /either</c>: policy accepting PortkeyJwt or the API-key scheme; echoes the identity's name and type.</item>
/// <item><c>POST /v1/chat/completions</c>: endpoint convention <c>RequirePortkeyScope("completions.write")</c>.</item>
/// <item><c>GET /policy/completions</c>, <c>GET /policy/admin</c>: named policies built with <c>RequirePortkeyScope</c>.</item>
/// </list>
/// </summary>
internal sealed class Gateway : IAsyncDisposable
{
    private readonly WebApplication _app;

    private Gateway(WebApplication app, HttpClient client, LogCapture logs)
    {
        _app = app;
        Client = client;
        Logs = logs;
    }

    public HttpClient Client { get; }

    public LogCapture Logs { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>A gateway over a static JWKS holding <see cref="TestKey.Default"/>, accepting ES256.</summary>
    public static Task<Gateway> StartAsync(Action<PortkeyJwtServiceOptions>? configure = null) => StartAsync(options =>
    {
        options.JwksJson = TestKey.Jwks(TestKey.Default);
        options.AllowedAlgorithms = ["ES256"];
        configure?.Invoke(options);
    }, services => { });

    public static Task<Gateway> StartAsync(Action<PortkeyJwtServiceOptions> configure, Action<IServiceCollection> services) =>
        StartAsync(builder => builder.Services.AddPortkeyJwt(configure), services);

    /// <summary>A gateway configured from the <c>"PortkeyJwt"</c> section of <paramref name="appSettingsJson"/>, as an appsettings.json file would.</summary>
    public static Task<Gateway> StartFromConfigurationAsync(string appSettingsJson, Action<IServiceCollection>? services = null) => StartAsync(
        builder =>
        {
            builder.Configuration.AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(appSettingsJson)));
            builder.Services.AddPortkeyJwt(builder.Configuration.GetSection("PortkeyJwt"));
        },
        services ?? (_ => { }));

    /// <summary>A gateway configured from the <c>"PortkeyJwt"</c> section of the JSON file at <paramref name="appSettingsPath"/>, reloaded when the file changes.</summary>
    public static Task<Gateway> StartFromFileAsync(string appSettingsPath, Action<IServiceCollection>? services = null) => StartAsync(
        builder =>
        {
            builder.Configuration.AddJsonFile(appSettingsPath, optional: false, reloadOnChange: true);
            builder.Services.AddPortkeyJwt(builder.Configuration.GetSection("PortkeyJwt"));
        },
        services ?? (_ => { }));

    private static async Task<Gateway> StartAsync(Action<WebApplicationBuilder> addPortkeyJwt, Action<IServiceCollection> services)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        var logs = new LogCapture();
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Trace);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));

        // The three lines a gateway team writes:
        addPortkeyJwt(builder);
        builder.Services.AddAuthentication(PortkeyJwtDefaults.AuthenticationScheme)
            .AddPortkeyJwt()
            .AddScheme<AuthenticationSchemeOptions, ApiKeyScheme>(ApiKeyScheme.Name, configureOptions: null);
        builder.Services.AddAuthorization(options =>
        {
            options.AddPolicy("either", policy => policy.AddAuthenticationSchemes(PortkeyJwtDefaults.AuthenticationScheme, ApiKeyScheme.Name).RequireAuthenticatedUser());
            options.AddPolicy("completions", policy => policy.RequirePortkeyScope("completions.write"));
            options.AddPolicy("admin", policy => policy.RequirePortkeyScope("admin.write", "completions.write"));
            options.AddPolicy("admin-role", policy => policy.RequireRole("admin"));
        });
        services(builder.Services);

        WebApplication app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/me", Echo).RequireAuthorization();
        app.MapGet("/either", (HttpContext context) => $"{context.User.Identity!.AuthenticationType}:{context.User.Identity.Name}").RequireAuthorization("either");
        app.MapPost("/v1/chat/completions", Echo).RequirePortkeyScope("completions.write");
        app.MapGet("/policy/completions", Echo).RequireAuthorization("completions");
        app.MapGet("/policy/admin", Echo).RequireAuthorization("admin");
        app.MapGet("/policy/admin-role", Echo).RequireAuthorization("admin-role");
        await app.StartAsync();

        return new Gateway(app, new HttpClient { BaseAddress = Loopback.Root(app) }, logs);
    }

    /// <summary>A request carrying <paramref name="token"/> in <paramref name="header"/> (<c>Authorization</c> gets a <c>Bearer</c> prefix).</summary>
    public static HttpRequestMessage Request(HttpMethod method, string path, string? header = null, string? token = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (header is not null && token is not null)
        {
            request.Headers.TryAddWithoutValidation(header, header == "Authorization" ? "Bearer " + token : token);
        }

        return request;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Loopback.StopAsync(_app);
    }

    private static string Echo(HttpContext context)
    {
        PortkeyPrincipal caller = context.GetPortkeyPrincipal()!;
        return $"{caller.OrganisationId}/{caller.WorkspaceSlug}/{caller.UserId} name={context.User.Identity!.Name}";
    }
}
