using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using PortkeyJwt.Internal;

namespace PortkeyJwt.Tests.Keys;

/// <summary>
/// The JWKS key-import policy. One unusable key is skipped with exactly one warning naming its <c>kid</c>, and never
/// costs the set its other keys; only a document that is not a usable JWKS as a whole makes <see cref="JwksKeyProvider.FromJson"/> throw.
/// </summary>
public sealed class JwksLoadingTests
{
    private const string BadKid = "bad-key";
    private const string NoKid = "(none)";
    private const string DupKid = "dup";

    private static readonly Lazy<RSAParameters> OtherRsa = new(() =>
    {
        using RSA rsa = RSA.Create(2048);
        return rsa.ExportParameters(false);
    });

    private static readonly Lazy<ECParameters> OtherEc = new(() =>
    {
        using ECDsa ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return ec.ExportParameters(false);
    });

    private static readonly Lazy<TestKey> DupRsa = new(() => TestKey.Rsa(DupKid));
    private static readonly Lazy<TestKey> DupEc = new(() => TestKey.Ec(DupKid));

    /// <summary>One row per rule: the bad JWK's JSON text, the kid its warning must name, and words from the reason.</summary>
    private static readonly Dictionary<string, SkipCase> SkipCases = new(StringComparer.Ordinal)
    {
        // A JWKS publishes public keys only.
        ["private member d"] = Skip(() => Rsa().With(("d", "AQAB")), "private key material ('d')"),
        ["private member p"] = Skip(() => Rsa().With(("p", "AQAB")), "private key material ('p')"),
        ["private member q"] = Skip(() => Rsa().With(("q", "AQAB")), "private key material ('q')"),
        ["private member dp"] = Skip(() => Rsa().With(("dp", "AQAB")), "private key material ('dp')"),
        ["private member dq"] = Skip(() => Rsa().With(("dq", "AQAB")), "private key material ('dq')"),
        ["private member qi"] = Skip(() => Rsa().With(("qi", "AQAB")), "private key material ('qi')"),
        ["private member k"] = Skip(() => Rsa().With(("k", "AQAB")), "private key material ('k')"),
        ["private member oth"] = Skip(() => Rsa().With(("oth", new JsonArray(new JsonObject { ["r"] = "AQAB", ["d"] = "AQAB", ["t"] = "AQAB" }))), "private key material ('oth')"),
        ["private member oth, empty"] = Skip(() => Rsa().With(("oth", new JsonArray())), "private key material ('oth')"),
        ["private member d, null"] = SkipRaw(() => RuleKit.Append(Rsa().ToJsonString(), "\"d\":null"), "private key material ('d')", BadKid), // present is enough
        ["private member d on EC"] = Skip(() => Ec().With(("d", TestKey.B64(new byte[32]))), "private key material ('d')"),
        ["private member k on EC"] = Skip(() => Ec().With(("k", "AQAB")), "private key material ('k')"),

        // Key types.
        ["kty oct"] = Skip(() => new JsonObject { ["kty"] = "oct", ["kid"] = BadKid }, "symmetric keys ('oct') are never accepted"),
        ["kty oct with k"] = Skip(() => new JsonObject { ["kty"] = "oct", ["kid"] = BadKid, ["k"] = "c2VjcmV0" }, "private key material ('k')"),
        ["kty OKP"] = Skip(() => new JsonObject { ["kty"] = "OKP", ["kid"] = BadKid, ["crv"] = "Ed25519", ["x"] = TestKey.B64(new byte[32]) }, "key type 'OKP' is not supported"),
        ["kty unknown"] = Skip(() => Rsa().With(("kty", "XYZ")), "key type 'XYZ' is not supported"),
        ["kty lower-case rsa"] = Skip(() => Rsa().With(("kty", "rsa")), "key type 'rsa' is not supported"),
        ["kty missing"] = Skip(() => Rsa().With(("kty", null)), "no 'kty' string"),
        ["kty not a string"] = Skip(() => Rsa().With(("kty", 1)), "no 'kty' string"),

        // kid: without one no token can name the key, so the warning cannot name it either.
        ["kid missing"] = Skip(() => Rsa().With(("kid", null)), "no 'kid' string of 1 to 256 characters", NoKid),
        ["kid empty"] = Skip(() => Rsa(kid: string.Empty), "no 'kid' string of 1 to 256 characters", NoKid),
        ["kid a number"] = Skip(() => Rsa().With(("kid", 7)), "no 'kid' string of 1 to 256 characters", NoKid),
        ["kid an array"] = Skip(() => Rsa().With(("kid", new JsonArray("a"))), "no 'kid' string of 1 to 256 characters", NoKid),
        ["kid of 257 characters"] = Skip(() => Rsa(kid: new string('k', 257)), "no 'kid' string of 1 to 256 characters", NoKid),

        // use, key_ops and alg must allow JWS verification with this key.
        ["use enc"] = Skip(() => Rsa().With(("use", "enc")), "'use' is not 'sig'"),
        ["use not a string"] = Skip(() => Rsa().With(("use", true)), "'use' is not 'sig'"),
        ["key_ops without verify"] = Skip(() => Rsa().With(("key_ops", new JsonArray("sign", "encrypt"))), "'key_ops' is not an array of strings containing 'verify'"),
        ["key_ops empty"] = Skip(() => Rsa().With(("key_ops", new JsonArray())), "'key_ops' is not an array of strings containing 'verify'"),
        ["key_ops a string"] = Skip(() => Rsa().With(("key_ops", "verify")), "'key_ops' is not an array of strings containing 'verify'"),
        ["key_ops with a non-string"] = Skip(() => Rsa().With(("key_ops", new JsonArray("verify", 1))), "'key_ops' is not an array of strings containing 'verify'"),
        ["alg HS256"] = Skip(() => Rsa().With(("alg", "HS256")), "'alg' is not a supported signature algorithm"),
        ["alg RSA-OAEP"] = Skip(() => Rsa().With(("alg", "RSA-OAEP")), "'alg' is not a supported signature algorithm"),
        ["alg none"] = Skip(() => Rsa().With(("alg", "none")), "'alg' is not a supported signature algorithm"),
        ["alg in lower case"] = Skip(() => Rsa().With(("alg", "rs256")), "'alg' is not a supported signature algorithm"),
        ["alg not a string"] = Skip(() => Rsa().With(("alg", 256)), "'alg' is not a supported signature algorithm"),
        ["alg ES256 on an RSA key"] = Skip(() => Rsa().With(("alg", "ES256")), "'alg' ES256 does not fit key type 'RSA'"),
        ["alg RS256 on an EC key"] = Skip(() => Ec().With(("alg", "RS256")), "'alg' RS256 does not fit key type 'EC'"),
        ["alg ES384 on a P-256 key"] = Skip(() => Ec().With(("alg", "ES384")), "'alg' ES384 does not fit curve P-256"),

        // RSA modulus: size, minimal encoding, parity.
        ["RSA 1024 bits"] = Skip(() => Rsa(n: Modulus(1024)), "modulus has 1024 bits"),
        ["RSA 2047 bits"] = Skip(() => Rsa(n: Modulus(2047)), "modulus has 2047 bits"),
        ["RSA 8193 bits"] = Skip(() => Rsa(n: Modulus(8193)), "modulus has 8193 bits"),
        ["RSA 16384 bits"] = Skip(() => Rsa(n: Modulus(16384)), "modulus has 16384 bits"),
        ["n with a leading zero octet"] = Skip(() => Rsa(n: [0, .. OtherRsa.Value.Modulus!]), "leading zero octet"),
        ["n even"] = Skip(() => Rsa(n: Even(OtherRsa.Value.Modulus!)), "modulus 'n' is even"),

        // RSA exponent: odd, 3 to 2^32-1, minimal encoding.
        ["e = 0"] = Skip(() => Rsa(e: "AA"), "public exponent 'e' is not an odd number"),
        ["e = 1"] = Skip(() => Rsa(e: "AQ"), "public exponent 'e' is not an odd number"),
        ["e = 2"] = Skip(() => Rsa(e: "Ag"), "public exponent 'e' is not an odd number"),
        ["e = 65536 (even)"] = Skip(() => Rsa(e: "AQAA"), "public exponent 'e' is not an odd number"),
        ["e = 0x00010001 (leading zero byte)"] = Skip(() => Rsa(e: "AAEAAQ"), "public exponent 'e' is not an odd number"),
        ["e of 5 bytes"] = Skip(() => Rsa(e: "AQAAAAE"), "public exponent 'e' is not an odd number"),

        // Strict base64url for n and e.
        ["n padded with '='"] = Skip(() => Rsa(nText: TestKey.B64(OtherRsa.Value.Modulus!) + "=="), "'n' and 'e' must be non-empty base64url strings"),
        ["n with '+'"] = Skip(() => Rsa(nText: Replace(TestKey.B64(OtherRsa.Value.Modulus!), 5, "+")), "'n' and 'e' must be non-empty base64url strings"),
        ["n with '/'"] = Skip(() => Rsa(nText: Replace(TestKey.B64(OtherRsa.Value.Modulus!), 5, "/")), "'n' and 'e' must be non-empty base64url strings"),
        ["n with a space"] = Skip(() => Rsa(nText: TestKey.B64(OtherRsa.Value.Modulus!).Insert(100, " ")), "'n' and 'e' must be non-empty base64url strings"),
        ["n with a line break"] = Skip(() => Rsa(nText: TestKey.B64(OtherRsa.Value.Modulus!).Insert(64, "\n")), "'n' and 'e' must be non-empty base64url strings"),
        ["n with a non-canonical tail"] = Skip(() => Rsa(nText: NonCanonicalTail(TestKey.B64(OtherRsa.Value.Modulus!))), "'n' and 'e' must be non-empty base64url strings"),
        ["n empty"] = Skip(() => Rsa(nText: string.Empty), "'n' and 'e' must be non-empty base64url strings"),
        ["n missing"] = Skip(() => Rsa().With(("n", null)), "'n' and 'e' must be non-empty base64url strings"),
        ["n a number"] = Skip(() => Rsa().With(("n", 65537)), "'n' and 'e' must be non-empty base64url strings"),
        ["e padded with '='"] = Skip(() => Rsa(e: "Aw=="), "'n' and 'e' must be non-empty base64url strings"),
        ["e with a non-canonical tail"] = Skip(() => Rsa(e: "Ax"), "'n' and 'e' must be non-empty base64url strings"),
        ["e with whitespace"] = Skip(() => Rsa(e: " AQAB"), "'n' and 'e' must be non-empty base64url strings"),

        // EC keys.
        ["crv P-192"] = Skip(() => Ec().With(("crv", "P-192")), "'crv' is not P-256, P-384 or P-521"),
        ["crv secp256k1"] = Skip(() => Ec().With(("crv", "secp256k1")), "'crv' is not P-256, P-384 or P-521"),
        ["crv missing"] = Skip(() => Ec().With(("crv", null)), "'crv' is not P-256, P-384 or P-521"),
        ["x of 31 bytes"] = Skip(() => Ec().With(("x", TestKey.B64(OtherEc.Value.Q.X![1..]))), "'x' and 'y' must be base64url strings of exactly 32 bytes"),
        ["x of 33 bytes (leading zero)"] = Skip(() => Ec().With(("x", TestKey.B64([0, .. OtherEc.Value.Q.X!]))), "'x' and 'y' must be base64url strings of exactly 32 bytes"),
        ["y of 33 bytes"] = Skip(() => Ec().With(("y", TestKey.B64([.. OtherEc.Value.Q.Y!, 0]))), "'x' and 'y' must be base64url strings of exactly 32 bytes"),
        ["y not base64url"] = Skip(() => Ec().With(("y", TestKey.B64(OtherEc.Value.Q.Y!) + "=")), "'x' and 'y' must be base64url strings of exactly 32 bytes"),
        ["point not on the curve"] = Skip(() => Ec().With(("y", TestKey.B64(FlipLastBit(OtherEc.Value.Q.Y!)))), "could not be imported"),

        // JSON shape of the array element. A duplicate member is found before the kid is read.
        ["duplicate member n"] = SkipRaw(() => DuplicateMember(Rsa(), "n", "\"AQAB\""), "member 'n' appears more than once", NoKid),
        ["duplicate member kid"] = SkipRaw(() => DuplicateMember(Rsa(), "kid", "\"other\""), "member 'kid' appears more than once", NoKid),
        ["element a number"] = SkipRaw(() => "42", "it is not a JSON object", NoKid),
        ["element a string"] = SkipRaw(() => "\"RSA\"", "it is not a JSON object", NoKid),
        ["element an array"] = SkipRaw(() => "[]", "it is not a JSON object", NoKid),
        ["element null"] = SkipRaw(() => "null", "it is not a JSON object", NoKid),
    };

