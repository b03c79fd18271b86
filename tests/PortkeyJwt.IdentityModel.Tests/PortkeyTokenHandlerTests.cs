using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace PortkeyJwt.IdentityModel.Tests;

/// <summary><see cref="PortkeyTokenHandler"/> on its own, as JwtBearer calls it.</summary>
public sealed class PortkeyTokenHandlerTests
{
    private static readonly DateTimeOffset Start = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task ValidToken_IsValid_WithTheIdentityOfToClaimsPrincipal_AndThePrincipalReachable()
    {
        using var idp = new TestIdentityProvider(new FakeTimeProvider(Start));
        PortkeyJwtValidator validator = idp.CreateValidator();
        var handler = new PortkeyTokenHandler(validator);
        string token = idp.Mint(organisation: "org-1", workspace: "ws-1", email: "dev@example.test", subject: "user-1", claims: new JsonObject { ["jti"] = "id-1" });

        TokenValidationResult result = await handler.ValidateTokenAsync(token, new TokenValidationParameters());

        Assert.True(result.IsValid);
        Assert.Null(result.Exception);
        var principal = Assert.IsType<PortkeyPrincipal>(result.PropertyBag[PortkeyTokenHandler.PrincipalPropertyKey]);
        Assert.Equal("org-1", principal.OrganisationId);
        ClaimsIdentity expected = (ClaimsIdentity)principal.ToClaimsPrincipal().Identity!;
        Assert.Equal(Describe(expected), Describe(result.ClaimsIdentity));
        Assert.Equal(PortkeyPrincipal.AuthenticationType, result.ClaimsIdentity.AuthenticationType);
        Assert.Equal("dev@example.test", result.ClaimsIdentity.Name);
        Assert.Same(principal, PortkeyTokenHandler.GetPortkeyPrincipal(new ClaimsPrincipal(result.ClaimsIdentity)));
        Assert.Same(principal, PortkeyTokenHandler.GetPortkeyPrincipal(new ClaimsPrincipal(result.ClaimsIdentity).Clone()));
        var jwt = Assert.IsType<JsonWebToken>(result.SecurityToken);
        Assert.Equal(token, jwt.EncodedToken);
        Assert.Equal(TestIdentityProvider.DefaultIssuer, result.Issuer);
    }

    [Fact]
    public async Task ExpiredToken_IsInvalid_WithSecurityTokenExpiredException_CarryingExp()
    {
        var clock = new FakeTimeProvider(Start);
        using var idp = new TestIdentityProvider(clock);
        var handler = new PortkeyTokenHandler(idp.CreateValidator());
        string token = idp.Mint(expiresAt: Start.AddMinutes(5));
        clock.Advance(TimeSpan.FromHours(1));

        TokenValidationResult result = await handler.ValidateTokenAsync(token, new TokenValidationParameters());

        Assert.False(result.IsValid);
        var expired = Assert.IsType<SecurityTokenExpiredException>(result.Exception);
        Assert.Equal(Start.AddMinutes(5).UtcDateTime, expired.Expires);
        Assert.Equal("The token has expired ('exp').", expired.Message);
    }

