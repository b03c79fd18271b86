using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using static PortkeyJwt.Tests.Support.RuleKit;

namespace PortkeyJwt.Tests.Validation;

/// <summary>Rule 2: the JOSE header's alg, typ, kid and crit, and header parameters that try to pick their own key.</summary>
public sealed class HeaderTests
{
    [Theory]
    [InlineData("lower case", "\"rs256\"")]
    [InlineData("trailing space", "\"RS256 \"")]
    [InlineData("leading space", "\" RS256\"")]
    [InlineData("none", "\"none\"")]
    [InlineData("None", "\"None\"")]
    [InlineData("NONE", "\"NONE\"")]
    [InlineData("HS256", "\"HS256\"")]
    [InlineData("HS384", "\"HS384\"")]
    [InlineData("HS512", "\"HS512\"")]
    [InlineData("unknown RS257", "\"RS257\"")]
    [InlineData("RS256 with NUL", "\"RS256\\u0000\"")]
    [InlineData("empty", "\"\"")]
    [InlineData("number", "256")]
    [InlineData("null", "null")]
    [InlineData("array", "[\"RS256\"]")]
    [InlineData("object", "{\"name\":\"RS256\"}")]
    [InlineData("missing", null)]
    public void Alg_NotExactlyAnAllowedAlgorithm_IsUnsupportedAlgorithm(string @case, string? rawAlg)
    {
        string header = HeaderWithRaw("alg", rawAlg);
        PortkeyJwtResult expected = rawAlg is null ? Failures.MissingAlgorithm : Failures.AlgorithmNotAllowed;

        // The header alone decides: an impostor's signature over the same header gets the same answer.
        AssertRejectedBy(expected, ValidateDefault(TestKey.Default.SignRaw(header, ClaimsJson(), "RS256")), @case);
        AssertRejectedBy(expected, ValidateDefault(Impostor.SignRaw(header, ClaimsJson(), "RS256")), @case);
    }

    [Theory]
    [InlineData("\"RS25\\u0036\"")]
    [InlineData("\"RS\\u0032\\u0035\\u0036\"")]
    [InlineData("\"\\u0052\\u0053\\u0032\\u0035\\u0036\"")]
    public void Alg_EscapedRS256_IsComparedUnescaped(string rawAlg) =>
        AssertValid(ValidateDefault(TestKey.Default.SignRaw(HeaderWithRaw("alg", rawAlg), ClaimsJson(), "RS256")));

    [Theory]
    [InlineData("PS256")]
    [InlineData("RS384")]
    [InlineData("RS512")]
    public void Alg_SupportedButNotOptedIn_IsUnsupportedAlgorithm(string algorithm)
    {
        string token = Tokens.Mint(header: Tokens.Header(TestKey.Default, algorithm));

        AssertRejected(PortkeyJwtError.UnsupportedAlgorithm, ValidateDefault(token));
    }

    [Fact]
    public void Alg_ES256WithDefaultOptions_IsUnsupportedAlgorithm()
    {
        var validator = Tokens.Validator(null, null, TestKey.Default, Ec256);

        AssertRejected(PortkeyJwtError.UnsupportedAlgorithm, validator.ValidateNow(Tokens.Mint(key: Ec256)));
    }

    [Theory]
    [InlineData("RS384")]
    [InlineData("RS512")]
    [InlineData("PS256")]
    [InlineData("PS384")]
    [InlineData("PS512")]
    public void Alg_OptedInRsaAlgorithm_IsValid(string algorithm)
    {
        var validator = Tokens.Validator(new PortkeyJwtOptions { AllowedAlgorithms = [algorithm] });

        AssertValid(validator.ValidateNow(Tokens.Mint(header: Tokens.Header(TestKey.Default, algorithm))));
    }

