namespace PortkeyJwt.TestKit.Tests;

/// <summary><see cref="TestIdentityProvider.PrincipalAsync"/>: a principal as validation makes it, without handling a token.</summary>
public sealed class PrincipalTests
{
    [Fact]
    public async Task PrincipalAsync_HasTheGivenIdentityAndScopes()
    {
        using var idp = new TestIdentityProvider();

        PortkeyPrincipal caller = await idp.PrincipalAsync(organisation: "org-1", workspace: "ws-1", scopes: ["completions.write", "portkey.logs.view"], email: "dev@example.test");

        Assert.Equal("org-1", caller.OrganisationId);
        Assert.Equal("ws-1", caller.WorkspaceSlug);
        Assert.Equal(["completions.write", "logs.view"], caller.Scopes); // normalised, as validation does
        Assert.True(caller.HasScope("logs.view"));
        Assert.Equal("dev@example.test", caller.UserId);
        Assert.Equal("key-1", caller.KeyId);
    }

    [Fact]
    public async Task PrincipalAsync_WithExtraClaims_CapturesThem()
    {
        using var idp = new TestIdentityProvider();

        PortkeyPrincipal caller = await idp.PrincipalAsync(claims: new JsonObject { ["tier"] = "gold", ["limits"] = new JsonObject { ["rpm"] = 600 }, ["jti"] = "id-1" });

        Assert.True(caller.TryGetClaim("tier", out System.Text.Json.JsonElement tier));
        Assert.Equal("gold", tier.GetString());
        Assert.True(caller.TryGetClaim("limits", out System.Text.Json.JsonElement limits));
        Assert.Equal(600, limits.GetProperty("rpm").GetInt32());
        Assert.Equal("id-1", caller.JwtId);
        Assert.Equal([TestIdentityProvider.DefaultAudience], caller.Audiences);
    }

    [Fact]
    public async Task PrincipalAsync_FollowsTheInjectedClock()
    {
        var start = new DateTimeOffset(2031, 5, 1, 8, 0, 0, TimeSpan.Zero);
        using var idp = new TestIdentityProvider(new FakeTimeProvider(start));

        PortkeyPrincipal caller = await idp.PrincipalAsync();

        Assert.Equal(start, caller.IssuedAt);
        Assert.Equal(start + TestIdentityProvider.DefaultLifetime, caller.ExpiresAt);
    }

    [Fact]
    public async Task PrincipalAsync_WithClaimsPortkeyJwtRejects_ThrowsNamingTheError()
    {
        using var idp = new TestIdentityProvider();

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => idp.PrincipalAsync(claims: new JsonObject { ["portkey_workspace"] = null }));

        Assert.Contains(nameof(PortkeyJwtError.MissingClaim), thrown.Message, StringComparison.Ordinal);
    }
}
