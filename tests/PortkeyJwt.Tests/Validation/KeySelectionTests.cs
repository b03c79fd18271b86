using System.Text.Json;
using static PortkeyJwt.Tests.Support.RuleKit;

namespace PortkeyJwt.Tests.Validation;

/// <summary>Rule 3: the kid names exactly one key, and that key must fit the token's algorithm.</summary>
public sealed class KeySelectionTests
{
    [Theory]
    [InlineData("unknown")]
    [InlineData("TEST-RSA-2048")]
    [InlineData("Test-rsa-2048")]
    [InlineData("test-rsa-2048 ")]
    [InlineData(" test-rsa-2048")]
    [InlineData("test-rsa")]
    [InlineData("test-rsa-20480")]
    [InlineData("test-rsa-2048\u0000")]
    [InlineData("test\u2010rsa-2048")]
    public void Kid_NotOrdinallyEqualToALoadedKey_IsUnknownKey(string kid)
    {
        string token = Tokens.Mint(header: Tokens.Header(TestKey.Default).With(("kid", kid)));

        AssertRejected(PortkeyJwtError.UnknownKey, ValidateDefault(token));
    }

    [Theory]
    [InlineData("\"\\u0074est-rsa-2048\"")]
    [InlineData("\"test\\u002drsa\\u002d2048\"")]
    [InlineData("\"test-rsa-2048\\u0000\"")]
    public void Kid_Escaped_IsMatchedOnItsUnescapedValue(string rawKid)
    {
        string token = TestKey.Default.SignRaw(HeaderWithRaw("kid", rawKid), ClaimsJson());
        string unescaped = JsonSerializer.Deserialize<string>(rawKid)!;
        PortkeyJwtResult result = ValidateDefault(token);

        if (unescaped == TestKey.Default.Kid)
        {
            Assert.Equal(TestKey.Default.Kid, AssertValid(result).KeyId);
        }
        else
        {
            AssertRejected(PortkeyJwtError.UnknownKey, result);
        }
    }

    [Fact]
    public void Kid_LongerThanAnyLoadableKid_IsUnknownKey()
    {
        string token = Tokens.Mint(header: Tokens.Header(TestKey.Default).With(("kid", new string('k', 5000))));

        AssertRejected(PortkeyJwtError.UnknownKey, ValidateDefault(token));
    }

    [Fact]
    public void Kid_OfASecondLoadedKey_SelectsThatKey()
    {
        var validator = Tokens.Validator(null, null, TestKey.Default, SecondRsa);

        Assert.Equal(SecondRsa.Kid, AssertValid(validator.ValidateNow(Tokens.Mint(key: SecondRsa))).KeyId);
        Assert.Equal(TestKey.Default.Kid, AssertValid(validator.ValidateNow(Tokens.Mint())).KeyId);
    }

    [Fact]
    public void Rs256Token_NamingAnEcKey_IsUnknownKey()
    {
        var validator = Tokens.Validator(AllAlgorithms(), null, TestKey.Default, Ec256);
        string token = TestKey.Default.SignRaw(HeaderWithRaw("kid", $"\"{Ec256.Kid}\""), ClaimsJson());

        AssertRejected(PortkeyJwtError.UnknownKey, validator.ValidateNow(token));
    }

    [Fact]
    public void Es256Token_NamingAnRsaKey_IsUnknownKey()
    {
        var validator = Tokens.Validator(AllAlgorithms(), null, TestKey.Default, Ec256);
        string token = Ec256.SignRaw(Tokens.Header(Ec256).With(("kid", TestKey.Default.Kid)).ToJsonString(), ClaimsJson());

        AssertRejected(PortkeyJwtError.UnknownKey, validator.ValidateNow(token));
    }

    [Theory]
    [InlineData("ES384", "ES256")]
    [InlineData("ES512", "ES256")]
    [InlineData("ES256", "ES384")]
    [InlineData("ES256", "ES512")]
    public void EcToken_NamingAKeyOnAnotherCurve_IsUnknownKey(string tokenAlgorithm, string keyAlgorithm)
    {
        TestKey key = keyAlgorithm switch { "ES256" => Ec256, "ES384" => Ec384, _ => Ec521 };
        var validator = Tokens.Validator(AllAlgorithms(), null, key);
        string token = key.SignRaw(Tokens.Header(key, tokenAlgorithm).ToJsonString(), ClaimsJson());

        AssertRejected(PortkeyJwtError.UnknownKey, validator.ValidateNow(token));
    }

    [Fact]
    public void Token_WhoseAlgDiffersFromTheJwkAlg_IsUnknownKey()
    {
        var validator = ValidatorWithJwkAlg("RS384");

        AssertRejected(PortkeyJwtError.UnknownKey, validator.ValidateNow(Tokens.Mint()));
    }

    [Fact]
    public void Token_WhoseAlgEqualsTheJwkAlg_IsValid()
    {
        var validator = ValidatorWithJwkAlg("RS384");

        AssertValid(validator.ValidateNow(Tokens.Mint(header: Tokens.Header(TestKey.Default, "RS384"))));
    }

    [Fact]
    public void RsaKey_SmallerThanMinimumRsaKeySize_IsUnknownKey()
    {
        var validator = Tokens.Validator(new PortkeyJwtOptions { MinimumRsaKeySize = 3072 });

        AssertRejected(PortkeyJwtError.UnknownKey, validator.ValidateNow(Tokens.Mint()));
    }

    [Fact]
    public void RsaKey_AtMinimumRsaKeySize_IsValid()
    {
        var validator = Tokens.Validator(new PortkeyJwtOptions { MinimumRsaKeySize = 3072 }, null, TestKey.Default, Rsa3072);

        Assert.Equal(Rsa3072.Kid, AssertValid(validator.ValidateNow(Tokens.Mint(key: Rsa3072))).KeyId);
    }

    private static PortkeyJwtValidator ValidatorWithJwkAlg(string jwkAlgorithm)
    {
        JsonObject jwk = TestKey.Default.PublicJwk(new Dictionary<string, JsonNode?> { ["alg"] = jwkAlgorithm });
        return new PortkeyJwtValidator(
            JwksKeyProvider.FromJson(TestKey.Jwks(jwk)),
            new PortkeyJwtOptions { AllowedAlgorithms = ["RS256", "RS384"] },
            Tokens.Clock());
    }
}
