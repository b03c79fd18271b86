using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace PortkeyJwt.Fuzz;

/// <summary>
/// Writes the seed corpus (<c>corpus/tokens</c>, <c>corpus/signed</c>, <c>corpus/jwks</c>) and the harness's public JWKS.
/// Keys are generated afresh; only their public parts are written, so running it again replaces every signed seed.
/// </summary>
internal static class SeedCorpus
{
    private static readonly long Now = FixedClock.SeedTime.ToUnixTimeSeconds();

    /// <summary>A claim set valid at <see cref="FixedClock.SeedTime"/> under both option sets.</summary>
    public static JsonObject ValidClaims() => new()
    {
        ["iss"] = HarnessData.Issuer,
        ["aud"] = new JsonArray(HarnessData.Audience, "billing"),
        ["portkey_oid"] = "org-3f2a",
        ["portkey_workspace"] = "ws-default",
        ["scope"] = "completions.write logs.view portkey.admin",
        ["email_id"] = "dev@example.com",
        ["sub"] = "user-42",
        ["iat"] = Now,
        ["nbf"] = Now,
        ["exp"] = Now + 600,
    };

    /// <summary>Writes everything under <paramref name="fuzzDirectory"/> (the repository's <c>fuzz</c> directory).</summary>
    public static void Write(string fuzzDirectory)
    {
        SigningKeys keys = SigningKeys.Generate();
        string jwks = keys.PublicJwks();
        File.WriteAllText(Path.Combine(fuzzDirectory, "PortkeyJwt.Fuzz", "harness-jwks.json"), jwks + "\n");
        WriteAll(Path.Combine(fuzzDirectory, "corpus", "tokens"), Tokens(keys, jwks));
        WriteAll(Path.Combine(fuzzDirectory, "corpus", "signed"), Signed());
        WriteAll(Path.Combine(fuzzDirectory, "corpus", "jwks"), KeySets(keys, jwks));
    }

    private static void WriteAll(string directory, IEnumerable<(string Name, byte[] Content)> files)
    {
        Directory.CreateDirectory(directory);
        foreach (string old in Directory.GetFiles(directory))
        {
            File.Delete(old);
        }

        foreach ((string name, byte[] content) in files)
        {
            File.WriteAllBytes(Path.Combine(directory, name), content);
        }
    }

