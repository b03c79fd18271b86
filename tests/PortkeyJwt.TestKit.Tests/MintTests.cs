namespace PortkeyJwt.TestKit.Tests;

/// <summary>What <see cref="TestIdentityProvider.Mint"/> writes, and that its validators accept it.</summary>
public sealed class MintTests
{
    [Theory]
    [InlineData("RS256")]
    [InlineData("ES256")]
    public async Task Mint_ValidatedByCreateValidator_RoundTripsTheClaims(string algorithm)
    {
        using var idp = new TestIdentityProvider(algorithm: algorithm);
        PortkeyJwtValidator validator = idp.CreateValidator();

        string token = idp.Mint(organisation: "org-1", workspace: "ws-1", scopes: ["completions.write", "logs.view"], email: "dev@example.test", subject: "user-1", uid: "u-1");
        PortkeyJwtResult result = await validator.ValidateAsync(token);

        Assert.True(result.IsValid, result.ToString());
        Assert.Equal("org-1", result.Principal.OrganisationId);
        Assert.Equal("ws-1", result.Principal.WorkspaceSlug);
        Assert.Equal(["completions.write", "logs.view"], result.Principal.Scopes);
        Assert.Equal("dev@example.test", result.Principal.Email);
        Assert.Equal("user-1", result.Principal.Subject);
        Assert.Equal("u-1", result.Principal.Uid);
        Assert.Equal(TestIdentityProvider.DefaultIssuer, result.Principal.Issuer);
        Assert.Equal("key-1", result.Principal.KeyId);
        Assert.Equal(algorithm, Payload.HeaderOf(token)["alg"]!.GetValue<string>());
    }

    [Fact]
    public async Task Mint_WithDefaults_IsValidForTheDefaultOrganisationWorkspaceAndScope()
    {
        using var idp = new TestIdentityProvider();

        PortkeyJwtResult result = await idp.CreateValidator().ValidateAsync(idp.Mint(), ["completions.write"]);

        Assert.True(result.IsValid, result.ToString());
        Assert.Equal($"{TestIdentityProvider.DefaultOrganisation}/{TestIdentityProvider.DefaultWorkspace}", $"{result.Principal.OrganisationId}/{result.Principal.WorkspaceSlug}");
        Assert.Equal([TestIdentityProvider.DefaultScope], result.Principal.Scopes);
        Assert.Null(result.Principal.UserId);
    }

    [Fact]
    public void Mint_WithExtraClaims_WritesThem_ReplacingAndRemovingStandardOnes()
    {
        using var idp = new TestIdentityProvider();

        string token = idp.Mint(claims: new JsonObject
        {
            ["tier"] = "gold",
            ["limits"] = new JsonObject { ["rpm"] = 600 },
            ["groups"] = new JsonArray("a", "b"),
            ["aud"] = "another-audience",
            ["nbf"] = null,
        });
        JsonObject payload = Payload.Of(token);

        Assert.Equal("gold", payload["tier"]!.GetValue<string>());
        Assert.Equal(600, payload["limits"]!["rpm"]!.GetValue<int>());
        Assert.Equal(2, payload["groups"]!.AsArray().Count);
        Assert.Equal("another-audience", payload["aud"]!.GetValue<string>());
        Assert.False(payload.ContainsKey("nbf"));
        Assert.True(payload.ContainsKey("iat"));
    }

    [Fact]
    public async Task Mint_WithExtraClaims_Validates_AndTheCapturedOnesReachThePrincipal()
    {
        using var idp = new TestIdentityProvider();

        PortkeyJwtValidator validator = idp.CreateValidator(options => options.CapturedClaims = ["tier"]);

        PortkeyJwtResult result = await validator.ValidateAsync(idp.Mint(claims: new JsonObject { ["tier"] = "gold", ["groups"] = new JsonArray("a", "b") }));

        Assert.True(result.IsValid, result.ToString());
        Assert.True(result.Principal.TryGetClaim("tier", out System.Text.Json.JsonElement tier));
        Assert.Equal("gold", tier.GetString());
        Assert.False(result.Principal.TryGetClaim("groups", out _)); // not captured by this validator
    }

    [Fact]
    public async Task Mint_WithoutTheAudience_IsRejectedAsInvalidAudience()
    {
        using var idp = new TestIdentityProvider();

        PortkeyJwtResult result = await idp.CreateValidator().ValidateAsync(idp.Mint(claims: new JsonObject { ["aud"] = null }));

        Assert.Equal(PortkeyJwtError.InvalidAudience, result.Error);
    }

    [Fact]
    public async Task Mint_WithNoScopes_HasNoScopeClaim_AndIsRejectedAsMissingClaim()
    {
        using var idp = new TestIdentityProvider();

        string token = idp.Mint(scopes: []);

        Assert.False(Payload.Of(token).ContainsKey("scope"));
        Assert.Equal(PortkeyJwtError.MissingClaim, (await idp.CreateValidator().ValidateAsync(token)).Error);
    }

    [Fact]
    public async Task CreateValidator_Configure_ChangesTheOptions()
    {
        using var idp = new TestIdentityProvider();
        PortkeyJwtValidator strict = idp.CreateValidator(options => options.RequiredScopes = ["admin.write"]);

        PortkeyJwtResult result = await strict.ValidateAsync(idp.Mint());

        Assert.Equal(PortkeyJwtError.InsufficientScope, result.Error);
    }

    [Fact]
    public void Mint_WithAnUnknownKeyId_Throws()
    {
        using var idp = new TestIdentityProvider();

        Assert.Throws<ArgumentException>(() => idp.Mint(keyId: "nope"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("two words")]
    public void Mint_WithABadScope_Throws(string scope)
    {
        using var idp = new TestIdentityProvider();

        Assert.Throws<ArgumentException>(() => idp.Mint(scopes: [scope]));
    }

    [Fact]
    public void Constructor_WithAnUnsupportedAlgorithm_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TestIdentityProvider(algorithm: "HS256"));
    }

    [Fact]
    public void Jwks_HoldsOnlyPublicKeyMaterial()
    {
        using var idp = new TestIdentityProvider();

        JsonObject key = JsonNode.Parse(idp.Jwks)!["keys"]![0]!.AsObject();

        Assert.Equal(["kty", "kid", "use", "alg", "n", "e"], key.Select(p => p.Key));
        Assert.Equal("key-1", key["kid"]!.GetValue<string>());
    }
}
