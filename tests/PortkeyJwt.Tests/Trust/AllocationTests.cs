using PortkeyJwt.Tests.Hardening;
using static PortkeyJwt.Tests.Support.RuleKit;
using static PortkeyJwt.Tests.Trust.Trust;

namespace PortkeyJwt.Tests.Trust;

/// <summary>
/// Routing adds no allocation to the paths the benchmark gate holds at 0 B. Runs alone: a meter or activity listener
/// another test attaches (they are process-wide) would make validations on this thread allocate.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class AllocationTests
{
    [Theory]
    [InlineData("cache-hit")]
    [InlineData("unknown-issuer")]
    [InlineData("bad-signature")]
    public void TrustAnchors_RepeatedValidation_AllocatesNothing(string path)
    {
        // RSA, as the benchmark gate measures: ECDSA verification allocates inside the platform's crypto.
        TestKey keyA = TestKey.Default, keyB = SecondRsa;
        using TrustAnchorSet trust = Set(
            options: new PortkeyJwtOptions(), anchors: [Anchor(IssuerA, [keyA], "org-a"), Anchor(IssuerB, [keyB], "org-b")]);
        PortkeyJwtValidator validator = trust.Validator;
        string valid = Token(keyA, IssuerA, "org-a");
        string token = path switch
        {
            "cache-hit" => valid,
            "unknown-issuer" => Token(keyA, "https://idp-c.example"),
            "bad-signature" => WithSignature(Token(keyA, IssuerA, "org-a", ("sub", "other")), SignatureBytes(valid)),
            _ => throw new ArgumentOutOfRangeException(nameof(path)),
        };
        _ = validator.ValidateNow(token); // fills anchor A's validated-token cache for the valid one

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            _ = validator.ValidateNow(token);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void TrustAnchors_OrganisationNotAllowed_AllocatesNoMoreThanAClaimRejectionOfASingleProviderValidator()
    {
        using TrustAnchorSet trust = Set(
            options: new PortkeyJwtOptions(), anchors: [Anchor(IssuerA, [TestKey.Default], "org-a"), Anchor(IssuerB, [SecondRsa], "org-b")]);
        PortkeyJwtValidator single = Tokens.Validator();

        long anchored = BytesPerValidation(trust.Validator, Token(SecondRsa, IssuerB, "org-a"));
        long today = BytesPerValidation(single, Tokens.Mint(Tokens.Claims().With(("portkey_workspace", null))));

        Assert.True(anchored <= today, $"{anchored} B per OrganisationNotAllowed, {today} B per MissingClaim without anchors.");
    }

    private static long BytesPerValidation(PortkeyJwtValidator validator, string token)
    {
        Assert.False(validator.ValidateNow(token).IsValid);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            _ = validator.ValidateNow(token);
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / 100;
    }
}