    private static IEnumerable<(string, byte[])> Tokens(SigningKeys keys, string jwks)
    {
        string claims = ValidClaims().ToJsonString();
        string Mint(string header, string? payload = null, string? algorithm = null)
        {
            string signingInput = B64(header) + "." + B64(payload ?? claims);
            byte[] signature = algorithm is null
                ? keys.Sign(Encoding.UTF8.GetBytes(header), Encoding.ASCII.GetBytes(signingInput))
                : keys.Sign(algorithm, Encoding.ASCII.GetBytes(signingInput));
            return signingInput + "." + B64(signature);
        }

        static string Header(string alg, string kid) => $$"""{"alg":"{{alg}}","typ":"JWT","kid":"{{kid}}"}""";
        static string Claims(params (string Name, JsonNode? Value)[] changes)
        {
            JsonObject c = ValidClaims();
            foreach ((string name, JsonNode? value) in changes)
            {
                if (value is null)
                {
                    c.Remove(name);
                }
                else
                {
                    c[name] = value;
                }
            }

            return c.ToJsonString();
        }

        string rs256 = Header("RS256", HarnessData.RsaKid);
        string valid = Mint(rs256);
        var seeds = new List<(string, string)>
        {
            // Valid under both option sets (the harness checks this at start-up).
            ("valid-rs256.jwt", valid),
            ("valid-ps512.jwt", Mint(Header("PS512", HarnessData.RsaKid))),
            ("valid-es256.jwt", Mint(Header("ES256", HarnessData.Ec256Kid))),
            ("valid-es384.jwt", Mint(Header("ES384", HarnessData.Ec384Kid))),
            ("valid-es512.jwt", Mint(Header("ES512", HarnessData.Ec521Kid))),
            ("valid-alias-claims.jwt", Mint(rs256, Claims(("portkey_oid", null), ("organisation_id", "org-9"), ("portkey_workspace", null), ("workspace_slug", "ws-9"), ("scope", null), ("scopes", new JsonArray("completions.write", "portkey.logs.view")), ("email_id", null), ("sub", null), ("uid", "u-1"), ("exp", Now + 600.25)))),
            ("valid-escaped-names.jwt", Mint("""{"alg":"RS\u0032\u0035\u0036","typ":"application/jwt","kid":"fuzz\u002drsa"}""", claims.Replace("\"exp\"", "\"\\u0065xp\"", StringComparison.Ordinal).Replace("\"scope\"", "\"sc\\u006fpe\"", StringComparison.Ordinal), "RS256")),
            ("valid-deep-64.jwt", Mint(rs256, claims.TrimEnd('}') + ",\"x\":" + new string('[', 63) + new string(']', 63) + "}")),
            ("valid-long.jwt", Mint(rs256, Claims(("scope", string.Join(' ', Enumerable.Range(0, 150).Select(i => $"scope.{i}")) + " completions.write logs.view"), ("email_id", new string('e', 300) + "@example.com")))),

            // Rejected before the signature.
            ("alg-none.jwt", B64("""{"alg":"none","typ":"JWT"}""") + "." + B64(claims) + "."),
            ("alg-none-kid.jwt", B64("""{"alg":"none","typ":"JWT","kid":"fuzz-rsa"}""") + "." + B64(claims) + "."),
            ("alg-hs256-key-confusion.jwt", HmacToken(jwks, claims)),
            ("alg-lowercase.jwt", Mint("""{"alg":"rs256","typ":"JWT","kid":"fuzz-rsa"}""", null, "RS256")),
            ("alg-number.jwt", Mint("""{"alg":256,"typ":"JWT","kid":"fuzz-rsa"}""", null, "RS256")),
            ("alg-duplicate.jwt", Mint("""{"alg":"RS256","alg":"ES256","typ":"JWT","kid":"fuzz-rsa"}""")),
            ("alg-key-mismatch.jwt", Mint(Header("ES256", HarnessData.RsaKid))),
            ("crit.jwt", Mint("""{"alg":"RS256","typ":"JWT","kid":"fuzz-rsa","crit":["exp"],"exp":1}""")),
            ("kid-missing.jwt", Mint("""{"alg":"RS256","typ":"JWT"}""")),
            ("kid-empty.jwt", Mint("""{"alg":"RS256","typ":"JWT","kid":""}""")),
            ("kid-number.jwt", Mint("""{"alg":"RS256","typ":"JWT","kid":7}""")),
            ("kid-unknown.jwt", Mint(Header("RS256", "someone-else"))),
            ("kid-long-escaped.jwt", Mint("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"" + string.Concat(Enumerable.Repeat("\\u0041", 300)) + "\"}")),
            ("jwk-embedded.jwt", Mint("""{"alg":"RS256","typ":"JWT","kid":"attacker","jwk":{"kty":"RSA","n":"AQAB","e":"AQAB"},"jku":"https://attacker.example/jwks"}""")),
            ("typ-wrong.jwt", Mint("""{"alg":"RS256","typ":"JOSE","kid":"fuzz-rsa"}""")),
            ("typ-missing.jwt", Mint("""{"alg":"RS256","kid":"fuzz-rsa"}""")),
            ("header-not-json.jwt", B64("not json") + "." + B64(claims) + ".c2ln"),
            ("header-array.jwt", B64("[\"RS256\"]") + "." + B64(claims) + ".c2ln"),
            ("header-bom.jwt", B64("\uFEFF" + rs256) + "." + B64(claims) + ".c2ln"),
            ("header-trailing.jwt", B64(rs256 + " x") + "." + B64(claims) + ".c2ln"),
            ("header-lone-surrogate.jwt", B64("""{"alg":"RS256","typ":"JWT","kid":"\ud800"}""") + "." + B64(claims) + ".c2ln"),
            ("header-deep-70.jwt", B64("{\"alg\":\"RS256\",\"x\":" + new string('[', 70) + new string(']', 70) + "}") + "." + B64(claims) + ".c2ln"),
            ("segments-two.jwt", valid[..valid.LastIndexOf('.')]),
            ("segments-four.jwt", valid + ".e30"),
            ("segments-empty-payload.jwt", valid[..valid.IndexOf('.')] + ".." + valid[(valid.LastIndexOf('.') + 1)..]),
            ("base64-padding.jwt", valid.Insert(valid.IndexOf('.'), "==")),
            ("base64-standard-alphabet.jwt", valid.Replace('-', '+').Replace('_', '/') + "+/"),
            ("base64-noncanonical-tail.jwt", NonCanonicalTail(valid)),
            ("base64-whitespace.jwt", valid.Insert(valid.IndexOf('.') + 5, " \n")),
            ("non-ascii.jwt", valid.Insert(10, "é")),

            // Rejected by the signature.
            ("signature-flipped.jwt", valid[..^3] + (valid[^3] == 'A' ? 'B' : 'A') + valid[^2..]),
            ("signature-truncated.jwt", valid[..^8]),
            ("signature-empty.jwt", valid[..(valid.LastIndexOf('.') + 1)]),
            ("signature-der-ecdsa.jwt", DerSignature(keys, Header("ES256", HarnessData.Ec256Kid), claims)),

            // Signed, rejected by the claim rules.
            ("payload-deep-70.jwt", Mint(rs256, "{\"x\":" + new string('[', 70) + new string(']', 70) + "}")),
            ("payload-not-json.jwt", Mint(rs256, "exp=1")),
            ("exp-expired.jwt", Mint(rs256, Claims(("exp", Now - 3600), ("iat", Now - 7200), ("nbf", Now - 7200)))),
            ("exp-missing.jwt", Mint(rs256, Claims(("exp", null)))),
            ("exp-string.jwt", Mint(rs256, Claims(("exp", "1780315800")))),
            ("exp-huge.jwt", Mint(rs256, claims.Replace($"\"exp\":{Now + 600}", "\"exp\":1e400", StringComparison.Ordinal))),
            ("exp-negative.jwt", Mint(rs256, Claims(("exp", -1)))),
            ("nbf-future.jwt", Mint(rs256, Claims(("nbf", Now + 3600)))),
            ("iat-future.jwt", Mint(rs256, Claims(("iat", Now + 3600)))),
            ("claim-duplicate.jwt", Mint(rs256, claims.TrimEnd('}') + ",\"portkey_oid\":\"org-2\"}")),
            ("org-missing.jwt", Mint(rs256, Claims(("portkey_oid", null)))),
            ("workspace-empty.jwt", Mint(rs256, Claims(("portkey_workspace", "")))),
            ("sub-control-char.jwt", Mint(rs256, Claims(("sub", "user\u0001")))),
            ("scope-invalid-char.jwt", Mint(rs256, Claims(("scope", "completions.write bad\"scope")))),
            ("scope-missing-required.jwt", Mint(rs256, Claims(("scope", "logs.view")))),
            ("aud-wrong.jwt", Mint(rs256, Claims(("aud", "someone-else")))),
            ("aud-number.jwt", Mint(rs256, Claims(("aud", 7)))),
            ("iss-wrong.jwt", Mint(rs256, Claims(("iss", "https://evil.example")))),
        };
        return seeds.Select(s => (s.Item1, Encoding.UTF8.GetBytes(s.Item2)));
    }