    [Theory]
    [InlineData("ES256")]
    [InlineData("ES384")]
    [InlineData("ES512")]
    public void Alg_OptedInEcAlgorithmWithMatchingCurve_IsValid(string algorithm)
    {
        TestKey key = algorithm switch { "ES256" => Ec256, "ES384" => Ec384, _ => Ec521 };
        var validator = Tokens.Validator(new PortkeyJwtOptions { AllowedAlgorithms = [algorithm] }, null, key);

        AssertValid(validator.ValidateNow(Tokens.Mint(key: key)));
    }

    [Theory]
    [InlineData("missing", null)]
    [InlineData("JWS", "\"JWS\"")]
    [InlineData("at+jwt", "\"at+jwt\"")]
    [InlineData("JWT with space", "\"JWT \"")]
    [InlineData("other prefix", "\"text/jwt\"")]
    [InlineData("prefix only", "\"application/\"")]
    [InlineData("empty", "\"\"")]
    [InlineData("number", "1")]
    [InlineData("null", "null")]
    [InlineData("array", "[\"JWT\"]")]
    [InlineData("escaped JWS", "\"JW\\u0053\"")]
    [InlineData("escaped other prefix", "\"text\\/jwt\"")]
    public void Typ_NotJwt_IsInvalidType(string @case, string? rawTyp)
    {
        string header = HeaderWithRaw("typ", rawTyp);
        PortkeyJwtResult expected = rawTyp is null or "1" or "null" or "[\"JWT\"]" ? Failures.MissingType : Failures.WrongType;

        AssertRejectedBy(expected, ValidateDefault(TestKey.Default.SignRaw(header, ClaimsJson())), @case);
        AssertRejectedBy(expected, ValidateDefault(Impostor.SignRaw(header, ClaimsJson())), @case);
    }

    [Theory]
    [InlineData("JWT")]
    [InlineData("jwt")]
    [InlineData("Jwt")]
    [InlineData("application/jwt")]
    [InlineData("APPLICATION/JWT")]
    [InlineData("application/JWT")]
    public void Typ_JwtInAnyCaseWithOptionalApplicationPrefix_IsValid(string typ) =>
        AssertValid(ValidateDefault(Tokens.Mint(header: Tokens.Header(TestKey.Default).With(("typ", typ)))));

    /// <summary>Escapes are legal JSON: an escaped <c>typ</c> is unescaped before the comparison.</summary>
    [Theory]
    [InlineData("\"\\u004aWT\"")]
    [InlineData("\"\\u006a\\u0077\\u0074\"")]
    [InlineData("\"application\\/jwt\"")]
    public void Typ_EscapedJwt_IsValid(string rawTyp) =>
        AssertValid(ValidateDefault(TestKey.Default.SignRaw(HeaderWithRaw("typ", rawTyp), ClaimsJson())));

    [Theory]
    [InlineData("at+jwt")]
    [InlineData("AT+JWT")]
    [InlineData("application/at+jwt")]
    public void Typ_MatchingConfiguredRequiredType_IsValid(string typ)
    {
        var validator = Tokens.Validator(new PortkeyJwtOptions { RequiredType = "at+jwt" });

        AssertValid(validator.ValidateNow(TestKey.Default.SignRaw(HeaderWithRaw("typ", $"\"{typ}\""), ClaimsJson())));
    }

    [Fact]
    public void Typ_JwtWhenAtJwtRequired_IsInvalidType()
    {
        var validator = Tokens.Validator(new PortkeyJwtOptions { RequiredType = "at+jwt" });

        AssertRejected(PortkeyJwtError.InvalidType, validator.ValidateNow(Tokens.Mint()));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("\"JWS\"")]
    [InlineData("42")]
    [InlineData("null")]
    public void Typ_WhenRequiredTypeIsNull_IsNotChecked(string? rawTyp)
    {
        var validator = Tokens.Validator(new PortkeyJwtOptions { RequiredType = null });

        AssertValid(validator.ValidateNow(TestKey.Default.SignRaw(HeaderWithRaw("typ", rawTyp), ClaimsJson())));
    }

