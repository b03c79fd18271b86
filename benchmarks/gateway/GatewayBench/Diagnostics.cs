using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using PortkeyJwt.AspNetCore;

namespace GatewayBench;

/// <summary>
/// Servers for investigate.sh, which splits the same-token case's distance to the ceiling into its parts: the PortkeyJwt
/// scheme in a minimal app (no YARP, no health checks) with the sample's policy, with a policy that only requires an
/// authenticated user, and with authentication alone (no authorization); and a scheme that does nothing but return one
/// prebuilt ticket, under the same policy shapes, for what ASP.NET Core's authentication and authorization cost by themselves.
/// </summary>
internal static class Diagnostics
{
    /// <summary><c>portkey --variant policy|authenticated|handler --jwks FILE</c>.</summary>
    public static int PortkeyJwt(string[] args)
    {
        string jwks = File.ReadAllText(Bench.Option(args, "--jwks") ?? throw new ArgumentException("portkey needs --jwks"));
        WebApplicationBuilder builder = WebApplication.CreateBuilder(args);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PortkeyJwt:JwksJson"] = jwks,
            ["PortkeyJwt:ValidIssuers:0"] = Bench.Issuer,
            ["PortkeyJwt:ValidAudiences:0"] = Bench.Audience,
            ["PortkeyJwt:AllowedAlgorithms:0"] = "RS256",
        });
        builder.Services.AddPortkeyJwt(builder.Configuration.GetSection("PortkeyJwt"));
        builder.Services.AddAuthentication(PortkeyJwtDefaults.AuthenticationScheme).AddPortkeyJwt();
        return Serve(builder, args, PortkeyJwtDefaults.AuthenticationScheme, options => options.AddPortkeyScopePolicy("completions", Bench.Scope));
    }

    /// <summary><c>static --variant policy|authenticated|handler</c>: a scheme answering every request with one prebuilt ticket.</summary>
    public static int Static(string[] args)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder(args);
        builder.Services.AddAuthentication(StaticHandler.SchemeName).AddScheme<AuthenticationSchemeOptions, StaticHandler>(StaticHandler.SchemeName, null);
        return Serve(builder, args, StaticHandler.SchemeName, options => options.AddPolicy("completions", policy => policy
            .AddAuthenticationSchemes(StaticHandler.SchemeName)
            .RequireAuthenticatedUser()
            .RequireAssertion(context => context.User.HasClaim("scope", Bench.Scope))));
    }

    private static int Serve(WebApplicationBuilder builder, string[] args, string scheme, Action<Microsoft.AspNetCore.Authorization.AuthorizationOptions> scoped)
    {
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        string variant = Bench.Option(args, "--variant", "policy")!;
        builder.Services.AddAuthorization(options =>
        {
            scoped(options);
            options.AddPolicy("authenticated", policy => policy.AddAuthenticationSchemes(scheme).RequireAuthenticatedUser());
        });
        WebApplication app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        RouteHandlerBuilder endpoint = app.MapGet(Bench.Path, () => Bench.Response);
        _ = variant switch
        {
            "policy" => endpoint.RequireAuthorization("completions"),
            "authenticated" => endpoint.RequireAuthorization("authenticated"),
            "handler" => endpoint,
            _ => throw new ArgumentException($"unknown variant {variant}"),
        };
        app.Run();
        return 0;
    }

    private sealed class StaticHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string SchemeName = "Static";

        private static readonly AuthenticateResult Ticket = AuthenticateResult.Success(new AuthenticationTicket(
            new ClaimsPrincipal(new ClaimsIdentity([new Claim("scope", Bench.Scope), new Claim("email_id", "same@example.com")], SchemeName)),
            SchemeName));

        protected override Task<AuthenticateResult> HandleAuthenticateAsync() => Task.FromResult(Ticket);
    }
}
