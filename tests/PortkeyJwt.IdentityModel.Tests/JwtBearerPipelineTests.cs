using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PortkeyJwt.IdentityModel.Tests.Docs;

namespace PortkeyJwt.IdentityModel.Tests;

/// <summary>
/// An app on <c>AddJwtBearer</c> switched to PortkeyJwt (<see cref="SwitchExample"/>, the README's snippet), on real
/// Kestrel at 127.0.0.1, called over HTTP. JwtBearer has no Authority, so nothing is fetched; the scope is the app's own
/// authorization policy, as JwtBearer checks none.
/// </summary>
public sealed class JwtBearerPipelineTests
{
    private static readonly DateTimeOffset Start = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task ValidToken_Is200_WithTheOrganisationFromTheClaims()
    {
        using var idp = new TestIdentityProvider(new FakeTimeProvider(Start));
        await using WebApplication app = await StartAsync(idp.CreateValidator());
        using HttpClient client = ClientFor(app);

        using HttpResponseMessage response = await client.SendAsync(Completions(idp.Mint(organisation: "org-7")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("org-7 (org-7)", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ExpiredToken_Is401_AndJwtBearerSaysWhenItExpired()
    {
        var clock = new FakeTimeProvider(Start);
        using var idp = new TestIdentityProvider(clock);
        await using WebApplication app = await StartAsync(idp.CreateValidator());
        using HttpClient client = ClientFor(app);
        DateTimeOffset exp = Start.AddMinutes(5);
        string token = idp.Mint(expiresAt: exp);
        clock.Advance(TimeSpan.FromHours(1));

        using HttpResponseMessage response = await client.SendAsync(Completions(token));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        string expiredAt = exp.UtcDateTime.ToString(CultureInfo.InvariantCulture); // how JwtBearer formats Expires
        Assert.Equal($"Bearer error=\"invalid_token\", error_description=\"The token expired at '{expiredAt}'\"", Challenge(response));
        Assert.Equal("Bearer error=\"invalid_token\", error_description=\"The token expired at '01/01/2030 12:05:00'\"", Challenge(response));
    }

    [Fact]
    public async Task ForgedToken_Is401_InvalidToken_BadSignature()
    {
        using var idp = new TestIdentityProvider();
        using var attacker = new TestIdentityProvider(); // its own key, also named key-1
        await using WebApplication app = await StartAsync(idp.CreateValidator());
        using HttpClient client = ClientFor(app);

        using HttpResponseMessage response = await client.SendAsync(Completions(attacker.Mint()));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer error=\"invalid_token\", error_description=\"The signature is invalid\"", Challenge(response));
    }

    [Fact]
    public async Task TokenSignedByAnUnknownKey_Is401_KeyNotFound()
    {
        using var idp = new TestIdentityProvider();
        await using WebApplication app = await StartAsync(idp.CreateValidator());
        using HttpClient client = ClientFor(app);
        string token = idp.Mint();
        idp.RotateKey();
        idp.RetireKey("key-1"); // the token's key leaves the JWKS

        using HttpResponseMessage response = await client.SendAsync(Completions(token));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer error=\"invalid_token\", error_description=\"The signature key was not found\"", Challenge(response));
    }

    [Theory]
    [InlineData("aud", "another-gateway", "The audience '(null)' is invalid")] // the token's audience is not echoed
    [InlineData("iss", "https://evil.example", "The issuer '(null)' is invalid")]
    [InlineData("portkey_oid", null, null)] // MissingClaim: JwtBearer has no description for it
    public async Task TokenWithAWrongClaim_Is401_WithJwtBearersDescription(string claim, string? value, string? description)
    {
        using var idp = new TestIdentityProvider();
        await using WebApplication app = await StartAsync(idp.CreateValidator());
        using HttpClient client = ClientFor(app);

        using HttpResponseMessage response = await client.SendAsync(Completions(idp.Mint(claims: new JsonObject { [claim] = value })));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(description is null ? "Bearer error=\"invalid_token\"" : $"Bearer error=\"invalid_token\", error_description=\"{description}\"", Challenge(response));
    }

    [Fact]
    public async Task TokenWithoutTheScope_Is403_FromTheAppsPolicy()
    {
        using var idp = new TestIdentityProvider();
        await using WebApplication app = await StartAsync(idp.CreateValidator());
        using HttpClient client = ClientFor(app);

        using HttpResponseMessage response = await client.SendAsync(Completions(idp.Mint(scopes: ["logs.view"])));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task MalformedToken_Is401_InvalidToken_WithoutDescription()
    {
        using var idp = new TestIdentityProvider();
        await using WebApplication app = await StartAsync(idp.CreateValidator());
        using HttpClient client = ClientFor(app);

        using HttpResponseMessage response = await client.SendAsync(Completions("not-a-token"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer error=\"invalid_token\"", Challenge(response));
    }

    [Fact]
    public async Task NoToken_Is401_WithAPlainBearerChallenge()
    {
        using var idp = new TestIdentityProvider();
        await using WebApplication app = await StartAsync(idp.CreateValidator());
        using HttpClient client = ClientFor(app);

        using HttpResponseMessage response = await client.PostAsync(new Uri("/v1/chat/completions", UriKind.Relative), content: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", Challenge(response));
    }

    [Fact]
    public async Task HttpContextUser_HasTheClaimsOfToClaimsPrincipal()
    {
        using var idp = new TestIdentityProvider();
        PortkeyJwtValidator validator = idp.CreateValidator();
        await using WebApplication app = await StartAsync(validator);
        using HttpClient client = ClientFor(app);
        string token = idp.Mint(organisation: "org-1", workspace: "ws-1", scopes: ["completions.write", "portkey.logs.view"], email: "dev@example.test", subject: "user-1", uid: "u-1", claims: new JsonObject { ["jti"] = "id-1" });
        PortkeyJwtResult direct = await validator.ValidateAsync(token);
        string[] expected = PortkeyTokenHandlerTests.Describe((ClaimsIdentity)direct.Principal!.ToClaimsPrincipal().Identity!);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/claims");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using HttpResponseMessage response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        string[] actual = (await response.Content.ReadAsStringAsync()).Split('\n');
        Assert.Equal(expected, actual);
        Assert.Contains("scope|logs.view|http://www.w3.org/2001/XMLSchema#string|https://idp.test", actual);
    }

    /// <summary>The app: JwtBearer switched by the README's snippet, a scope policy, and two endpoints.</summary>
    private static async Task<WebApplication> StartAsync(PortkeyJwtValidator validator)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        SwitchExample.AddAuthentication(builder.Services, validator);
        builder.Services.AddAuthorization(options => options.AddPolicy("completions", policy => policy.RequireClaim(PortkeyPrincipal.ScopeClaimType, "completions.write")));

        WebApplication app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapPost("/v1/chat/completions", (HttpContext context) =>
            $"{PortkeyTokenHandler.GetPortkeyPrincipal(context.User)!.OrganisationId} ({context.User.FindFirst("portkey_oid")!.Value})")
            .RequireAuthorization("completions");
        app.MapGet("/claims", (HttpContext context) => string.Join('\n', PortkeyTokenHandlerTests.Describe((ClaimsIdentity)context.User.Identity!)))
            .RequireAuthorization();
        await app.StartAsync();
        return app;
    }

    private static HttpClient ClientFor(WebApplication app) => new() { BaseAddress = Loopback.Root(app) };

    private static HttpRequestMessage Completions(string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    private static string Challenge(HttpResponseMessage response) => Assert.Single(response.Headers.WwwAuthenticate).ToString();
}
