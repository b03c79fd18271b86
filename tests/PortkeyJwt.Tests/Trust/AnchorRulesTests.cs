using static PortkeyJwt.Tests.Support.RuleKit;
using static PortkeyJwt.Tests.Trust.Trust;

namespace PortkeyJwt.Tests.Trust;

/// <summary>An anchor's own audiences, algorithms, required scopes and scope claims, next to the global options.</summary>
public sealed class AnchorRulesTests
{
    private static TrustAnchorSet With(Action<TrustAnchor> configure, PortkeyJwtOptions? options = null)
    {
        TrustAnchor anchor = Anchor(IssuerA, [KeyA], "*");
        configure(anchor);
        return Set(options: options, anchors: [anchor, Anchor(IssuerB, [KeyB], "*")]);
    }

    private static PortkeyJwtResult ValidateA(TrustAnchorSet trust, params (string Name, JsonNode? Value)[] changes) =>
        trust.Validator.ValidateNow(Token(KeyA, IssuerA, "org-a", changes));

    private static PortkeyJwtResult ValidateB(TrustAnchorSet trust, params (string Name, JsonNode? Value)[] changes) =>
        trust.Validator.ValidateNow(Token(KeyB, IssuerB, "org-b", changes));

    [Fact]
    public void Audiences_OfAnAnchor_ReplaceTheGlobalOnes()
    {
        PortkeyJwtOptions options = Options();
        options.ValidAudiences = ["gateway"];
        using TrustAnchorSet trust = With(a => a.Audiences = ["gateway-a"], options);

        AssertValid(ValidateA(trust, ("aud", "gateway-a")));
        AssertRejected(PortkeyJwtError.InvalidAudience, ValidateA(trust, ("aud", "gateway")));
        AssertValid(ValidateB(trust, ("aud", "gateway")));
        AssertRejected(PortkeyJwtError.InvalidAudience, ValidateB(trust, ("aud", "gateway-a")));
    }

    [Fact]
    public void AllowedAlgorithms_OfAnAnchor_ReplaceTheGlobalOnes()
    {
        TestKey rsa = TestKey.Default;
        TrustAnchor a = Anchor(IssuerA, [rsa], "*");
        a.AllowedAlgorithms = ["RS256"];
        using TrustAnchorSet trust = Set(anchors: [a, Anchor(IssuerB, [KeyB], "*")]);

        AssertValid(trust.Validator.ValidateNow(Token(rsa, IssuerA)));
        AssertRejected(PortkeyJwtError.UnsupportedAlgorithm, trust.Validator.ValidateNow(Token(rsa, IssuerB)));
        AssertValid(ValidateB(trust));
    }

    [Fact]
    public void RequiredScopes_OfAnAnchor_AddToTheGlobalOnes()
    {
        PortkeyJwtOptions options = Options();
        options.RequiredScopes = ["completions.write"];
        using TrustAnchorSet trust = With(a => a.RequiredScopes = ["logs.view"], options);

        AssertValid(ValidateA(trust, ("scope", "completions.write logs.view")));
        AssertRejected(PortkeyJwtError.InsufficientScope, ValidateA(trust, ("scope", "completions.write")));
        AssertRejected(PortkeyJwtError.InsufficientScope, ValidateA(trust, ("scope", "logs.view")));
        AssertValid(ValidateB(trust, ("scope", "completions.write")));
    }

    [Theory]
    [InlineData("\"completions.write logs.view\"")]
    [InlineData("[\"completions.write\",\"logs.view\"]")]
    public void ScopeClaims_Scp_ReadsScopesFromScp_AsAStringOrAnArray(string rawScp)
    {
        using TrustAnchorSet trust = With(a => a.ScopeClaims = ["scp"]);
        string claims = Append(ClaimsWithRaw("scope", null).Replace("{", "{\"iss\":\"https://idp-a.example\",", StringComparison.Ordinal), $"\"scp\":{rawScp}");

        PortkeyPrincipal principal = AssertValid(trust.Validator.ValidateNow(TokenWithClaims(KeyA, claims)));

        Assert.Equal(["completions.write", "logs.view"], principal.Scopes);
    }

    [Fact]
    public void ScopeClaims_Scp_IgnoresScope_AndTheDetailNamesScp()
    {
        PortkeyJwtResult result = ValidateA(With(a => a.ScopeClaims = ["scp"]));

        AssertRejected(PortkeyJwtError.MissingClaim, result);
        Assert.Equal("The required claim 'scp' is missing.", result.Detail);
    }

    [Fact]
    public void ScopeClaims_InvalidValue_IsInvalidClaimNamingTheAnchorsClaims()
    {
        PortkeyJwtResult result = ValidateA(With(a => a.ScopeClaims = ["scp", "roles"]), ("roles", 42));

        AssertRejected(PortkeyJwtError.InvalidClaim, result);
        Assert.StartsWith("The claim 'scp' (or 'roles') has", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void ScopeClaims_TwoNames_TheFirstPresentWins()
    {
        using TrustAnchorSet trust = With(a => a.ScopeClaims = ["scp", "roles"]);

        Assert.Equal(["a"], AssertValid(ValidateA(trust, ("scp", "a"), ("roles", "b"))).Scopes);
        Assert.Equal(["b"], AssertValid(ValidateA(trust, ("roles", "b"))).Scopes);
    }

    [Fact]
    public void ScopeClaims_EscapedName_IsTheSameClaim()
    {
        using TrustAnchorSet trust = With(a => a.ScopeClaims = ["permissions"]);
        string claims = Append(ClaimsWithRaw("scope", null).Replace("{", "{\"iss\":\"https://idp-a.example\",", StringComparison.Ordinal), "\"perm\\u0069ssions\":\"x\"");

        Assert.Equal(["x"], AssertValid(trust.Validator.ValidateNow(TokenWithClaims(KeyA, claims))).Scopes);
    }
}
