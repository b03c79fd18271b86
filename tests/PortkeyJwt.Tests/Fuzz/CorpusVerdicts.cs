using static PortkeyJwt.PortkeyJwtError;

namespace PortkeyJwt.Tests.Fuzz;

/// <summary>
/// What every seed of <c>fuzz/corpus</c> (and every input in <c>Fuzz/Regressions</c>) must get, declared by hand from its
/// name. A new seed fails <see cref="FuzzRegressionTests.CorpusFiles_EachHaveExactlyOneVerdictRow"/> until it has a row.
/// </summary>
/// <remarks>
/// Tokens and signed-target inputs are answered by two validators at the harness's fixed clock, 2026-06-01T12:00:00Z
/// (<c>FixedClock.SeedTime</c> = <c>Tokens.Now</c>), so lifetime verdicts never drift: <b>strict</b>, the library's
/// defaults (RS256 only, <c>typ</c> JWT; the signed target adds ES256), and <b>broad</b> (all nine algorithms, issuer
/// <c>https://issuer.fuzz.example</c>, audience <c>gateway</c>, scope <c>completions.write</c> plus the per-call
/// <c>logs.view</c>, no <c>typ</c> rule, 5 minutes of skew), as in <c>fuzz/PortkeyJwt.Fuzz/HarnessData.cs</c>.
/// JWKS documents are loaded with <see cref="JwksKeyProvider.FromJson(string, Microsoft.Extensions.Logging.ILogger?)"/>:
/// either refused with a reason, or loaded with exactly these kids, one warning per skipped key, and exactly these
/// <c>tokens/valid-*.jwt</c> probes accepted (all nine algorithms allowed).
/// </remarks>
internal static class CorpusVerdicts
{
    /// <summary>The probe tokens signed by the harness's RSA key.</summary>
    private static readonly string[] RsaProbes =
        ["valid-alias-claims.jwt", "valid-deep-64.jwt", "valid-escaped-names.jwt", "valid-long.jwt", "valid-ps512.jwt", "valid-rs256.jwt"];

    private static readonly string[] AllProbes = [.. RsaProbes, "valid-es256.jwt", "valid-es384.jwt", "valid-es512.jwt"];

