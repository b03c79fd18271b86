using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using PortkeyJwt.Internal;
using PortkeyJwt.Tests.Keys;
using PortkeyJwt.Tests.Vectors;
using Xunit.Abstractions;

namespace PortkeyJwt.Tests.Hardening;

/// <summary>
/// Project Wycheproof's <c>json_web_signature_test.json</c> (401 compact JWS cases, see Vectors/data/wycheproof/README.md)
/// run through the JWS-level entry point <see cref="PortkeyJwtValidator.VerifyJws"/>: "valid" must give
/// <see cref="PortkeyJwtError.None"/>, "invalid" must not, except for the rows of <see cref="Wycheproof.Overrides"/>.
/// Then every "invalid" case through the full validator: still rejected, and never with a claim error.
/// </summary>
public sealed class WycheproofJwsTests(ITestOutputHelper output) : WycheproofFileTests(output, Wycheproof.JwsFile, cases: 401, labelledValid: 46)
{
    /// <summary>The kid decision in the override table rests on this inventory: only two headers lack a kid, both "alg":"none".</summary>
    [Fact]
    public void HeadersWithoutKid_AreExactlyTheAlgNoneCases()
    {
        int[] kidless = [.. Wycheproof.Cases(File).Where(c => c.Header is { } h && !h.TryGetProperty("kid", out _)).Select(c => c.TcId)];

        Assert.Equal([341, 342], kidless);
        Assert.All(kidless, tcId => Assert.Equal("invalid", Wycheproof.Cases(File).Single(c => c.TcId == tcId).Label));
    }
}

/// <summary>The Wycheproof JWS/JWK harness shared by <see cref="WycheproofJwsTests"/> and <see cref="WycheproofJwkTests"/>.</summary>
internal static class Wycheproof
{
    public const string JwsFile = "json_web_signature_test.json";
    public const string JwkFile = "json_web_key_test.json";

    /// <summary>Where a case's verdict comes from.</summary>
    public enum Route
    {
        /// <summary><see cref="PortkeyJwtValidator.VerifyJws"/> over a provider built from the group's public key(s).</summary>
        Validator,

        /// <summary>
        /// The header has no <c>kid</c>, so the validator can only answer <see cref="PortkeyJwtError.MissingKeyId"/> (or an
        /// earlier rejection): the verdict comes from the signature layer (each group key imported through policy,
        /// <see cref="VerificationKey.Verify"/> with the header's alg), and VerifyJws must reject with the pinned error.
        /// </summary>
        SignatureLayer,
    }