    /// <summary>Keys at the edges of the policy that must load without a warning.</summary>
    private static readonly Dictionary<string, Func<JsonObject>> LoadCases = new(StringComparer.Ordinal)
    {
        ["RSA 2048 bits"] = () => Rsa(),
        ["RSA 8192 bits"] = () => Rsa(n: Modulus(8192)),
        ["e = 3"] = () => Rsa(e: "Aw"),
        ["e = 2^32-1"] = () => Rsa(e: "_____w"),
        ["kid of 256 characters"] = () => Rsa(kid: new string('k', 256)),
        ["kid of one character"] = () => Rsa(kid: "k"),
        ["kid with non-ASCII characters"] = () => Rsa(kid: "clé-ключ-🔑"),
        ["use sig"] = () => Rsa().With(("use", "sig")),
        ["key_ops [verify]"] = () => Rsa().With(("key_ops", new JsonArray("verify"))),
        ["key_ops [sign, verify]"] = () => Rsa().With(("key_ops", new JsonArray("sign", "verify"))),
        ["alg RS256"] = () => Rsa().With(("alg", "RS256")),
        ["alg PS512"] = () => Rsa().With(("alg", "PS512")),
        ["alg ES256 on P-256"] = () => Ec().With(("alg", "ES256")),
        ["P-384 with alg ES384"] = () => TestKey.Ec(BadKid, "ES384").PublicJwk().With(("alg", "ES384")),
        ["P-521 with alg ES512"] = () => TestKey.Ec(BadKid, "ES512").PublicJwk().With(("alg", "ES512")),
        ["unknown members ignored"] = () => Rsa().With(("x5t", "abc"), ("ext", new JsonObject { ["nested"] = new JsonArray(1, 2) })),
    };

