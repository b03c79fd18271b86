using static PortkeyJwt.Tests.Support.RuleKit;
using static PortkeyJwt.Tests.Trust.Trust;

namespace PortkeyJwt.Tests.Trust;

/// <summary>Trust rule 2: only the routed anchor's keys can verify a token (RFC 8725 §3.8); key ids are per anchor.</summary>
public sealed class KeyIsolationTests
{
    [Fact]
    public void SameKid_PublishedByTwoAnchorsForDifferentKeys_EachAnchorsTokensValidate()
    {
        using TrustAnchorSet trust = Set(anchors: [Anchor(IssuerA, [SharedKidA], "org-a"), Anchor(IssuerB, [SharedKidB], "org-b")]);

        AssertValid(trust.Validator.ValidateNow(Token(SharedKidA, IssuerA, "org-a")));
        AssertValid(trust.Validator.ValidateNow(Token(SharedKidB, IssuerB, "org-b")));
    }

    [Fact]
    public void TokenSignedByB_WithIssuerA_AndAKidAKnowsToo_IsInvalidSignature()
    {
        // Wildcard organisations: only the key rule stands between B's IdP and A's tokens.
        using TrustAnchorSet trust = Set(anchors: [Anchor(IssuerA, [SharedKidA], "*"), Anchor(IssuerB, [SharedKidB], "*")]);

        AssertRejected(PortkeyJwtError.InvalidSignature, trust.Validator.ValidateNow(Token(SharedKidB, IssuerA, "org-a")));
    }

    [Fact]
    public void TokenSignedByB_WithIssuerA_AndBsOwnKid_IsUnknownKey()
    {
        using TrustAnchorSet trust = Set(anchors: [Anchor(IssuerA, [KeyA], "*"), Anchor(IssuerB, [KeyB], "*")]);

        AssertRejected(PortkeyJwtError.UnknownKey, trust.Validator.ValidateNow(Token(KeyB, IssuerA, "org-a")));
    }

    [Fact]
    public async Task TokenSignedByB_WithIssuerA_FetchesOnlyFromA()
    {
        await using JwksServer serverA = await JwksServer.StartAsync(TestKey.Jwks(KeyA));
        await using JwksServer serverB = await JwksServer.StartAsync(TestKey.Jwks(KeyB));
        using TrustAnchorSet trust = Set(anchors: [RemoteAnchor(IssuerA, serverA, "*"), RemoteAnchor(IssuerB, serverB, "*")]);

        AssertRejected(PortkeyJwtError.UnknownKey, await trust.Validator.ValidateAsync(Token(KeyB, IssuerA, "org-a")));

        Assert.Equal((1, 0), (serverA.RequestCount, serverB.RequestCount));
    }
}