    /// <summary>Every <c>tokens/*.jwt</c> and <c>signed/*</c> seed: the error each validator must give (None: valid).</summary>
    public static readonly IReadOnlyDictionary<string, TokenVerdict> Tokens = new Dictionary<string, TokenVerdict>(StringComparer.Ordinal)
    {
        // Valid tokens; the defaults allow RS256 alone.
        ["tokens/valid-alias-claims.jwt"] = Both(None),
        ["tokens/valid-deep-64.jwt"] = Both(None),
        ["tokens/valid-escaped-names.jwt"] = Both(None),
        ["tokens/valid-long.jwt"] = Both(None),
        ["tokens/valid-rs256.jwt"] = Both(None),
        ["tokens/valid-ps512.jwt"] = new(UnsupportedAlgorithm, None),
        ["tokens/valid-es256.jwt"] = new(UnsupportedAlgorithm, None),
        ["tokens/valid-es384.jwt"] = new(UnsupportedAlgorithm, None),
        ["tokens/valid-es512.jwt"] = new(UnsupportedAlgorithm, None),

        // Structure and encoding.
        ["tokens/segments-two.jwt"] = Both(Malformed),
        ["tokens/segments-four.jwt"] = Both(Malformed),
        ["tokens/segments-empty-payload.jwt"] = Both(Malformed),
        ["tokens/base64-padding.jwt"] = Both(Malformed),
        ["tokens/base64-standard-alphabet.jwt"] = Both(Malformed),
        ["tokens/base64-noncanonical-tail.jwt"] = Both(Malformed),
        ["tokens/base64-whitespace.jwt"] = Both(Malformed),
        ["tokens/non-ascii.jwt"] = Both(Malformed),
        ["tokens/header-not-json.jwt"] = Both(Malformed),
        ["tokens/header-array.jwt"] = Both(Malformed),
        ["tokens/header-bom.jwt"] = Both(Malformed),
        ["tokens/header-trailing.jwt"] = Both(Malformed),
        ["tokens/header-lone-surrogate.jwt"] = Both(Malformed),
        ["tokens/header-deep-70.jwt"] = Both(Malformed),
        ["tokens/payload-not-json.jwt"] = Both(Malformed),
        ["tokens/payload-deep-70.jwt"] = Both(Malformed),
        ["tokens/alg-duplicate.jwt"] = Both(Malformed),
        ["tokens/claim-duplicate.jwt"] = Both(Malformed),

        // Header policy.
        ["tokens/alg-none.jwt"] = Both(UnsupportedAlgorithm),
        ["tokens/alg-none-kid.jwt"] = Both(UnsupportedAlgorithm),
        ["tokens/alg-lowercase.jwt"] = Both(UnsupportedAlgorithm),
        ["tokens/alg-number.jwt"] = Both(UnsupportedAlgorithm),
        ["tokens/alg-hs256-key-confusion.jwt"] = Both(UnsupportedAlgorithm),
        ["tokens/alg-key-mismatch.jwt"] = new(UnsupportedAlgorithm, UnknownKey), // broad allows the alg; the RSA key does not fit it
        ["tokens/crit.jwt"] = Both(UnsupportedHeader),
        ["tokens/typ-missing.jwt"] = new(InvalidType, None), // broad has no typ rule
        ["tokens/typ-wrong.jwt"] = new(InvalidType, None),
        ["tokens/kid-missing.jwt"] = Both(MissingKeyId),
        ["tokens/kid-empty.jwt"] = Both(MissingKeyId),
        ["tokens/kid-number.jwt"] = Both(MissingKeyId),
        ["tokens/kid-unknown.jwt"] = Both(UnknownKey),
        ["tokens/kid-long-escaped.jwt"] = Both(UnknownKey),
        ["tokens/jwk-embedded.jwt"] = Both(UnknownKey), // the embedded key is never used

        // Signature.
        ["tokens/signature-flipped.jwt"] = Both(InvalidSignature),
        ["tokens/signature-empty.jwt"] = Both(InvalidSignature),
        ["tokens/signature-truncated.jwt"] = Both(Malformed), // its length leaves a non-canonical base64url tail
        ["tokens/signature-der-ecdsa.jwt"] = new(UnsupportedAlgorithm, InvalidSignature),

        // Claims.
        ["tokens/exp-expired.jwt"] = Both(Expired),
        ["tokens/exp-missing.jwt"] = Both(MissingClaim),
        ["tokens/exp-string.jwt"] = Both(InvalidClaim),
        ["tokens/exp-negative.jwt"] = Both(InvalidClaim),
        ["tokens/exp-huge.jwt"] = Both(InvalidClaim),
        ["tokens/nbf-future.jwt"] = Both(NotYetValid),
        ["tokens/iat-future.jwt"] = Both(NotYetValid),
        ["tokens/iss-wrong.jwt"] = new(None, InvalidIssuer), // only broad names issuers
        ["tokens/aud-wrong.jwt"] = new(None, InvalidAudience),
        ["tokens/aud-number.jwt"] = Both(InvalidClaim),
        ["tokens/org-missing.jwt"] = Both(MissingClaim),
        ["tokens/workspace-empty.jwt"] = Both(InvalidClaim),
        ["tokens/scope-invalid-char.jwt"] = Both(InvalidClaim),
        ["tokens/scope-missing-required.jwt"] = new(None, InsufficientScope),
        ["tokens/sub-control-char.jwt"] = Both(InvalidClaim),

        // Signed target: claim sets under the ES256 header, or header NUL claims.
        ["signed/claims.json"] = Both(None),
        ["signed/claims-alias.json"] = Both(None),
        ["signed/claims-aud-string.json"] = Both(None),
        ["signed/claims-deep-ignored.json"] = Both(None),
        ["signed/claims-escaped.json"] = Both(None),
        ["signed/claims-exp-exponent.json"] = Both(None),
        ["signed/claims-exp-fraction.json"] = Both(None),
        ["signed/claims-prefixed-scopes.json"] = Both(None),
        ["signed/claims-pretty.json"] = Both(None),
        ["signed/claims-times-boundary.json"] = Both(None),
        ["signed/claims-user-only-uid.json"] = Both(None),
        ["signed/claims-no-iss.json"] = new(None, InvalidIssuer),
        ["signed/claims-duplicate.json"] = Both(Malformed),
        ["signed/claims-empty.json"] = Both(MissingClaim),
        ["signed/claims-wrong-types.json"] = Both(InvalidClaim),
        ["signed/header-rs256.bin"] = Both(None),
        ["signed/header-escaped.bin"] = Both(None),
        ["signed/header-es384.bin"] = new(UnsupportedAlgorithm, None),
        ["signed/header-es512.bin"] = new(UnsupportedAlgorithm, None),
        ["signed/header-ps384.bin"] = new(UnsupportedAlgorithm, None),
        ["signed/header-crit.bin"] = Both(UnsupportedHeader),
        ["signed/header-duplicate-kid.bin"] = Both(Malformed),

        // Fuzz/Regressions (signed-target inputs).
        ["Regressions/cache-exp-year-9999.signed"] = Both(None),
    };