    private static IEnumerable<(string, byte[])> Signed()
    {
        string claims = ValidClaims().ToJsonString();
        static string With(params (string Name, JsonNode? Value)[] changes)
        {
            JsonObject c = ValidClaims();
            foreach ((string name, JsonNode? value) in changes)
            {
                if (value is null)
                {
                    c.Remove(name);
                }
                else
                {
                    c[name] = value;
                }
            }

            return c.ToJsonString();
        }

        static string WithHeader(string header, string payload) => header + "\0" + payload;

        var seeds = new List<(string, string)>
        {
            ("claims.json", claims),
            ("claims-pretty.json", ValidClaims().ToJsonString(new() { WriteIndented = true })),
            ("claims-alias.json", With(("portkey_oid", null), ("organisation_id", "org-9"), ("portkey_workspace", null), ("workspace_slug", "ws-9"), ("scope", null), ("scopes", new JsonArray("completions.write", "portkey.logs.view", "logs.view")), ("email_id", null), ("sub", null), ("uid", "u-1"))),
            ("claims-escaped.json", claims.Replace("\"exp\"", "\"\\u0065xp\"", StringComparison.Ordinal).Replace("org-3f2a", "org-\\u00e9\\ud83d\\ude00", StringComparison.Ordinal)),
            ("claims-exp-fraction.json", With(("exp", Now + 600.999), ("iat", Now - 0.5))),
            ("claims-exp-exponent.json", claims.Replace($"\"exp\":{Now + 600}", "\"exp\":1.7803158e9", StringComparison.Ordinal)),
            ("claims-times-boundary.json", With(("exp", 253402300799), ("nbf", 0), ("iat", 0))),
            ("claims-prefixed-scopes.json", With(("scope", "portkey.completions.write  portkey.portkey.logs.view logs.view logs.view"))),
            ("claims-aud-string.json", With(("aud", HarnessData.Audience))),
            ("claims-no-iss.json", With(("iss", null))),
            ("claims-user-only-uid.json", With(("email_id", null), ("sub", null), ("uid", "u-77"))),
            ("claims-deep-ignored.json", claims.TrimEnd('}') + ",\"x\":" + new string('[', 63) + new string(']', 63) + "}"),
            ("claims-duplicate.json", claims.TrimEnd('}') + ",\"scope\":\"a\"}"),
            ("claims-wrong-types.json", """{"exp":"soon","portkey_oid":1,"portkey_workspace":[],"scope":{},"aud":[1],"iss":null}"""),
            ("claims-empty.json", "{}"),
            ("header-rs256.bin", WithHeader("""{"alg":"RS256","typ":"JWT","kid":"fuzz-rsa"}""", claims)),
            ("header-ps384.bin", WithHeader("""{"alg":"PS384","typ":"at+jwt","kid":"fuzz-rsa"}""", claims)),
            ("header-es384.bin", WithHeader("""{"alg":"ES384","kid":"fuzz-ec384","typ":"application/JWT"}""", claims)),
            ("header-es512.bin", WithHeader("""{"kid":"fuzz-ec521","alg":"ES512","cty":"JWT","x5c":["AA"]}""", claims)),
            ("header-escaped.bin", WithHeader("""{"\u0061lg":"ES\u0032\u0035\u0036","typ":"JWT","kid":"fuzz-ec256"}""", claims)),
            ("header-crit.bin", WithHeader("""{"alg":"ES256","typ":"JWT","kid":"fuzz-ec256","crit":[]}""", claims)),
            ("header-duplicate-kid.bin", WithHeader("""{"alg":"ES256","typ":"JWT","kid":"fuzz-ec256","kid":"fuzz-rsa"}""", claims)),
        };
        return seeds.Select(s => (s.Item1, Encoding.UTF8.GetBytes(s.Item2)));
    }

