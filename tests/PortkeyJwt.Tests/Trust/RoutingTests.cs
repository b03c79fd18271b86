using Microsoft.Extensions.Time.Testing;
using static PortkeyJwt.Tests.Support.RuleKit;
using static PortkeyJwt.Tests.Trust.Trust;

namespace PortkeyJwt.Tests.Trust;

/// <summary>Trust rule 1: a token is routed by its unverified iss to exactly one anchor, before any key lookup or fetch.</summary>
public sealed class RoutingTests
{
    [Fact]
    public void Token_IssuerOfEachAnchor_IsValidatedByThatAnchor()
    {
        using TrustAnchorSet trust = TwoProviders();

        PortkeyPrincipal a = AssertValid(trust.Validator.ValidateNow(Token(KeyA, IssuerA, "org-a")));
        PortkeyPrincipal b = AssertValid(trust.Validator.ValidateNow(Token(KeyB, IssuerB, "org-b")));

        Assert.Equal((IssuerA, "org-a"), (a.Issuer, a.OrganisationId));
        Assert.Equal((IssuerB, "org-b"), (b.Issuer, b.OrganisationId));
    }

    [Theory]
    [InlineData("https://idp-c.example")]
    [InlineData("https://IDP-A.example")]
    [InlineData("https://idp-a.example/")]
    [InlineData("https://idp-a.example ")]
    [InlineData("idp-a.example")]
    [InlineData("https://idp-a.example.attacker.example")]
    [InlineData("")]
    public async Task Token_IssuerNamingNoAnchor_IsUnknownIssuer_AndNothingIsFetched(string issuer)
    {
        await using JwksServer serverA = await JwksServer.StartAsync(TestKey.Jwks(KeyA));
        await using JwksServer serverB = await JwksServer.StartAsync(TestKey.Jwks(KeyB));
        using TrustAnchorSet trust = Set(anchors: [RemoteAnchor(IssuerA, serverA, "org-a"), RemoteAnchor(IssuerB, serverB, "org-b")]);

        PortkeyJwtResult result = Remote.Remote.ValidateNow(trust.Validator, Token(KeyA, issuer, "org-a"));

        AssertRejected(PortkeyJwtError.UnknownIssuer, result);
        Assert.Equal((0, 0), (serverA.RequestCount, serverB.RequestCount));
        Assert.Null(trust.KeysOf(IssuerA)); // no provider was even created
        Assert.Null(trust.KeysOf(IssuerB));
    }

    [Theory]
    [InlineData("\"https:\\/\\/idp-a.example\"", IssuerA)]
    [InlineData("\"\\u0068ttps://idp-b.example\"", IssuerB)]
    [InlineData("\"https://idp-\\u0061.example\"", IssuerA)]
    public void Token_EscapedIss_RoutesByItsUnescapedValue(string rawIss, string issuer)
    {
        using TrustAnchorSet trust = Set(anchors: [Anchor(IssuerA, [KeyA], "*"), Anchor(IssuerB, [KeyB], "*")]);
        TestKey key = issuer == IssuerA ? KeyA : KeyB;

        PortkeyPrincipal principal = AssertValid(trust.Validator.ValidateNow(TokenWithClaims(key, ClaimsWithRaw("iss", rawIss))));

        Assert.Equal(issuer, principal.Issuer);
    }

    [Fact]
    public void Token_EscapedIssNamingNoAnchor_IsUnknownIssuer() =>
        AssertRejected(PortkeyJwtError.UnknownIssuer, TwoProviders().Validator.ValidateNow(TokenWithClaims(KeyA, ClaimsWithRaw("iss", "\"https://idp-\\u0063.example\""))));

    [Theory]
    [InlineData("\"\\ud800\"")]
    [InlineData("\"https://idp-a.example\\udc00\"")]
    [InlineData("\"\\ud800\\u0041\"")]
    [InlineData("\"\\u0000\"")]
    [InlineData("\"\\x41\"")]
    [InlineData("\"https://idp-a.example\u0000\"")]
    public void Token_HostileIss_IsRejected_WithoutThrowing(string rawIss)
    {
        PortkeyJwtResult result = TwoProviders().Validator.ValidateNow(TokenWithClaims(KeyA, ClaimsWithRaw("iss", rawIss)));

        Assert.Contains(result.Error, new[] { PortkeyJwtError.Malformed, PortkeyJwtError.UnknownIssuer });
    }

