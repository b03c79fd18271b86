using Microsoft.Extensions.Time.Testing;
using static PortkeyJwt.Tests.Support.RuleKit;
using static PortkeyJwt.Tests.Trust.Trust;

namespace PortkeyJwt.Tests.Trust;

/// <summary>Trust rule 4: no cache entry made under one anchor can serve another.</summary>
public sealed class CacheIsolationTests
{
    [Fact]
    public void ValidatedTokenCache_SameTokenUnderAnotherAnchorSet_IsJudgedByThatSet()
    {
        string token = Token(KeyA, IssuerA, "org-a");
        using TrustAnchorSet allowing = Set(anchors: [Anchor(IssuerA, [KeyA], "org-a")]);
        using TrustAnchorSet refusing = Set(anchors: [Anchor(IssuerA, [KeyA], "org-other")]);

        AssertValid(allowing.Validator.ValidateNow(token));
        AssertValid(allowing.Validator.ValidateNow(token)); // now from the cache

        AssertRejected(PortkeyJwtError.OrganisationNotAllowed, refusing.Validator.ValidateNow(token));
    }

    [Fact]
    public void ValidatedTokenCache_SameTokenUnderAnotherAnchorOfTheSameIssuer_IsJudgedByThatAnchorsKeys()
    {
        string token = Token(SharedKidA, IssuerA, "org-a");
        using TrustAnchorSet first = Set(anchors: [Anchor(IssuerA, [SharedKidA], "*")]);
        using TrustAnchorSet second = Set(anchors: [Anchor(IssuerA, [SharedKidB], "*")]);

        AssertValid(first.Validator.ValidateNow(token));
        AssertValid(first.Validator.ValidateNow(token));

        AssertRejected(PortkeyJwtError.InvalidSignature, second.Validator.ValidateNow(token));
    }

    [Fact]
    public void UnknownKidMemo_SameHeaderUnderAnotherAnchor_IsJudgedByThatAnchorsHeaderPolicy()
    {
        // Two tokens with the very same header segment (ES384, an unknown kid), one per issuer: A allows ES384, B does not.
        TestKey es384 = TestKey.Ec("gone", "ES384");
        string header = """{"alg":"ES384","typ":"JWT","kid":"gone"}""";
        string forA = es384.SignRaw(header, Tokens.Claims().With(("iss", IssuerA), ("portkey_oid", "org-a")).ToJsonString(), "ES384");
        string forB = es384.SignRaw(header, Tokens.Claims().With(("iss", IssuerB), ("portkey_oid", "org-b")).ToJsonString(), "ES384");
        Assert.Equal(Segment(forA, 0), Segment(forB, 0));
        TrustAnchor a = Anchor(IssuerA, [KeyA], "*");
        a.AllowedAlgorithms = ["ES256", "ES384"];
        using TrustAnchorSet trust = Set(anchors: [a, Anchor(IssuerB, [KeyB], "*")]);

        AssertRejected(PortkeyJwtError.UnknownKey, trust.Validator.ValidateNow(forA));
        AssertRejected(PortkeyJwtError.UnknownKey, trust.Validator.ValidateNow(forA)); // now remembered on this thread

        AssertRejected(PortkeyJwtError.UnsupportedAlgorithm, trust.Validator.ValidateNow(forB));
    }

    [Fact]
    public async Task UnknownKeyCache_KidProvenUnknownUnderA_IsStillFetchedForUnderB()
    {
        await using JwksServer serverA = await JwksServer.StartAsync(TestKey.Jwks(KeyA));
        await using JwksServer serverB = await JwksServer.StartAsync(TestKey.Jwks(KeyB));
        FakeTimeProvider clock = Tokens.Clock();
        using TrustAnchorSet trust = Set(clock, anchors: [RemoteAnchor(IssuerA, serverA, "*"), RemoteAnchor(IssuerB, serverB, "*")]);
        AssertValid(await trust.Validator.ValidateAsync(Token(KeyA, IssuerA)));
        AssertValid(await trust.Validator.ValidateAsync(Token(KeyB, IssuerB, "org-b")));
        clock.Advance(TimeSpan.FromMinutes(1)); // past both cooldowns

        TestKey rotated = SharedKidB; // B's IdP starts signing with a new kid
        serverB.Serve(TestKey.Jwks(KeyB, rotated));
        AssertRejected(PortkeyJwtError.UnknownKey, await trust.Validator.ValidateAsync(Token(rotated, IssuerA, "org-a")));
        Assert.Equal((2, 1), (serverA.RequestCount, serverB.RequestCount)); // A fetched, found nothing, and remembers the kid

        AssertValid(await trust.Validator.ValidateAsync(Token(rotated, IssuerB, "org-b")));
        Assert.Equal((2, 2), (serverA.RequestCount, serverB.RequestCount));
    }
}