    private static readonly Dictionary<string, DocumentCase> DocumentCases = new(StringComparer.Ordinal)
    {
        ["not JSON"] = new(() => "not json", "not a well-formed JSON object"),
        ["empty text"] = new(() => string.Empty, "not a well-formed JSON object"),
        ["JSON array root"] = new(() => $"[{GoodJwk}]", "not a well-formed JSON object"),
        ["JSON string root"] = new(() => "\"keys\"", "not a well-formed JSON object"),
        ["content after the object"] = new(() => $"{{\"keys\":[{GoodJwk}]}} {{}}", "not a well-formed JSON object"),
        ["trailing comma"] = new(() => $"{{\"keys\":[{GoodJwk},]}}", "not a well-formed JSON object"),
        ["nesting depth 17"] = new(() => NestedDocument(17), "not a well-formed JSON object"),
        ["no keys member"] = new(() => "{}", "no \"keys\" array"),
        ["keys in other case"] = new(() => $"{{\"Keys\":[{GoodJwk}]}}", "no \"keys\" array"),
        ["keys an object"] = new(() => $"{{\"keys\":{GoodJwk}}}", "no \"keys\" array"),
        ["keys null"] = new(() => "{\"keys\":null}", "no \"keys\" array"),
        ["two keys members"] = new(() => $"{{\"keys\":[{GoodJwk}],\"keys\":[{GoodJwk}]}}", "more than one \"keys\" member"),
        ["empty keys"] = new(() => "{\"keys\":[]}", "the \"keys\" array is empty"),
        ["only unusable keys"] = new(() => $"{{\"keys\":[{Rsa().With(("use", "enc")).ToJsonString()},{Rsa(n: Modulus(1024)).ToJsonString()}]}}", "no key in the set is usable"),
        ["only an ambiguous kid"] = new(() => TestKey.Jwks(DupRsa.Value, DupEc.Value), "no key in the set is usable"),
        ["101 keys"] = new(() => ManyKeys(JwksKeyProvider.MaxKeys + 1), $"holds 101 keys, more than the limit of {JwksKeyProvider.MaxKeys}"),
    };

