using Microsoft.Extensions.Logging.Abstractions;
using PortkeyJwt.Tests.Keys;
using Xunit.Abstractions;

namespace PortkeyJwt.Tests.Hardening;

/// <summary>
/// Project Wycheproof's <c>json_web_key_test.json</c> (26 JWK/JWKS cases) through <see cref="PortkeyJwtValidator.VerifyJws"/>
/// over a provider built from each group's public JWKS, with the same harness and override table as
/// <see cref="WycheproofJwsTests"/>. Most cases here test the key policy: a refused key set leaves no key to verify with.
/// </summary>
public sealed class WycheproofJwkTests(ITestOutputHelper output) : WycheproofFileTests(output, Wycheproof.JwkFile, cases: 26, labelledValid: 5)
{
    /// <summary>
    /// Each public key set the file marks bad is refused by the key policy as a whole (FromJson throws ArgumentException,
    /// one warning naming the reason); the one good set loads. The rows name the words of the reason.
    /// </summary>
    [Theory]
    [InlineData(3, null)]
    [InlineData(4, "'use' is not 'sig'")]
    [InlineData(5, "ROCA fingerprint")]
    [InlineData(6, "modulus has 1024 bits")]
    [InlineData(7, "public exponent 'e' is not an odd number")]
    [InlineData(17, "'alg' is not a supported signature algorithm")]
    [InlineData(18, "'alg' is not a supported signature algorithm")]
    [InlineData(19, "'use' is not 'sig'")]
    [InlineData(20, "could not be imported")]
    [InlineData(21, "'alg' ES256 does not fit curve P-384")]
    [InlineData(22, "'alg' ES256 does not fit key type 'RSA'")]
    public void PublicKeySet_IsLoadedOrRefusedByPolicy(int group, string? reason)
    {
        string jwks = Wycheproof.KeySetJson([.. Wycheproof.Cases(File).Where(c => c.Group == group)])!;
        var logger = new CapturingLogger();

        if (reason is null)
        {
            Assert.Equal(1, JwksKeyProvider.FromJson(jwks, logger).KeyCount);
            Assert.Empty(logger.Warnings);
            return;
        }

        Assert.Throws<ArgumentException>(() => JwksKeyProvider.FromJson(jwks, logger));
        CapturingLogger.Entry warning = Assert.Single(logger.Warnings);
        Assert.Contains(reason, warning.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// tcId 7: the ROCA key (CVE-2017-15361) signs a correct RS256 signature. The import policy refuses the key, so
    /// even next to a good key its token is UnknownKey; the good key keeps validating.
    /// </summary>
    [Fact]
    public async Task RocaKey_IsRefused_WhileTheOtherKeyKeepsValidating()
    {
        Wycheproof.Case roca = Wycheproof.Cases(File).Single(c => c.TcId == 7);
        JsonObject rocaJwk = JsonNode.Parse(Wycheproof.KeySetJson([roca])!)!["keys"]![0]!.AsObject();
        JwksKeyProvider provider = JwksKeyProvider.FromJson(TestKey.Jwks(rocaJwk, TestKey.Default.PublicJwk()), NullLogger.Instance);
        var validator = new PortkeyJwtValidator(provider, new PortkeyJwtOptions { RequiredType = null }, Tokens.Clock());

        Assert.Equal([TestKey.Default.Kid], provider.KeyIds);
        Assert.Equal(PortkeyJwtError.UnknownKey, validator.VerifyJws(roca.Jws));
        RuleKit.AssertValid(await validator.ValidateAsync(Tokens.Mint()));
    }
}
