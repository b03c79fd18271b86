using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using PortkeyJwt.Internal;
using PortkeyJwt.Tests.Keys;

namespace PortkeyJwt.Tests.Vectors;

/// <summary>
/// RFC 7520 ("JOSE cookbook") examples from Vectors/data/jose-cookbook (see its README.md). None of the 4.x
/// payloads is a JWT claims set, so the signatures are checked at the signature layer: the published public key goes
/// through the JWKS import policy, and <see cref="VerificationKey.Verify"/> checks <c>output.compact</c>.
/// </summary>
public sealed class JoseCookbookTests
{
    private static readonly string[] PrivateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

    /// <summary>Example file, the public key it verifies with, and the algorithm the README says it uses.</summary>
    public static TheoryData<string, string, string> Examples => new()
    {
        { "4_1.rsa_v15_signature.json", "3_3.rsa_public_key.json", "RS256" },
        { "4_2.rsa-pss_signature.json", "3_3.rsa_public_key.json", "PS384" },
        { "4_3.ecdsa_signature.json", "3_1.ec_public_key.json", "ES512" },
    };

    [Theory]
    [MemberData(nameof(Examples))]
    public void Rfc7520Signature_VerifiesWithPublishedPublicKey(string example, string publicKeyFile, string algorithmName)
    {
        using JsonDocument document = VectorFiles.Load("jose-cookbook", "jws", example);
        JsonElement root = document.RootElement;
        Assert.Equal(algorithmName, root.GetProperty("input").GetProperty("alg").GetString());

        string[] segments = root.GetProperty("output").GetProperty("compact").GetString()!.Split('.');
        Assert.Equal(3, segments.Length);
        Assert.All(segments, s => Assert.True(Base64UrlStrict.IsValid(Encoding.ASCII.GetBytes(s)), s));
        using (JsonDocument header = JsonDocument.Parse(Base64UrlStrict.DecodeToArray(segments[0])!))
        {
            Assert.Equal(algorithmName, header.RootElement.GetProperty("alg").GetString());
        }

        byte[] signingInput = Encoding.ASCII.GetBytes(segments[0] + "." + segments[1]);
        byte[] signature = Base64UrlStrict.DecodeToArray(segments[2])!;
        JwsAlgorithm algorithm = JwsAlgorithms.Parse(algorithmName.AsSpan());
        VerificationKey key = LoadPublicKey(publicKeyFile);

        Assert.True(key.IsUsableFor(algorithm, JwksParser.MinimumRsaKeySize));
        Assert.True(key.Verify(algorithm, signingInput, signature));

        // Controls, so a Verify that accepted anything would fail here: a flipped signature bit, a changed payload
        // byte, and the same signature checked under the neighbouring algorithm of the same family.
        byte[] tamperedSignature = [.. signature];
        tamperedSignature[^1] ^= 0x01;
        Assert.False(key.Verify(algorithm, signingInput, tamperedSignature));
        byte[] tamperedInput = [.. signingInput];
        tamperedInput[^1] ^= 0x01;
        Assert.False(key.Verify(algorithm, tamperedInput, signature));
        JwsAlgorithm sameFamilyOtherHash = algorithm is JwsAlgorithm.RS256 or JwsAlgorithm.PS256 or JwsAlgorithm.ES256 ? algorithm + 1 : algorithm - 1;
        Assert.False(key.Verify(sameFamilyOtherHash, signingInput, signature));
    }

