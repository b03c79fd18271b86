using PortkeyJwt.Internal;

namespace PortkeyJwt.Tests.Keys;

/// <summary>
/// What a loaded key set says about its keys: each key's size, which keys a validator's policy can use (the health
/// check's "usable keys"), and the position a skipped key is reported at.
/// </summary>
public sealed class KeyFacts
{
    [Theory]
    [InlineData("ES256", 256)]
    [InlineData("ES384", 384)]
    [InlineData("ES512", 521)]
    public void EcKey_Loaded_HasItsCurvesSize(string algorithm, int bits)
    {
        TestKey key = algorithm switch { "ES256" => RuleKit.Ec256, "ES384" => RuleKit.Ec384, _ => RuleKit.Ec521 };
        using JwksKeyProvider keys = JwksKeyProvider.FromJson(TestKey.Jwks(key));

        Assert.True(keys.Current!.TryGetKey(key.Kid, out VerificationKey loaded));
        Assert.Equal(bits, loaded.KeySizeBits);
    }

    public static TheoryData<string[], int, int> UsableKeyRows => new()
    {
        { ["RS256"], 2048, 2 },                         // the RSA-2048 and RSA-3072 keys
        { ["RS256", "RS384", "PS256"], 2048, 2 },       // a key usable by several allowed algorithms counts once
        { ["ES256"], 2048, 1 },                         // the P-256 key only
        { ["ES384", "ES512"], 2048, 2 },                // the P-384 and P-521 keys
        { ["RS256", "ES256", "ES384", "ES512"], 2048, 5 },
        { ["RS256"], 3072, 1 },                         // the RSA-2048 key is too small for this policy
        { ["PS512"], 4096, 0 },
    };

    [Theory]
    [MemberData(nameof(UsableKeyRows))]
    public void CountUsableKeys_CountsTheKeysSomeAllowedAlgorithmMayUse(string[] algorithms, int minimumRsaBits, int usable)
    {
        using JwksKeyProvider keys = JwksKeyProvider.FromJson(TestKey.Jwks(TestKey.Default, RuleKit.Rsa3072, RuleKit.Ec256, RuleKit.Ec384, RuleKit.Ec521));
        var validator = new PortkeyJwtValidator(keys, new PortkeyJwtOptions { AllowedAlgorithms = algorithms, MinimumRsaKeySize = minimumRsaBits });

        Assert.Equal(usable, validator.CountUsableKeys(keys.Current!));
    }

    [Fact]
    public void SkippedKey_IsReportedByItsPositionInTheSet()
    {
        var logger = new CapturingLogger();
        string jwks = TestKey.Jwks(
            TestKey.Default.PublicJwk(),
            RuleKit.Ec256.PublicJwk(),
            JsonNode.Parse("""{"kty":"oct","kid":"hmac","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"}""")!);

        using JwksKeyProvider keys = JwksKeyProvider.FromJson(jwks, logger);

        CapturingLogger.Entry warning = Assert.Single(logger.Warnings);
        Assert.StartsWith("JWKS key #2 (kid 'hmac') skipped: ", warning.Message, StringComparison.Ordinal);
    }
}