    /// <summary>The rows in <see cref="AmbiguousKid_AllCopiesSkipped_OneWarning_OtherKeyValidates"/>: JWKs sharing the kid "dup".</summary>
    private static readonly Dictionary<string, Func<JsonNode[]>> AmbiguousCases = new(StringComparer.Ordinal)
    {
        ["two RSA keys"] = () => [DupRsa.Value.PublicJwk(), Rsa(kid: DupKid)],
        ["an RSA and an EC key"] = () => [DupRsa.Value.PublicJwk(), DupEc.Value.PublicJwk()],
        ["same RSA key, alg RS256 and PS256"] = () => [DupRsa.Value.PublicJwk().With(("alg", "RS256")), DupRsa.Value.PublicJwk().With(("alg", "PS256"))],
        ["same RSA key, with and without alg"] = () => [DupRsa.Value.PublicJwk(), DupRsa.Value.PublicJwk().With(("alg", "RS256"))],
        ["a third copy after the kid became ambiguous"] = () => [DupRsa.Value.PublicJwk(), DupEc.Value.PublicJwk(), DupRsa.Value.PublicJwk()],
    };

    public static TheoryData<string> SkipRules => new(SkipCases.Keys);

    public static TheoryData<string> LoadRules => new(LoadCases.Keys);