    /// <summary>
    /// <c>input.key</c> in each example is the full key pair from the RFC. The policy must refuse it (a JWKS publishes
    /// public keys only), and the same JWK with its private members removed must load as the published public key.
    /// </summary>
    [Theory]
    [MemberData(nameof(Examples))]
    public void InputKeyWithPrivateMembers_IsSkippedByPolicy_AndLoadsOnceStripped(string example, string publicKeyFile, string algorithmName)
    {
        using JsonDocument document = VectorFiles.Load("jose-cookbook", "jws", example);
        Assert.Equal(algorithmName, document.RootElement.GetProperty("input").GetProperty("alg").GetString());
        JsonObject inputKey = JsonNode.Parse(document.RootElement.GetProperty("input").GetProperty("key").GetRawText())!.AsObject();
        string kid = inputKey["kid"]!.GetValue<string>();
        Assert.Contains("d", inputKey.Select(m => m.Key));

        var logger = new CapturingLogger();
        KeySetSnapshot? snapshot = JwksParser.Parse(
            Encoding.UTF8.GetBytes(TestKey.Jwks(inputKey)), JwksKeyProvider.MaxKeys, JwksParser.MinimumRsaKeySize, Tokens.Now, logger, out string? error);

        Assert.Null(snapshot);
        Assert.Contains("no key in the set is usable", error, StringComparison.Ordinal);
        CapturingLogger.Entry warning = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains($"'{kid}'", warning.Message, StringComparison.Ordinal);
        Assert.Contains("private key material", warning.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => JwksKeyProvider.FromJson(TestKey.Jwks(inputKey)));

        JsonObject stripped = inputKey.With([.. PrivateMembers.Select(m => (m, (JsonNode?)null))]);
        var strippedLogger = new CapturingLogger();
        VerificationKey? key = VectorFiles.ImportThroughPolicy(stripped, strippedLogger);
        Assert.True(key is not null, strippedLogger.ToString());
        Assert.Equal(LoadPublicKey(publicKeyFile).Material, key.Material);
    }

    /// <summary>
    /// RFC 7797 <c>{"alg":"HS256","b64":false,"crit":["b64"]}</c> with an unencoded payload. RFC 7797 §7 forbids
    /// <c>b64:false</c> in JWTs, and this validator never accepts HMAC, so the full validator must reject it. The
    /// payload segment (<c>This is the payload string!</c>) is not base64url, but the header is read before the payload,
    /// so the vector fails on its <c>alg</c> (<see cref="PortkeyJwtError.UnsupportedAlgorithm"/>), as does the same header
    /// over an encoded payload; a <c>crit</c> header that is otherwise acceptable fails on <c>crit</c>.
    /// </summary>
    [Fact]
    public async Task Rfc7797UnencodedPayload_IsRejectedByValidator()
    {
        using JsonDocument document = VectorFiles.Load("jose-cookbook", "rfc7797", "hmac-sha2_b64_false.json");
        string compact = document.RootElement.GetProperty("output").GetProperty("compact").GetString()!;
        string[] segments = compact.Split('.');
        PortkeyJwtValidator validator = Tokens.Validator();

        PortkeyJwtResult asPublished = await validator.ValidateAsync(compact);
        Assert.Equal(PortkeyJwtError.UnsupportedAlgorithm, asPublished.Error);

        string encodedPayload = $"{segments[0]}.{TestKey.B64(segments[1])}.{segments[2]}";
        PortkeyJwtResult hmac = await validator.ValidateAsync(encodedPayload);
        Assert.Equal(PortkeyJwtError.UnsupportedAlgorithm, hmac.Error);

        JsonObject critHeader = Tokens.Header(TestKey.Default).With(("b64", false), ("crit", new JsonArray("b64")));
        PortkeyJwtResult crit = await validator.ValidateAsync(Tokens.Mint(header: critHeader));
        Assert.Equal(PortkeyJwtError.UnsupportedHeader, crit.Error);
    }

    private static VerificationKey LoadPublicKey(string publicKeyFile)
    {
        JsonObject jwk = JsonNode.Parse(File.ReadAllText(VectorFiles.PathOf("jose-cookbook", "jwk", publicKeyFile)))!.AsObject();
        Assert.DoesNotContain(jwk, m => PrivateMembers.Contains(m.Key));
        var logger = new CapturingLogger();
        VerificationKey? key = VectorFiles.ImportThroughPolicy(jwk, logger);
        Assert.True(key is not null, logger.ToString());
        Assert.Empty(logger.Entries);
        return key;
    }
}