    /// <summary>
    /// THE override table: every case whose verdict differs from the file's label, or that takes another route, with
    /// the reason. Nothing here loosens a check; each row is a stricter or better-informed verdict, and
    /// <see cref="AssertOverridesMatchFile"/> keeps the table honest (each row names real cases carrying the stated label).
    /// <list type="table">
    /// <item>File label "valid" → rejected: HMAC groups (no public key; HMAC is never allowed, README quirk 5), the
    /// strict base64url quirk (372/373, README quirk 2), and the RFC 7520 groups whose key alg does not fit the token
    /// (README quirk 3).</item>
    /// <item>File label "valid" → rejected: the empty-payload cases, by our structure rule (stricter than RFC 7515).</item>
    /// <item>File label "invalid", truly valid (367/370, C2SP/wycheproof#236, byte-identical to 357): still rejected, as HS256.</item>
    /// <item>Kid: every header but two names the group key's kid, and every public key in both files has a kid, so no
    /// key is renamed. The two kid-less headers (341/342, "alg":"none") take the signature-layer route; "none" is no
    /// algorithm there either. A kid-less key would get the kid the group's headers name (see <see cref="KeySetJson"/>).</item>
    /// </list>
    /// </summary>
    public static readonly Override[] Overrides =
    [
        // --- json_web_signature_test.json ---
        new(JwsFile, [1, 348, 352, 357, 358, 359, 376, 377], "valid", PortkeyJwtError.UnsupportedAlgorithm, Route.Validator,
            "HS256 group: HMAC is never an allowed algorithm (README quirk 5); the MAC key is not even published"),
        new(JwsFile, [367, 370], "invalid", PortkeyJwtError.UnsupportedAlgorithm, Route.Validator,
            "mislabelled upstream, truly valid (identical to tcId 357; C2SP/wycheproof#236, README quirk 1); rejected anyway as HS256"),
        new(JwsFile, [372], "valid", PortkeyJwtError.Malformed, Route.Validator,
            "'?' inside the header segment is outside the base64url alphabet: a strict RFC 7515 validator rejects (README quirk 2)"),
        new(JwsFile, [373], "valid", PortkeyJwtError.UnsupportedAlgorithm, Route.Validator,
            "'?' inside the payload segment (README quirk 2); the HS256 header is refused before the payload is looked at"),
        new(JwsFile, [346, 350], "valid", PortkeyJwtError.UnknownKey, Route.Validator,
            "RFC 7520 Figure 20: key alg PS256, token PS384; the JWK's alg must equal the token's (README quirk 3)"),
        new(JwsFile, [347, 351], "valid", PortkeyJwtError.UnknownKey, Route.Validator,
            "RFC 7520 Figure 27: key alg 'ES521' is no algorithm, so the key is refused at import and no key has the kid (README quirk 3)"),
        new(JwsFile, [259, 264, 268, 272, 320, 325], "valid", PortkeyJwtError.Malformed, Route.Validator,
            "empty payload: RFC 7515 allows it, but the validator's structure rule wants a non-empty payload segment even at the JWS level (a JWT payload is a JSON object, never empty); stricter, so kept"),
        new(JwsFile, [17], "invalid", PortkeyJwtError.Malformed, Route.Validator,
            "JWS JSON serialization, not compact: not three segments"),
        new(JwsFile, [341, 342], "invalid", PortkeyJwtError.UnsupportedAlgorithm, Route.SignatureLayer,
            "no kid in the header (alg none); 'none' is refused before the kid is looked for"),

        // --- json_web_key_test.json ---
        new(JwkFile, [2, 13, 14, 15], "valid", PortkeyJwtError.UnsupportedAlgorithm, Route.Validator,
            "HS256/HS384/HS512 with a symmetric key: HMAC is never allowed, and 'oct' keys are never loaded"),
    ];

    private static readonly string[] ClaimErrorNames =
    [
        nameof(PortkeyJwtError.MissingClaim), nameof(PortkeyJwtError.InvalidClaim), nameof(PortkeyJwtError.Expired),
        nameof(PortkeyJwtError.NotYetValid), nameof(PortkeyJwtError.InvalidIssuer), nameof(PortkeyJwtError.InvalidAudience),
        nameof(PortkeyJwtError.InsufficientScope),
    ];

    private static readonly Lazy<TestKey> Placeholder = new(() => TestKey.Ec("wycheproof-placeholder"));

    private static readonly Dictionary<string, Lazy<Case[]>> CaseCache = new(StringComparer.Ordinal)
    {
        [JwsFile] = new(() => Load(JwsFile)),
        [JwkFile] = new(() => Load(JwkFile)),
    };

    /// <summary>The claim errors: a token that fails its signature must never get one (signature before claims).</summary>
    public static bool IsClaimError(PortkeyJwtError error) => ClaimErrorNames.Contains(error.ToString());

    public static Override? OverrideFor(string file, int tcId) => Overrides.FirstOrDefault(o => o.File == file && o.TcIds.Contains(tcId));

    public static Case[] Cases(string file) => CaseCache[file].Value;

    /// <summary>Runs every case of <paramref name="file"/>, group by group; with <paramref name="fullValidator"/>, the "invalid" ones also through ValidateAsync.</summary>
    public static Report RunAll(string file, bool fullValidator = false)
    {
        using JsonDocument document = VectorFiles.Load("wycheproof", file);
        var report = new Report(file) { NumberOfTests = document.RootElement.GetProperty("numberOfTests").GetInt32() };
        foreach (IGrouping<int, Case> group in Cases(file).GroupBy(c => c.Group))
        {
            RunGroup(file, [.. group], report, fullValidator);
        }

        return report;
    }

    public static void AssertOverridesMatchFile(string file)
    {
        Case[] cases = Cases(file);
        var seen = new HashSet<int>();
        foreach (Override row in Overrides.Where(o => o.File == file))
        {
            foreach (int tcId in row.TcIds)
            {
                Assert.True(seen.Add(tcId), $"tcId {tcId} appears in two override rows");
                Case? found = cases.SingleOrDefault(c => c.TcId == tcId);
                Assert.True(found is not null, $"override row names tcId {tcId}, which {file} does not have");
                Assert.True(found.Label == row.Label, $"tcId {tcId}: the row says the file labels it '{row.Label}', the file says '{found.Label}'");
                Assert.NotEqual(PortkeyJwtError.None, row.Expected);
            }
        }
    }