    [Theory]
    [InlineData("missing", null)]
    [InlineData("empty", "\"\"")]
    [InlineData("number", "42")]
    [InlineData("null", "null")]
    [InlineData("bool", "true")]
    [InlineData("array", "[\"test-rsa-2048\"]")]
    [InlineData("object", "{\"kid\":\"test-rsa-2048\"}")]
    public void Kid_NotANonEmptyString_IsMissingKeyId(string @case, string? rawKid)
    {
        string header = HeaderWithRaw("kid", rawKid);

        // Found before any key is looked up: an impostor's signature gets the same answer.
        AssertRejectedBy(Failures.MissingKeyId, ValidateDefault(TestKey.Default.SignRaw(header, ClaimsJson())), @case);
        AssertRejectedBy(Failures.MissingKeyId, ValidateDefault(Impostor.SignRaw(header, ClaimsJson())), @case);
    }

    [Theory]
    [InlineData("[\"exp\"]")]
    [InlineData("[\"b64\"]")]
    [InlineData("[]")]
    [InlineData("\"exp\"")]
    [InlineData("null")]
    [InlineData("false")]
    public void Crit_Present_IsUnsupportedHeader(string rawCrit)
    {
        string token = TestKey.Default.SignRaw(Append(HeaderJson(), $"\"crit\":{rawCrit}"), ClaimsJson());

        AssertRejected(PortkeyJwtError.UnsupportedHeader, ValidateDefault(token));
    }

    [Fact]
    public void Crit_SpelledWithEscapes_IsUnsupportedHeader()
    {
        string token = TestKey.Default.SignRaw(Append(HeaderJson(), "\"\\u0063ri\\u0074\":[\"exp\"]"), ClaimsJson());

        AssertRejected(PortkeyJwtError.UnsupportedHeader, ValidateDefault(token));
    }

    [Fact]
    public void Kid_NameSpelledWithEscapes_IsTheKid()
    {
        string header = $"{{\"alg\":\"RS256\",\"typ\":\"JWT\",\"\\u006b\\u0069\\u0064\":\"{TestKey.Default.Kid}\"}}";

        AssertValid(ValidateDefault(TestKey.Default.SignRaw(header, ClaimsJson())));
    }

    [Theory]
    [InlineData("{\"alg\":\"none\",\"crit\":[\"exp\"],\"kid\":\"other\"}")]
    [InlineData("[{\"alg\":\"none\"},{\"typ\":\"x\",\"kid\":1}]")]
    public void NestedParameters_AreNotTheHeaders_AndAreIgnored(string rawValue)
    {
        string token = TestKey.Default.SignRaw(Append(HeaderJson(), $"\"ext\":{rawValue}"), ClaimsJson());

        AssertValid(ValidateDefault(token));
    }

    [Fact]
    public void Kid_OnlyInsideANestedObject_IsMissingKeyId()
    {
        string header = Append(HeaderWithRaw("kid", null), $"\"ext\":{{\"kid\":\"{TestKey.Default.Kid}\"}}");

        AssertRejected(PortkeyJwtError.MissingKeyId, ValidateDefault(TestKey.Default.SignRaw(header, ClaimsJson())));
    }

    [Theory]
    [InlineData("jwk")]
    [InlineData("jku")]
    [InlineData("x5u")]
    [InlineData("x5c")]
    public void EmbeddedKey_SignedByAttackerWithRealKid_IsInvalidSignature(string parameter)
    {
        // The attacker signs with their own key and points the header at it; the real key for the kid must be used.
        string header = Append(HeaderJson(), $"\"{parameter}\":{AttackerKeyReference(parameter)}");
        string token = Impostor.SignRaw(header, ClaimsJson());

        AssertRejected(PortkeyJwtError.InvalidSignature, ValidateDefault(token));
    }

    [Theory]
    [InlineData("jwk")]
    [InlineData("jku")]
    [InlineData("x5u")]
    [InlineData("x5c")]
    public void EmbeddedKey_SignedByAttackerWithUnknownKid_IsUnknownKey(string parameter)
    {
        string header = Append(HeaderWithRaw("kid", "\"attacker-key\""), $"\"{parameter}\":{AttackerKeyReference(parameter)}");
        string token = Impostor.SignRaw(header, ClaimsJson());

        AssertRejected(PortkeyJwtError.UnknownKey, ValidateDefault(token));
    }