    private static IEnumerable<(string, byte[])> KeySets(SigningKeys keys, string jwks)
    {
        RSAParameters rsa = keys.Rsa.ExportParameters(false);
        string n = B64(rsa.Modulus!);
        ECParameters ec = keys.Ec256.ExportParameters(false);
        string x = B64(ec.Q.X!);
        string y = B64(ec.Q.Y!);
        string goodEc = $$"""{"kty":"EC","kid":"ok","crv":"P-256","x":"{{x}}","y":"{{y}}"}""";
        using var small = RSA.Create(1024);
        string smallN = B64(small.ExportParameters(false).Modulus!);
        byte[] evenModulus = (byte[])rsa.Modulus!.Clone();
        evenModulus[^1] &= 0xFE;

        var seeds = new List<(string, string)>
        {
            ("harness.json", jwks),
            ("rsa-alg-key-ops.json", $$"""{"keys":[{"kty":"RSA","kid":"fuzz-rsa","use":"sig","alg":"RS256","key_ops":["verify"],"n":"{{n}}","e":"AQAB"}]}"""),
            ("ec-alg.json", $$"""{"keys":[{"kty":"EC","kid":"fuzz-ec256","alg":"ES256","crv":"P-256","x":"{{x}}","y":"{{y}}"}],"extra":{"ignored":[1,2,3]} }"""),
            ("duplicate-kid-same.json", $$"""{"keys":[{{goodEc}},{{goodEc}}]}"""),
            ("duplicate-kid-different.json", $$"""{"keys":[{{goodEc}},{"kty":"RSA","kid":"ok","n":"{{n}}","e":"AQAB"},{"kty":"EC","kid":"fuzz-ec256","crv":"P-256","x":"{{x}}","y":"{{y}}"}]}"""),
            ("rejected-keys-and-one-good.json", $$"""
                {"keys":[
                {"kty":"oct","kid":"h","k":"c2VjcmV0"},
                {"kty":"RSA","kid":"private","n":"{{n}}","e":"AQAB","d":"AQAB"},
                {"kty":"RSA","kid":"enc","use":"enc","n":"{{n}}","e":"AQAB"},
                {"kty":"RSA","kid":"sign-only","key_ops":["sign"],"n":"{{n}}","e":"AQAB"},
                {"kty":"EC","kid":"alg-mismatch","alg":"RS256","crv":"P-256","x":"{{x}}","y":"{{y}}"},
                {"kty":"EC","kid":"curve","crv":"P-192","x":"{{x}}","y":"{{y}}"},
                {"kty":"EC","kid":"off-curve","crv":"P-256","x":"{{x}}","y":"{{x}}"},
                {"kty":"RSA","kid":"small","n":"{{smallN}}","e":"AQAB"},
                {"kty":"RSA","kid":"even","n":"{{B64(evenModulus)}}","e":"AQAB"},
                {"kty":"RSA","kid":"zero","n":"AA{{n}}","e":"AQAB"},
                {"kty":"RSA","kid":"exponent","n":"{{n}}","e":"AQ"},
                {"kty":"RSA","kid":"padded","n":"{{n}}==","e":"AQAB"},
                {"kty":"RSA","kty":"EC","kid":"twice"},
                {"kid":7,"kty":"RSA"},
                "not a key",
                {{goodEc}}
                ]}
                """),
            ("no-usable-key.json", """{"keys":[{"kty":"oct","kid":"h","k":"c2VjcmV0"},{"kty":"OKP","kid":"ed","crv":"Ed25519","x":"AA"}]}"""),
            ("keys-empty.json", """{"keys":[]}"""),
            ("keys-missing.json", """{"key":[]}"""),
            ("keys-twice.json", $$"""{"keys":[],"keys":[{{goodEc}}]}"""),
            ("keys-not-array.json", $$"""{"keys":{{goodEc}}}"""),
            ("not-object.json", $$"""[{{goodEc}}]"""),
            ("too-many-keys.json", "{\"keys\":[" + string.Join(',', Enumerable.Repeat("{}", 101)) + "]}"),
            ("deep-17.json", "{\"keys\":[],\"x\":" + new string('[', 16) + new string(']', 16) + "}"),
            ("escaped.json", $$"""{"k\u0065ys":[{"kty":"E\u0043","kid":"\u00e9\ud83d\ude00","crv":"P-256","x":"{{x}}","y":"{{y}}"}]}"""),
        };
        return seeds.Select(s => (s.Item1, Encoding.UTF8.GetBytes(s.Item2)));
    }