    /// <summary>
    /// The group's public JWK or JWKS as a JWKS document. A key without a kid gets the kid the group's headers name
    /// (none does in these files); null for HMAC groups, which publish no public key.
    /// </summary>
    public static string? KeySetJson(Case[] group)
    {
        if (group[0].Public is not { } element)
        {
            return null;
        }

        var node = JsonNode.Parse(element.GetRawText())!.AsObject();
        JsonArray keys = node["keys"] is JsonArray array ? array : [node.DeepClone()];
        string? headerKid = group.Select(c => c.Header is { } h && h.TryGetProperty("kid", out JsonElement k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null)
            .FirstOrDefault(k => k is not null);
        foreach (JsonObject key in keys.OfType<JsonObject>().Where(k => k["kid"] is null))
        {
            key["kid"] = headerKid ?? $"wycheproof-group-{group[0].Group}";
        }

        return new JsonObject { ["keys"] = keys.DeepClone() }.ToJsonString();
    }

    private static void RunGroup(string file, Case[] group, Report report, bool fullValidator)
    {
        string? jwks = KeySetJson(group);
        JwksKeyProvider provider;
        bool keySetRefused = false;
        try
        {
            provider = jwks is null ? PlaceholderProvider() : JwksKeyProvider.FromJson(jwks, NullLogger.Instance);
        }
        catch (ArgumentException)
        {
            // The whole set is refused (e.g. only an 'enc' key): no key can verify, so validate against an unrelated key.
            keySetRefused = true;
            provider = PlaceholderProvider();
        }

        // Opt in exactly the supported algorithms the group's headers use (at least one: the options need one).
        string[] algorithms = [.. group.Select(c => c.Algorithm).Where(a => a is not null && JwsAlgorithms.SupportedNames.Contains(a)).Distinct()!];
        var options = new PortkeyJwtOptions { AllowedAlgorithms = algorithms.Length == 0 ? ["ES256"] : algorithms, RequiredType = null };
        var validator = new PortkeyJwtValidator(provider, options, Tokens.Clock());
        var claimChecking = new PortkeyJwtValidator(provider, new PortkeyJwtOptions
        {
            AllowedAlgorithms = options.AllowedAlgorithms,
            RequiredType = null,
            ValidIssuers = ["https://issuer.example"],
            ValidAudiences = ["portkey-gateway"],
            RequiredScopes = ["admin"],
            ValidationCache = false,
        }, Tokens.Clock());

        foreach (Case c in group)
        {
            report.Count(c);
            Override? row = OverrideFor(file, c.TcId);
            string describe = $"tcId {c.TcId} ({c.Label}; {c.Comment}; group {c.Group}{(keySetRefused ? ", key set refused" : string.Empty)})";
            if (fullValidator)
            {
                if (c.Label == "invalid")
                {
                    report.FullValidatorRun++;
                    PortkeyJwtResult full;
                    try
                    {
                        full = claimChecking.ValidateNow(c.Jws);
                    }
                    catch (Exception ex)
                    {
                        report.Failures.Add($"{describe}: ValidateAsync threw {ex.GetType().Name}: {ex.Message}");
                        continue;
                    }

                    if (full.IsValid || IsClaimError(full.Error))
                    {
                        report.Failures.Add($"{describe}: the full validator answered {full}");
                    }
                }

                continue;
            }

            PortkeyJwtError error;
            try
            {
                error = validator.VerifyJws(c.Jws);
            }
            catch (Exception ex)
            {
                report.Failures.Add($"{describe}: VerifyJws threw {ex.GetType().Name}: {ex.Message}");
                continue;
            }

            bool accepted;
            Route route = row?.Route ?? Route.Validator;
            if (route == Route.SignatureLayer)
            {
                if (error == PortkeyJwtError.None)
                {
                    report.Failures.Add($"{describe}: VerifyJws accepted a token without a kid");
                }

                accepted = VerifiesAtSignatureLayer(c, jwks);
            }
            else
            {
                accepted = error == PortkeyJwtError.None;
            }

            bool expected = row is null && c.Label == "valid";
            if (row is not null)
            {
                report.Overridden++;
                if (error != row.Expected)
                {
                    report.Failures.Add($"{describe}: override expects {row.Expected} ({row.Reason}), VerifyJws answered {error}");
                }
            }

            if (accepted != expected)
            {
                report.Failures.Add($"{describe}: expected {(expected ? "valid" : "a rejection")}, got {(accepted ? "valid" : error.ToString())}");
            }

            report.Run++;
        }
    }

    /// <summary>The signature-layer verdict for a kid-less header: any group key, imported through policy, that fits the alg and verifies.</summary>
    private static bool VerifiesAtSignatureLayer(Case c, string? jwks)
    {
        JwsAlgorithm algorithm = c.Algorithm is null ? JwsAlgorithm.None : JwsAlgorithms.Parse(c.Algorithm.AsSpan());
        string[] parts = c.Jws.Split('.');
        if (jwks is null || algorithm == JwsAlgorithm.None || parts.Length != 3 || !Base64UrlStrict.IsValid(Encoding.ASCII.GetBytes(parts[2])))
        {
            return false;
        }

        byte[] signature = System.Buffers.Text.Base64Url.DecodeFromChars(parts[2]);
        byte[] signingInput = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
        foreach (JsonObject jwk in JsonNode.Parse(jwks)!["keys"]!.AsArray().OfType<JsonObject>())
        {
            VerificationKey? key = VectorFiles.ImportThroughPolicy(jwk, new CapturingLogger());
            if (key is not null && key.IsUsableFor(algorithm, JwksParser.MinimumRsaKeySize) && key.Verify(algorithm, signingInput, signature))
            {
                return true;
            }
        }

        return false;
    }

    private static JwksKeyProvider PlaceholderProvider() => JwksKeyProvider.FromJson(TestKey.Jwks(Placeholder.Value));

    private static Case[] Load(string file)
    {
        using JsonDocument document = VectorFiles.Load("wycheproof", file);
        var cases = new List<Case>();
        int groupIndex = 0;
        foreach (JsonElement group in document.RootElement.GetProperty("testGroups").EnumerateArray())
        {
            JsonElement? publicKey = group.TryGetProperty("public", out JsonElement p) ? p.Clone() : null;
            foreach (JsonElement test in group.GetProperty("tests").EnumerateArray())
            {
                string jws = test.GetProperty("jws").GetString()!;
                JsonElement? header = DecodeHeader(jws);
                string? algorithm = header is { } h && h.TryGetProperty("alg", out JsonElement a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null;
                cases.Add(new Case(groupIndex, test.GetProperty("tcId").GetInt32(), test.GetProperty("result").GetString()!, test.GetProperty("comment").GetString()!, jws, header, algorithm, publicKey));
            }

            groupIndex++;
        }

        return [.. cases];
    }

    /// <summary>The header as JSON when the first segment decodes (leniently) to a JSON object; otherwise null.</summary>
    private static JsonElement? DecodeHeader(string jws)
    {
        if (jws.StartsWith('{'))
        {
            return null;
        }

        string segment = jws.Split('.')[0];
        try
        {
            using JsonDocument header = JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(segment.Trim()));
            return header.RootElement.ValueKind == JsonValueKind.Object ? header.RootElement.Clone() : null;
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }
    }

    /// <summary>One row of the override table: the cases, the label the file gives them, the error we require and why.</summary>
    public sealed record Override(string File, int[] TcIds, string Label, PortkeyJwtError Expected, Route Route, string Reason);

    /// <summary>One vector: its group, id, label, comment, compact JWS, decoded header (when it decodes), alg and the group's public key.</summary>
    public sealed record Case(int Group, int TcId, string Label, string Comment, string Jws, JsonElement? Header, string? Algorithm, JsonElement? Public);

    /// <summary>What a run found.</summary>
    public sealed class Report(string file)
    {
        public int NumberOfTests { get; init; }

        public int Run { get; set; }

        public int FullValidatorRun { get; set; }

        public int LabelledValid { get; private set; }

        public int LabelledInvalid { get; private set; }

        public int Overridden { get; set; }

        public List<string> Failures { get; } = [];

        public string Summary =>
            $"{file}: {Run} of {NumberOfTests} cases through VerifyJws ({LabelledValid} labelled valid, {LabelledInvalid} invalid, {Overridden} overridden); {FullValidatorRun} through ValidateAsync.";

        public void Count(Case c)
        {
            if (c.Label == "valid")
            {
                LabelledValid++;
            }
            else
            {
                LabelledInvalid++;
            }
        }
    }
}