    public static TheoryData<string> DocumentRules => new(DocumentCases.Keys);

    public static TheoryData<string> AmbiguousRules => new(AmbiguousCases.Keys);

    private static string GoodJwk => TestKey.Default.PublicJwk().ToJsonString();

    [Theory]
    [MemberData(nameof(SkipRules))]
    public async Task BadKey_IsSkippedWithOneWarning_OtherKeyStillValidates(string rule)
    {
        SkipCase row = SkipCases[rule];
        var logger = new CapturingLogger();

        // The bad key comes first, so the good key after it shows that parsing carries on.
        JwksKeyProvider provider = JwksKeyProvider.FromJson($"{{\"keys\":[{row.Jwk()},{GoodJwk}]}}", logger);

        Assert.Equal([TestKey.Default.Kid], provider.KeyIds);
        CapturingLogger.Entry warning = Assert.Single(logger.Warnings);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains($"(kid '{row.LoggedKid}')", warning.Message, StringComparison.Ordinal);
        Assert.Contains(row.Reason, warning.Message, StringComparison.Ordinal);

        PortkeyJwtResult result = await new PortkeyJwtValidator(provider, null, Tokens.Clock()).ValidateAsync(Tokens.Mint());
        Assert.True(result.IsValid, result.ToString());
    }

    [Theory]
    [MemberData(nameof(LoadRules))]
    public void KeyWithinPolicy_IsLoadedWithoutWarning(string rule)
    {
        JsonObject jwk = LoadCases[rule]();
        var logger = new CapturingLogger();

        JwksKeyProvider provider = JwksKeyProvider.FromJson(TestKey.Jwks(jwk, TestKey.Default.PublicJwk()), logger);

        Assert.Empty(logger.Warnings);
        Assert.Contains(jwk["kid"]!.GetValue<string>(), provider.KeyIds);
        Assert.Equal(2, provider.KeyCount);
    }

    [Fact]
    public async Task EcKeyWithUseKeyOpsAndAlg_ValidatesItsToken()
    {
        TestKey ec = TestKey.Ec("ec-signer", "ES256");
        JsonObject jwk = ec.PublicJwk().With(("alg", "ES256"), ("key_ops", new JsonArray("verify")));
        JwksKeyProvider provider = JwksKeyProvider.FromJson(TestKey.Jwks(jwk));
        var validator = new PortkeyJwtValidator(provider, new PortkeyJwtOptions { AllowedAlgorithms = ["ES256"] }, Tokens.Clock());

        PortkeyJwtResult result = await validator.ValidateAsync(Tokens.Mint(key: ec));

        Assert.True(result.IsValid, result.ToString());
    }