    /// <summary>Every <c>jwks/*.json</c> seed.</summary>
    public static readonly IReadOnlyDictionary<string, JwksVerdict> Jwks = new Dictionary<string, JwksVerdict>(StringComparer.Ordinal)
    {
        ["jwks/harness.json"] = Loaded(["fuzz-rsa", "fuzz-ec256", "fuzz-ec384", "fuzz-ec521"], warnings: 0, AllProbes),
        ["jwks/rsa-alg-key-ops.json"] = Loaded(["fuzz-rsa"], warnings: 0, RsaProbes.Where(p => p != "valid-ps512.jwt").ToArray()), // alg RS256 pins the key
        ["jwks/ec-alg.json"] = Loaded(["fuzz-ec256"], warnings: 0, "valid-es256.jwt"),
        ["jwks/duplicate-kid-different.json"] = Loaded(["fuzz-ec256"], warnings: 1, "valid-es256.jwt"), // the ambiguous kid is dropped
        ["jwks/duplicate-kid-same.json"] = Loaded(["ok"], warnings: 0),
        ["jwks/escaped.json"] = Loaded(["\u00e9\ud83d\ude00"], warnings: 0),
        ["jwks/rejected-keys-and-one-good.json"] = Loaded(["ok"], warnings: 15), // every one of its 16 entries but "ok"
        ["jwks/not-object.json"] = Rejected("the document is not a well-formed JSON object"),
        ["jwks/deep-17.json"] = Rejected("the document is not a well-formed JSON object"),
        ["jwks/keys-missing.json"] = Rejected("the document has no \"keys\" array"),
        ["jwks/keys-not-array.json"] = Rejected("the document has no \"keys\" array"),
        ["jwks/keys-twice.json"] = Rejected("the document has more than one \"keys\" member"),
        ["jwks/keys-empty.json"] = Rejected("the \"keys\" array is empty"),
        ["jwks/no-usable-key.json"] = Rejected("no key in the set is usable"),
        ["jwks/too-many-keys.json"] = Rejected("holds 101 keys, more than the limit of 100"),
    };

    private static TokenVerdict Both(PortkeyJwtError error) => new(error, error);

    private static JwksVerdict Loaded(string[] kids, int warnings, params string[] accepted) => new(null, kids, warnings, accepted);

    private static JwksVerdict Rejected(string reason) => new(reason, [], 0, []);
}

/// <summary>The error the strict and the broad validator must each give (<see cref="PortkeyJwtError.None"/>: valid).</summary>
internal sealed record TokenVerdict(PortkeyJwtError Strict, PortkeyJwtError Broad);

/// <summary>
/// A JWKS seed's fate: refused with <paramref name="Reason"/> in the exception's message, or (reason null) loaded with
/// exactly <paramref name="KeyIds"/>, <paramref name="Warnings"/> skipped keys, and exactly the <paramref name="AcceptedProbes"/> valid.
/// </summary>
internal sealed record JwksVerdict(string? Reason, string[] KeyIds, int Warnings, string[] AcceptedProbes);
