using System.Text;
using static PortkeyJwt.Tests.Support.RuleKit;

namespace PortkeyJwt.Tests.Validation;

/// <summary>
/// Rules at their exact edges that the mutation run (tests/mutation.sh) found unchecked: a member three times, limits
/// at their exact value, an empty header segment, and the JWS-only entry point used by external test suites.
/// </summary>
public sealed class EdgeRuleTests
{
    [Fact]
    public void Claim_ThreeTimes_IsMalformed() =>
        AssertRejectedBy(Failures.DuplicateClaim, ValidateDefault(TestKey.Default.SignRaw(HeaderJson(), Append(ClaimsJson(), "\"sub\":\"a\",\"sub\":\"b\""))), "sub three times");

    [Fact]
    public void HeaderParameter_ThreeTimes_IsMalformed() =>
        AssertRejectedBy(Failures.DuplicateHeader, ValidateDefault(TestKey.Default.SignRaw(Append(HeaderJson(), "\"typ\":\"JWT\",\"typ\":\"JWT\""), ClaimsJson())), "typ three times");

    [Fact]
    public void Token_WithAnEmptyHeaderSegment_IsNotThreeSegments() =>
        AssertRejectedBy(Failures.NotThreeSegments, ValidateDefault("." + TestKey.B64("{}") + "." + TestKey.B64(new byte[256])), "empty header");

    [Fact]
    public void Identifier_OfExactly1024Bytes_IsValid_AndOneMoreIsInvalid()
    {
        PortkeyPrincipal principal = AssertValid(ValidateDefault(Tokens.Mint(Tokens.Claims().With(("portkey_oid", new string('o', 1024))))));

        Assert.Equal(1024, principal.OrganisationId.Length);
        AssertRejectedBy(Failures.Invalid(Failures.Claim.Organisation), ValidateDefault(Tokens.Mint(Tokens.Claims().With(("portkey_oid", new string('o', 1025))))), "1025 bytes");
    }

    [Fact]
    public void Kid_OfTheLongestRawLength_EveryCharacterEscaped_FindsItsKey()
    {
        // 256 characters (the longest kid a key set holds), each written as a 6-byte \u escape: 1536 raw bytes, the limit.
        TestKey key = TestKey.Rsa(new string('A', 256));
        string header = RuleKit.WithRaw(HeaderJson(key), "kid", "\"" + string.Concat(Enumerable.Repeat("\\u0041", 256)) + "\"");
        var validator = Tokens.Validator(null, null, key);

        AssertValid(validator.ValidateNow(key.SignRaw(header, ClaimsJson())));
    }

    [Fact]
    public void KeyOps_NamingVerifyTwice_StillAllowsVerification()
    {
        JsonObject jwk = TestKey.Default.PublicJwk(new Dictionary<string, JsonNode?> { ["key_ops"] = new JsonArray("verify", "verify") });

        JwksKeyProvider provider = JwksKeyProvider.FromJson(TestKey.Jwks(jwk));

        Assert.Equal([TestKey.Default.Kid], provider.KeyIds);
    }

    [Fact]
    public void VerifyJws_ChecksSizeStructureHeaderAndSignature_ButNoClaims()
    {
        string notJson = TestKey.Default.SignRaw(HeaderJson(), "not a claim set " + new string('x', 3000));
        var validator = Tokens.Validator(new PortkeyJwtOptions { MaxTokenLength = notJson.Length }); // exactly at the limit

        Assert.Throws<ArgumentNullException>(() => validator.VerifyJws(null!));
        Assert.Equal(PortkeyJwtError.Malformed, validator.VerifyJws(string.Empty));
        Assert.Equal(PortkeyJwtError.None, validator.VerifyJws(notJson)); // the payload is never read
        Assert.Equal(PortkeyJwtError.InvalidSignature, validator.VerifyJws(Impostor.SignRaw(HeaderJson(), "not a claim set " + new string('x', 3000))));
        Assert.Equal(PortkeyJwtError.TokenTooLarge, validator.VerifyJws(notJson + "A"));
    }
}
