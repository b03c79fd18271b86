// The README's "next to AddJwtBearer" example. NextToJwtBearerTests runs it on Kestrel; README.md shows exactly the lines
// between the snippet markers.
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace PortkeyJwt.AspNetCore.Tests.Docs;

internal static class NextToJwtBearerExample
{
    /// <summary>An app whose default scheme is JwtBearer, with the PortkeyJwt scheme beside it for the gateway route.</summary>
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        // begin-snippet: next-to-jwtbearer
        builder.Services.AddPortkeyJwt(builder.Configuration.GetSection("PortkeyJwt"));
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme) // JwtBearer stays the default scheme
            .AddJwtBearer()                                                        // from Authentication:Schemes:Bearer
            .AddPortkeyJwt();
        builder.Services.AddAuthorization(options => options.AddPolicy("portkey-completions", policy => policy
            .AddAuthenticationSchemes(PortkeyJwtDefaults.AuthenticationScheme) // not the default scheme: name it
            .RequirePortkeyScope("completions.write")));

        WebApplication app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapPost("/v1/chat/completions", (HttpContext context) => context.GetPortkeyPrincipal()!.OrganisationId)
            .RequireAuthorization("portkey-completions");
        // end-snippet
        return app;
    }
}
