using System.Net;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PortkeyJwt.AspNetCore.Tests.Docs;

namespace PortkeyJwt.AspNetCore.Tests;

/// <summary>
/// PortkeyJwt in an app whose default authentication scheme is JwtBearer (<see cref="NextToJwtBearerExample"/>, the
/// README's snippet), on real Kestrel. JwtBearer has no authority configured, so it never fetches anything.
/// </summary>
public sealed class NextToJwtBearerTests
{
    [Theory]
    [InlineData("x-portkey-api-key")]
    [InlineData("Authorization")] // JwtBearer, the default, rejects it; the policy's PortkeyJwt scheme accepts it
    public async Task PortkeyToken_OnThePolicyNamingTheScheme_Is200(string header)
    {
        await using WebApplication app = await StartAsync(NextToJwtBearerExample.Build);
        using var client = new HttpClient { BaseAddress = Loopback.Root(app) };

        using HttpResponseMessage response = await client.SendAsync(Gateway.Request(HttpMethod.Post, "/v1/chat/completions", header, Tokens.Mint()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("org-3f2a", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task PortkeyTokenWithoutTheScope_OnThePolicyNamingTheScheme_Is403InsufficientScope()
    {
        await using WebApplication app = await StartAsync(NextToJwtBearerExample.Build);
        using var client = new HttpClient { BaseAddress = Loopback.Root(app) };

        using HttpResponseMessage response = await client.SendAsync(Gateway.Request(HttpMethod.Post, "/v1/chat/completions", "x-portkey-api-key", Tokens.WithScope("logs.view")));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("Bearer error=\"insufficient_scope\", scope=\"completions.write\"", Assert.Single(response.Headers.WwwAuthenticate).ToString());
    }

    [Fact]
    public async Task PortkeyToken_OnAnEndpointRequiringTheScopeWithoutNamingTheScheme_IsAuthenticatedByJwtBearer_And401()
    {
        // The pitfall the snippet avoids: the endpoint convention authenticates with the default scheme, JwtBearer,
        // which does not read x-portkey-api-key.
        await using WebApplication app = await StartAsync(builder =>
        {
            builder.Services.AddPortkeyJwt(builder.Configuration.GetSection("PortkeyJwt"));
            builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer().AddPortkeyJwt();
            builder.Services.AddAuthorization();
            WebApplication app = builder.Build();
            app.UseAuthentication();
            app.UseAuthorization();
            app.MapPost("/v1/chat/completions", (HttpContext context) => context.GetPortkeyPrincipal()!.OrganisationId).RequirePortkeyScope("completions.write");
            return app;
        });
        using var client = new HttpClient { BaseAddress = Loopback.Root(app) };

        using HttpResponseMessage response = await client.SendAsync(Gateway.Request(HttpMethod.Post, "/v1/chat/completions", "x-portkey-api-key", Tokens.Mint()));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    /// <summary>Builds the app with <paramref name="build"/> over a static JWKS (ES256) and starts it on 127.0.0.1, a free port.</summary>
    private static async Task<WebApplication> StartAsync(Func<WebApplicationBuilder, WebApplication> build)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PortkeyJwt:JwksJson"] = TestKey.Jwks(TestKey.Default),
            ["PortkeyJwt:AllowedAlgorithms:0"] = "ES256",
        });

        WebApplication app = build(builder);
        await app.StartAsync();
        return app;
    }
}