    [Fact]
    public void EmbeddedKey_SignedByTheRealKey_IsIgnoredAndValid()
    {
        // The parameter itself is harmless: it is never read.
        string header = Append(HeaderJson(), $"\"jwk\":{AttackerKeyReference("jwk")}");

        AssertValid(ValidateDefault(TestKey.Default.SignRaw(header, ClaimsJson())));
    }

    [Theory]
    [InlineData("HS256", "jwk json")]
    [InlineData("HS256", "spki pem")]
    [InlineData("HS256", "spki der")]
    [InlineData("HS256", "modulus")]
    [InlineData("HS384", "jwk json")]
    [InlineData("HS512", "spki pem")]
    public void KeyConfusion_HmacKeyedWithTheRsaPublicKey_IsUnsupportedAlgorithm(string algorithm, string secretForm)
    {
        var rsa = (RSA)TestKey.Default.Key;
        byte[] secret = secretForm switch
        {
            "jwk json" => Encoding.UTF8.GetBytes(TestKey.Default.PublicJwk().ToJsonString()),
            "spki pem" => Encoding.ASCII.GetBytes(rsa.ExportSubjectPublicKeyInfoPem()),
            "spki der" => rsa.ExportSubjectPublicKeyInfo(),
            _ => rsa.ExportParameters(false).Modulus!,
        };
        string signingInput = TestKey.B64(HeaderWithRaw("alg", $"\"{algorithm}\"")) + "." + TestKey.B64(ClaimsJson());
        byte[] input = Encoding.ASCII.GetBytes(signingInput);
        byte[] mac = algorithm switch
        {
            "HS256" => HMACSHA256.HashData(secret, input),
            "HS384" => HMACSHA384.HashData(secret, input),
            _ => HMACSHA512.HashData(secret, input),
        };
        string token = signingInput + "." + TestKey.B64(mac);

        AssertRejected(PortkeyJwtError.UnsupportedAlgorithm, ValidateDefault(token));
        AssertRejected(PortkeyJwtError.UnsupportedAlgorithm, Tokens.Validator(AllAlgorithms()).ValidateNow(token));
    }

    [Theory]
    [InlineData("HS256")]
    [InlineData("hs256")]
    [InlineData("none")]
    public void KeyConfusion_OptionsTryingToAllowHmacOrNone_ThrowOnConstruction(string algorithm)
    {
        var options = new PortkeyJwtOptions { AllowedAlgorithms = ["RS256", algorithm] };

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Tokens.Validator(options));
        Assert.Equal(nameof(PortkeyJwtOptions.AllowedAlgorithms), error.ParamName);
    }

    [Fact]
    public void HeaderChecks_AlgBeforeCrit_UnsupportedAlgorithmWins()
    {
        string header = Append(HeaderWithRaw("alg", "\"none\""), "\"crit\":[\"exp\"]");

        AssertRejected(PortkeyJwtError.UnsupportedAlgorithm, ValidateDefault(TestKey.Default.SignRaw(header, ClaimsJson())));
    }

    private static string AttackerKeyReference(string parameter)
    {
        var attackerRsa = (RSA)Impostor.Key;
        return parameter switch
        {
            "jwk" => Impostor.PublicJwk().ToJsonString(),
            "x5c" => $"[\"{Convert.ToBase64String(SelfSigned(attackerRsa))}\"]",
            _ => "\"https://attacker.example/keys.json\"",
        };
    }

    private static byte[] SelfSigned(RSA key)
    {
        var request = new CertificateRequest("CN=attacker", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using X509Certificate2 certificate = request.CreateSelfSigned(Tokens.Now.AddDays(-1), Tokens.Now.AddDays(30));
        return certificate.Export(X509ContentType.Cert);
    }
}