    [Fact]
    public async Task IdenticalKeyTwiceUnderOneKid_LoadsOnce_WithoutWarning()
    {
        var logger = new CapturingLogger();

        JwksKeyProvider provider = JwksKeyProvider.FromJson(TestKey.Jwks(TestKey.Default, TestKey.Default), logger);

        Assert.Equal([TestKey.Default.Kid], provider.KeyIds);
        Assert.Empty(logger.Warnings);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Debug && e.Message.Contains($"'{TestKey.Default.Kid}'", StringComparison.Ordinal));
        PortkeyJwtResult result = await new PortkeyJwtValidator(provider, null, Tokens.Clock()).ValidateAsync(Tokens.Mint());
        Assert.True(result.IsValid, result.ToString());
    }

    [Theory]
    [MemberData(nameof(AmbiguousRules))]
    public async Task AmbiguousKid_AllCopiesSkipped_OneWarning_OtherKeyValidates(string rule)
    {
        var logger = new CapturingLogger();

        JwksKeyProvider provider = JwksKeyProvider.FromJson(TestKey.Jwks([.. AmbiguousCases[rule](), TestKey.Default.PublicJwk()]), logger);

        Assert.Equal([TestKey.Default.Kid], provider.KeyIds);
        CapturingLogger.Entry warning = Assert.Single(logger.Warnings);
        Assert.Contains($"kid '{DupKid}'", warning.Message, StringComparison.Ordinal);
        Assert.Contains("ambiguous", warning.Message, StringComparison.Ordinal);

        var validator = new PortkeyJwtValidator(provider, null, Tokens.Clock());
        Assert.Equal(PortkeyJwtError.UnknownKey, (await validator.ValidateAsync(Tokens.Mint(key: DupRsa.Value))).Error);
        PortkeyJwtResult good = await validator.ValidateAsync(Tokens.Mint());
        Assert.True(good.IsValid, good.ToString());
    }

    [Theory]
    [MemberData(nameof(DocumentRules))]
    public void UnusableDocument_FromJsonThrowsArgumentException(string rule)
    {
        DocumentCase row = DocumentCases[rule];
        string json = row.Json();

        Assert.Throws<ArgumentException>(() => JwksKeyProvider.FromJson(json, new CapturingLogger()));

        // The parser underneath reports why, without throwing.
        KeySetSnapshot? snapshot = Parse(json, new CapturingLogger(), out string? error);
        Assert.Null(snapshot);
        Assert.Contains(row.Error, error, StringComparison.Ordinal);
    }

    [Fact]
    public void HundredKeys_AtTheLimit_AllLoad()
    {
        var logger = new CapturingLogger();

        JwksKeyProvider provider = JwksKeyProvider.FromJson(ManyKeys(JwksKeyProvider.MaxKeys), logger);

        Assert.Equal(JwksKeyProvider.MaxKeys, provider.KeyCount);
        Assert.Empty(logger.Warnings);
    }

    [Fact]
    public void NestingDepth16_AtTheLimit_Loads()
    {
        var logger = new CapturingLogger();

        JwksKeyProvider provider = JwksKeyProvider.FromJson(NestedDocument(16), logger);

        Assert.Equal([TestKey.Default.Kid], provider.KeyIds);
        Assert.Empty(logger.Warnings);
    }

    /// <summary>Keys are imported once per set: every lookup returns the same imported key, which keeps verifying.</summary>
    [Fact]
    public void KeySet_ImportsEachKeyOnce_LookupsReturnTheSameInstance()
    {
        KeySetSnapshot snapshot = Parse(TestKey.Jwks(TestKey.Default), new CapturingLogger(), out _)!;
        byte[] signingInput = "header.payload"u8.ToArray();
        byte[] signature = TestKey.Default.Sign("RS256", signingInput);

        Assert.True(snapshot.TryGetKey(TestKey.Default.Kid, out VerificationKey first));
        for (int k = 0; k < 50; k++)
        {
            Assert.True(snapshot.TryGetKey(TestKey.Default.Kid, out VerificationKey again));
            Assert.Same(first, again);
            Assert.True(again.Verify(JwsAlgorithm.RS256, signingInput, signature));
        }
    }

    [Fact]
    public async Task ValidatingManyTokens_DoesNotReimportTheKey()
    {
        JwksKeyProvider provider = JwksKeyProvider.FromJson(TestKey.Jwks(TestKey.Default));
        var validator = new PortkeyJwtValidator(provider, null, Tokens.Clock());
        Assert.True(provider.Current!.TryGetKey(TestKey.Default.Kid, out VerificationKey before));

        for (int k = 0; k < 20; k++)
        {
            PortkeyJwtResult result = await validator.ValidateAsync(Tokens.Mint());
            Assert.True(result.IsValid, result.ToString());
        }

        Assert.True(provider.Current!.TryGetKey(TestKey.Default.Kid, out VerificationKey after));
        Assert.Same(before, after);
    }

    private static KeySetSnapshot? Parse(string json, ILogger logger, out string? error) =>
        JwksParser.Parse(Encoding.UTF8.GetBytes(json), JwksKeyProvider.MaxKeys, JwksParser.MinimumRsaKeySize, Tokens.Now, logger, out error);

    private static SkipCase Skip(Func<JsonObject> jwk, string reason, string loggedKid = BadKid) => new(() => jwk().ToJsonString(), reason, loggedKid);

    private static SkipCase SkipRaw(Func<string> jwk, string reason, string loggedKid) => new(jwk, reason, loggedKid);

    /// <summary>An RSA JWK under <paramref name="kid"/> from a fixed key pair, with <c>n</c> and <c>e</c> replaceable.</summary>
    private static JsonObject Rsa(byte[]? n = null, string? e = null, string kid = BadKid, string? nText = null) => new()
    {
        ["kty"] = "RSA",
        ["kid"] = kid,
        ["n"] = nText ?? TestKey.B64(n ?? OtherRsa.Value.Modulus!),
        ["e"] = e ?? TestKey.B64(OtherRsa.Value.Exponent!),
    };

    /// <summary>A P-256 JWK under the bad kid from a fixed key pair.</summary>
    private static JsonObject Ec() => new()
    {
        ["kty"] = "EC",
        ["kid"] = BadKid,
        ["crv"] = "P-256",
        ["x"] = TestKey.B64(OtherEc.Value.Q.X!),
        ["y"] = TestKey.B64(OtherEc.Value.Q.Y!),
    };

    /// <summary>An odd number of exactly <paramref name="bits"/> bits. The policy checks size before import, and import does not test primality.</summary>
    private static byte[] Modulus(int bits)
    {
        byte[] n = new byte[(bits + 7) / 8];
        new Random(bits).NextBytes(n);
        int topBit = (bits - 1) % 8;
        n[0] = (byte)((n[0] & ((1 << topBit) - 1)) | (1 << topBit));
        n[^1] |= 1;
        return n;
    }

    private static byte[] Even(byte[] n) => [.. n[..^1], (byte)(n[^1] & 0xFE)];

    private static byte[] FlipLastBit(byte[] value) => [.. value[..^1], (byte)(value[^1] ^ 1)];

    private static string Replace(string text, int index, string replacement) => text[..index] + replacement + text[(index + 1)..];

    /// <summary>The same bytes' encoding with a non-zero unused low bit in the last character, which strict decoding refuses.</summary>
    private static string NonCanonicalTail(string encoded)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        Assert.NotEqual(0, encoded.Length % 4);
        return encoded[..^1] + Alphabet[Alphabet.IndexOf(encoded[^1], StringComparison.Ordinal) | 1];
    }

    /// <summary>The JWK's JSON text with a second <paramref name="member"/> appended (a JsonObject cannot hold duplicates).</summary>
    private static string DuplicateMember(JsonObject jwk, string member, string valueJson) =>
        jwk.ToJsonString()[..^1] + $",\"{member}\":{valueJson}}}";

    /// <summary>The good key in a JWKS whose total nesting (root object included) is exactly <paramref name="depth"/>.</summary>
    private static string NestedDocument(int depth) =>
        $"{{\"keys\":[{GoodJwk}],\"deep\":{new string('[', depth - 1)}{new string(']', depth - 1)}}}";

    /// <summary><paramref name="count"/> copies of the good key under distinct kids.</summary>
    private static string ManyKeys(int count) =>
        TestKey.Jwks([.. Enumerable.Range(0, count).Select(k => (JsonNode)TestKey.Default.PublicJwk().With(("kid", $"key-{k}")))]);

    private sealed record SkipCase(Func<string> Jwk, string Reason, string LoggedKid);

    private sealed record DocumentCase(Func<string> Json, string Error);
}
