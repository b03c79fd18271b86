using static PortkeyJwt.Tests.Support.RuleKit;
using static PortkeyJwt.Tests.Trust.Trust;

namespace PortkeyJwt.Tests.Trust;

/// <summary>
/// Trust rule 1 when <c>iss</c> is the payload's first claim, as most identity providers write it: the router reads it
/// from the payload's first characters only (the prefix way), and must route exactly as the full pass does, reject
/// an issuer naming no anchor, and leave every other rule to the anchor's validator.
/// </summary>
public sealed class IssFirstRoutingTests
{
    [Theory]
    [InlineData(IssuerA)]
    [InlineData(IssuerB)]
    public void Token_IssFirst_IsValidatedByItsAnchor(string issuer)
    {
        using TrustAnchorSet trust = Set(anchors: [Anchor(IssuerA, [KeyA], "*"), Anchor(IssuerB, [KeyB], "*")]);

        PortkeyPrincipal principal = AssertValid(trust.Validator.ValidateNow(TokenWithClaims(issuer == IssuerA ? KeyA : KeyB, IssFirst($"\"{issuer}\""))));

        Assert.Equal(issuer, principal.Issuer);
    }

    [Theory]
    [InlineData("https://idp-c.example")]
    [InlineData("https://idp-a.example/")]
    [InlineData("https://idp-a.exampl")]
    [InlineData("")]
    [InlineData("https://idp-a.example.attacker.example.with.a.value.longer.than.any.anchor")]
    public async Task Token_IssFirstNamingNoAnchor_IsUnknownIssuer_AndNothingIsFetched(string issuer)
    {
        await using JwksServer serverA = await JwksServer.StartAsync(TestKey.Jwks(KeyA));
        using TrustAnchorSet trust = Set(anchors: [RemoteAnchor(IssuerA, serverA, "*")]);

        PortkeyJwtResult result = Remote.Remote.ValidateNow(trust.Validator, TokenWithClaims(KeyA, IssFirst($"\"{issuer}\"")));

        AssertRejected(PortkeyJwtError.UnknownIssuer, result);
        Assert.Equal(0, serverA.RequestCount);
        Assert.Null(trust.KeysOf(IssuerA));
    }

    [Theory]
    [InlineData("\"iss\":\"https://idp-a.example\"")]
    [InlineData("\"iss\":\"https://idp-b.example\"")]
    [InlineData("\"\\u0069ss\":\"https://idp-b.example\"")]
    public void Token_IssFirstAndAgain_IsMalformed(string secondIss) =>
        AssertRejected(PortkeyJwtError.Malformed, TwoProviders().Validator.ValidateNow(TokenWithClaims(KeyA, Append(IssFirst($"\"{IssuerA}\""), secondIss))));

    [Theory]
    [InlineData("{\"iss\":\"https://idp-a.example\",")]
    [InlineData("{\"iss\":\"https://idp-a.example\"}]")]
    [InlineData("{\"iss\":\"https://idp-a.example\"")]
    public void Token_IssFirstNamingAnAnchor_WhosePayloadIsNotJson_IsMalformed(string payload) =>
        AssertRejected(PortkeyJwtError.Malformed, TwoProviders().Validator.ValidateNow(TokenWithClaims(KeyA, payload)));

    [Theory]
    [InlineData("\"https:\\/\\/idp-a.example\"", IssuerA)]
    [InlineData("\"https://idp-\\u0062.example\"", IssuerB)]
    public void Token_IssFirstEscaped_RoutesByItsUnescapedValue(string rawIss, string issuer)
    {
        using TrustAnchorSet trust = Set(anchors: [Anchor(IssuerA, [KeyA], "*"), Anchor(IssuerB, [KeyB], "*")]);

        PortkeyPrincipal principal = AssertValid(trust.Validator.ValidateNow(TokenWithClaims(issuer == IssuerA ? KeyA : KeyB, IssFirst(rawIss))));

        Assert.Equal(issuer, principal.Issuer);
    }

    [Fact]
    public void Token_IssFirstSignedByAnotherAnchorsKey_IsRejected() =>
        Assert.False(TwoProviders().Validator.ValidateNow(TokenWithClaims(KeyB, IssFirst($"\"{IssuerA}\""))).IsValid);

    [Fact]
    public void Route_IssFirst_AllocatesNothing()
    {
        using TrustAnchorSet trust = TwoProviders();
        string known = TokenWithClaims(KeyA, IssFirst($"\"{IssuerA}\""));
        string unknown = TokenWithClaims(KeyA, IssFirst("\"https://idp-c.example\""));
        _ = trust.Router.Route(known, out _);

        int routed = 0;
        int rejected = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            routed += trust.Router.Route(known, out PortkeyJwtValidator? target) is null && target is not null ? 1 : 0;
            rejected += trust.Router.Route(unknown, out _)?.Error == PortkeyJwtError.UnknownIssuer ? 1 : 0;
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal((100, 100), (routed, rejected));
    }

    /// <summary>The default claims with <c>iss</c> (raw JSON) as the first member and organisation org-a.</summary>
    private static string IssFirst(string rawIss) => "{\"iss\":" + rawIss + "," + ClaimsWithRaw("portkey_oid", "\"org-a\"")[1..];
}