    [Theory]
    [InlineData(1025, false)]
    [InlineData(700, true)]
    public void Token_VeryLongIss_IsUnknownIssuer(int length, bool escaped)
    {
        string iss = escaped ? string.Concat(Enumerable.Repeat("\\u0061", length)) : new string('a', length);

        AssertRejected(PortkeyJwtError.UnknownIssuer, TwoProviders().Validator.ValidateNow(TokenWithClaims(KeyA, ClaimsWithRaw("iss", $"\"{iss}\""))));
    }

    [Fact]
    public void Token_WithoutIss_IsMissingClaim() =>
        AssertRejected(PortkeyJwtError.MissingClaim, TwoProviders().Validator.ValidateNow(Token(KeyA, issuer: null)));

    [Theory]
    [InlineData("42")]
    [InlineData("null")]
    [InlineData("[\"https://idp-a.example\"]")]
    [InlineData("{}")]
    public void Token_WithNonStringIss_IsInvalidClaim(string rawIss) =>
        AssertRejected(PortkeyJwtError.InvalidClaim, TwoProviders().Validator.ValidateNow(TokenWithClaims(KeyA, ClaimsWithRaw("iss", rawIss))));

    [Theory]
    [InlineData("\"iss\":\"https://idp-a.example\"")]
    [InlineData("\"iss\":\"https://idp-b.example\"")]
    [InlineData("\"\\u0069ss\":\"https://idp-b.example\"")]
    public void Token_WithIssTwice_IsMalformed(string secondIss)
    {
        string claims = Append(ClaimsWithRaw("iss", "\"https://idp-a.example\""), secondIss);

        AssertRejected(PortkeyJwtError.Malformed, TwoProviders().Validator.ValidateNow(TokenWithClaims(KeyA, claims)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("abc.def")]
    [InlineData("a.b.c.d")]
    [InlineData("eyJ.!!!.sig")]
    [InlineData("eyJhbGciOiJFUzI1NiJ9.bm90IGpzb24.c2ln")]
    public void Token_WhosePayloadCannotBeRead_IsMalformed_BeforeAnyRouting(string token) =>
        AssertRejected(PortkeyJwtError.Malformed, TwoProviders().Validator.ValidateNow(token));

    [Fact]
    public void Token_LongerThanMaxTokenLength_IsTokenTooLarge_BeforeDecoding()
    {
        PortkeyJwtOptions options = Options();
        options.MaxTokenLength = 256;
        using TrustAnchorSet trust = Set(options: options, anchors: [Anchor(IssuerA, [KeyA], "*")]);

        AssertRejected(PortkeyJwtError.TokenTooLarge, trust.Validator.ValidateNow(new string('a', 257)));
    }

    [Fact]
    public void Token_RejectedWhileRouting_NeverEchoesTheToken()
    {
        string token = Token(KeyA, "https://idp-c.example");

        PortkeyJwtResult result = TwoProviders().Validator.ValidateNow(token);

        Assert.DoesNotContain(Segment(token, 1), result.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("idp-c", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Route_ValidAndRejected_AllocatesNothing()
    {
        using TrustAnchorSet trust = TwoProviders();
        PortkeyJwtValidator validator = trust.Validator;
        string unknown = Token(KeyA, "https://idp-c.example");
        string escaped = TokenWithClaims(KeyA, ClaimsWithRaw("iss", "\"https:\\/\\/idp-a.example\""));
        _ = validator.ValidateNow(unknown);
        _ = validator.ValidateNow(escaped); // creates nothing lazily: fixed sets are loaded when the set is built

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            _ = trust.Router.Route(unknown, out _);
            _ = trust.Router.Route(escaped, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public async Task SingleProviderValidator_IsUnchanged_ItDoesNotRoute()
    {
        // Today's constructor means one anchor: no iss is required and any iss is accepted when ValidIssuers is empty.
        FakeTimeProvider clock = Tokens.Clock();
        var validator = new PortkeyJwtValidator(JwksKeyProvider.FromJson(TestKey.Jwks(KeyA)), Options(), clock);

        AssertValid(await validator.ValidateAsync(Token(KeyA, issuer: null)));
        AssertValid(await validator.ValidateAsync(Token(KeyA, "https://idp-c.example")));
    }
}