    [Fact]
    public async Task NotYetValidToken_CarriesNotBefore()
    {
        using var idp = new TestIdentityProvider(new FakeTimeProvider(Start));
        var handler = new PortkeyTokenHandler(idp.CreateValidator());

        TokenValidationResult result = await handler.ValidateTokenAsync(idp.Mint(notBefore: Start.AddHours(1)), new TokenValidationParameters());

        Assert.Equal(Start.AddHours(1).UtcDateTime, Assert.IsType<SecurityTokenNotYetValidException>(result.Exception).NotBefore);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-token")]
    [InlineData("a.b.c")]
    [InlineData("Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln")]
    [InlineData("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")]
    public async Task BadToken_IsAResult_NeverAThrow(string token)
    {
        using var idp = new TestIdentityProvider();
        var handler = new PortkeyTokenHandler(idp.CreateValidator());

        TokenValidationResult result = await handler.ValidateTokenAsync(token, new TokenValidationParameters());

        Assert.False(result.IsValid);
        Assert.IsAssignableFrom<Exception>(result.Exception);
        Assert.DoesNotContain(token.Length > 0 ? token : "\u0000", result.Exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForgedToken_IsInvalidSignature()
    {
        using var idp = new TestIdentityProvider();
        using var attacker = new TestIdentityProvider(); // also signs as key-1
        var handler = new PortkeyTokenHandler(idp.CreateValidator());

        TokenValidationResult result = await handler.ValidateTokenAsync(attacker.Mint(), new TokenValidationParameters());

        Assert.IsType<SecurityTokenInvalidSignatureException>(result.Exception);
    }

    [Fact]
    public async Task TokenWithoutAGloballyRequiredScope_IsInvalid_ButPerEndpointScopesAreNotChecked()
    {
        using var idp = new TestIdentityProvider();
        var lenient = new PortkeyTokenHandler(idp.CreateValidator());
        var strict = new PortkeyTokenHandler(idp.CreateValidator(o => o.RequiredScopes = ["completions.write"]));
        string token = idp.Mint(scopes: ["logs.view"]);

        Assert.True((await lenient.ValidateTokenAsync(token, new TokenValidationParameters())).IsValid);
        Assert.IsType<SecurityTokenValidationException>((await strict.ValidateTokenAsync(token, new TokenValidationParameters())).Exception);
    }

    [Fact]
    public async Task ValidationParameters_AreNotRead()
    {
        using var idp = new TestIdentityProvider();
        var handler = new PortkeyTokenHandler(idp.CreateValidator());
        var contrary = new TokenValidationParameters { ValidIssuer = "https://other.example", ValidAudience = "other", ValidateLifetime = true };

        Assert.True((await handler.ValidateTokenAsync(idp.Mint(), contrary)).IsValid);
        Assert.True((await handler.ValidateTokenAsync(idp.Mint(), validationParameters: null)).IsValid);
    }

    [Fact]
    public async Task ValidateTokenAsync_OfAJsonWebToken_ValidatesItsEncodedToken()
    {
        using var idp = new TestIdentityProvider();
        var handler = new PortkeyTokenHandler(idp.CreateValidator());
        string token = idp.Mint();

        Assert.True((await handler.ValidateTokenAsync(handler.ReadToken(token), new TokenValidationParameters())).IsValid);
    }

    [Fact]
    public async Task ValidateTokenAsync_Cancelled_EndsCancelled()
    {
        using var idp = new TestIdentityProvider();
        var handler = new PortkeyTokenHandler(idp.CreateValidator());

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => handler.ValidateTokenAsync(idp.Mint(), new CancellationToken(canceled: true)));
    }

    [Fact]
    public async Task Misuse_Throws()
    {
        using var idp = new TestIdentityProvider();
        var handler = new PortkeyTokenHandler(idp.CreateValidator());

        Assert.Throws<ArgumentNullException>(() => new PortkeyTokenHandler(null!));
        await Assert.ThrowsAsync<ArgumentNullException>(() => handler.ValidateTokenAsync((string)null!, new TokenValidationParameters()));
        Assert.Throws<ArgumentNullException>(() => PortkeyTokenHandler.GetPortkeyPrincipal(null!));
        Assert.Throws<SecurityTokenMalformedException>(() => handler.ReadToken("not-a-token"));
    }

    [Fact]
    public void GetPortkeyPrincipal_OfAnotherIdentity_IsNull()
    {
        Assert.Null(PortkeyTokenHandler.GetPortkeyPrincipal(new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "x")], "Other"))));
    }

    /// <summary>Everything an app reads from an identity: its types and each claim's type, value, value type and issuer, in order.</summary>
    internal static string[] Describe(ClaimsIdentity identity) =>
    [
        $"auth={identity.AuthenticationType} name={identity.NameClaimType} role={identity.RoleClaimType}",
        .. identity.Claims.Select(c => $"{c.Type}|{c.Value}|{c.ValueType}|{c.Issuer}"),
    ];
}
