namespace PortkeyJwt.Tests.Docs;

/// <summary>The "Claims beyond the Portkey ones" example does what its comments say.</summary>
public sealed class CapturedClaimsExampleTests
{
    [Fact]
    public async Task Example_ReadsCapturedClaimsRolesJtiAndAudiences()
    {
        var gateway = new TierAwareGateway(JwksKeyProvider.FromJson(TestKey.Jwks(TestKey.Default)), Tokens.Clock());
        string token = Tokens.Mint(Tokens.Claims().With(
            ("tier", "enterprise"), ("team", new JsonArray("ml", "infra")), ("roles", new JsonArray("admin")),
            ("jti", "id-7"), ("aud", new JsonArray("portkey-gateway", "billing"))));

        Assert.Equal("org-3f2a tier=enterprise teams=2 admin=True jti=id-7 aud=portkey-gateway,billing", await gateway.DescribeAsync(token));
    }

    [Fact]
    public async Task Example_WithoutTheClaims_FallsBack_AndAScopeNamedAdminIsNoRole()
    {
        var gateway = new TierAwareGateway(JwksKeyProvider.FromJson(TestKey.Jwks(TestKey.Default)), Tokens.Clock());

        Assert.Equal("org-3f2a tier=free teams=0 admin=False jti= aud=", await gateway.DescribeAsync(Tokens.Mint(Tokens.Claims().With(("scope", "admin")))));
    }

    [Fact]
    public async Task Example_OversizeCapturedClaim_Is401InvalidClaim()
    {
        var gateway = new TierAwareGateway(JwksKeyProvider.FromJson(TestKey.Jwks(TestKey.Default)), Tokens.Clock());

        Assert.Equal("401 InvalidClaim", await gateway.DescribeAsync(Tokens.Mint(Tokens.Claims().With(("team", new string('x', 5000))))));
    }
}
