using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.IdentityModel.Tokens;

namespace GatewayBench;

/// <summary>
/// The servers beside the sample gateway. Each is built as the sample is (<see cref="WebApplication.CreateBuilder(string[])"/>,
/// the same logging levels) and answers <see cref="Bench.Path"/> with <see cref="Bench.Response"/>.
/// </summary>
internal static class Servers
{
    /// <summary>The identity provider's JWKS endpoint, on loopback: the sample gateway fetches its key from here once.</summary>
    public static int Jwks(string[] args)
    {
        string json = File.ReadAllText(Bench.Option(args, "--file") ?? throw new ArgumentException("jwks needs --file"));
        WebApplication app = Build(args);
        app.MapGet("/.well-known/jwks.json", () => Results.Text(json, "application/json"));
        app.Run();
        return 0;
    }

    /// <summary>
    /// What a user would pick instead of PortkeyJwt: AddJwtBearer with the same key (as IssuerSigningKey: no authority, so
    /// no metadata is fetched), issuer, audience, algorithm and clock skew, and a policy like the sample's "completions":
    /// the scheme named, an authenticated user, and completions.write among the space-separated <c>scope</c> claim.
    /// </summary>
    public static int JwtBearer(string[] args)
    {
        string jwks = File.ReadAllText(Bench.Option(args, "--jwks") ?? throw new ArgumentException("jwtbearer needs --jwks"));
        WebApplicationBuilder builder = WebApplication.CreateBuilder(args);
        Logging(builder);
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(options =>
        {
            options.MapInboundClaims = false; // keep "scope" as the token names it
            options.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = Bench.Issuer,
                ValidAudience = Bench.Audience,
                IssuerSigningKey = new JsonWebKeySet(jwks).Keys.Single(),
                ValidAlgorithms = ["RS256"],
                ClockSkew = TimeSpan.FromMinutes(1),
            };
        });
        builder.Services.AddAuthorization(options => options.AddPolicy("completions", policy => policy
            .AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme)
            .RequireAuthenticatedUser()
            .RequireAssertion(context => HasScope(context, Bench.Scope))));
        WebApplication app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet(Bench.Path, () => Bench.Response).RequireAuthorization("completions");
        app.Run();
        return 0;
    }

    /// <summary>The ceiling: the same endpoint and response, no authentication or authorization at all.</summary>
    public static int NoAuth(string[] args)
    {
        WebApplication app = Build(args);
        app.MapGet(Bench.Path, () => Bench.Response);
        app.Run();
        return 0;
    }

    private static WebApplication Build(string[] args)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder(args);
        Logging(builder);
        return builder.Build();
    }

    /// <summary>The sample gateway's levels (its appsettings.json): Information, Microsoft.AspNetCore at Warning.</summary>
    private static void Logging(WebApplicationBuilder builder)
    {
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
    }

    private static bool HasScope(AuthorizationHandlerContext context, string scope)
    {
        foreach (System.Security.Claims.Claim claim in context.User.FindAll("scope"))
        {
            foreach (Range range in claim.Value.AsSpan().Split(' '))
            {
                if (claim.Value.AsSpan()[range].SequenceEqual(scope))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