    /// <summary>The RS/HS confusion attack: HS256 keyed with the server's public JWKS text.</summary>
    private static string HmacToken(string jwks, string claims)
    {
        string signingInput = B64("""{"alg":"HS256","typ":"JWT","kid":"fuzz-rsa"}""") + "." + B64(claims);
        byte[] mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(jwks), Encoding.ASCII.GetBytes(signingInput));
        return signingInput + "." + B64(mac);
    }

    /// <summary>An ES256 token whose signature is DER-encoded, as some libraries emit, instead of JWS's r‖s.</summary>
    private static string DerSignature(SigningKeys keys, string header, string claims)
    {
        string signingInput = B64(header) + "." + B64(claims);
        byte[] der = keys.Ec256.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        return signingInput + "." + B64(der);
    }

    /// <summary><paramref name="token"/> with its header's last character changed so the unused low bits are not zero.</summary>
    private static string NonCanonicalTail(string token)
    {
        int dot = token.IndexOf('.');
        string header = token[..dot];
        if (header.Length % 4 == 0)
        {
            header = B64(Base64Url.DecodeFromChars(header).Append((byte)' ').ToArray());
        }

        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        char last = header[^1];
        header = header[..^1] + Alphabet[Alphabet.IndexOf(last, StringComparison.Ordinal) | 1];
        return header + token[dot..];
    }

    private static string B64(byte[] bytes) => Base64Url.EncodeToString(bytes);

    private static string B64(string text) => B64(Encoding.UTF8.GetBytes(text));
}
