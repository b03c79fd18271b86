namespace PortkeyJwt.Internal;

/// <summary>Every rejection the validator can report, built once. Details name rules and claim names, never token content.</summary>
internal static class Failures
{
    public static readonly PortkeyJwtResult TooLarge = F(PortkeyJwtError.TokenTooLarge, "The token is longer than the configured maximum.");
    public static readonly PortkeyJwtResult Empty = F(PortkeyJwtError.Malformed, "The token is empty.");
    public static readonly PortkeyJwtResult NotThreeSegments = F(PortkeyJwtError.Malformed, "The token is not three segments separated by dots, with a non-empty header and payload.");
    public static readonly PortkeyJwtResult BearerPrefix = F(PortkeyJwtError.Malformed, "The token starts with a 'Bearer ' prefix: pass only the token.");
    public static readonly PortkeyJwtResult BadBase64 = F(PortkeyJwtError.Malformed, "A token segment is not canonical base64url (A-Z a-z 0-9 - _ without padding or whitespace).");
    public static readonly PortkeyJwtResult HeaderNotJson = F(PortkeyJwtError.Malformed, "The header is not a UTF-8 JSON object (nesting at most 64).");
    public static readonly PortkeyJwtResult PayloadNotJson = F(PortkeyJwtError.Malformed, "The payload is not a UTF-8 JSON object (nesting at most 64).");
    public static readonly PortkeyJwtResult DuplicateHeader = F(PortkeyJwtError.Malformed, "A header parameter appears more than once.");
    public static readonly PortkeyJwtResult DuplicateClaim = F(PortkeyJwtError.Malformed, "A claim appears more than once.");

    public static readonly PortkeyJwtResult MissingAlgorithm = F(PortkeyJwtError.UnsupportedAlgorithm, "The header has no 'alg' string.");
    public static readonly PortkeyJwtResult AlgorithmNotAllowed = F(PortkeyJwtError.UnsupportedAlgorithm, "The header's 'alg' is not an allowed algorithm.");
    public static readonly PortkeyJwtResult CriticalHeader = F(PortkeyJwtError.UnsupportedHeader, "The header has a 'crit' parameter; no extension is understood.");
    public static readonly PortkeyJwtResult MissingType = F(PortkeyJwtError.InvalidType, "The header has no 'typ' string.");
    public static readonly PortkeyJwtResult WrongType = F(PortkeyJwtError.InvalidType, "The header's 'typ' is not the required type.");
    public static readonly PortkeyJwtResult MissingKeyId = F(PortkeyJwtError.MissingKeyId, "The header has no non-empty 'kid' string.");

    public static readonly PortkeyJwtResult UnknownKey = F(PortkeyJwtError.UnknownKey, "No key in the key set has the token's 'kid'.");
    public static readonly PortkeyJwtResult UnusableKey = F(PortkeyJwtError.UnknownKey, "The key named by 'kid' does not fit the token's algorithm or the minimum key size.");
    public static readonly PortkeyJwtResult NoKeys = F(PortkeyJwtError.KeysUnavailable, "No key set is available.");
    public static readonly PortkeyJwtResult BadSignature = F(PortkeyJwtError.InvalidSignature, "The signature does not verify.");

    public static readonly PortkeyJwtResult Expired = F(PortkeyJwtError.Expired, "The token has expired ('exp').");
    public static readonly PortkeyJwtResult NotBefore = F(PortkeyJwtError.NotYetValid, "The token is not valid yet ('nbf').");
    public static readonly PortkeyJwtResult IssuedInFuture = F(PortkeyJwtError.NotYetValid, "The token was issued in the future ('iat').");
    public static readonly PortkeyJwtResult WrongIssuer = F(PortkeyJwtError.InvalidIssuer, "The 'iss' claim is missing or not a valid issuer.");
    public static readonly PortkeyJwtResult WrongAudience = F(PortkeyJwtError.InvalidAudience, "The 'aud' claim is missing or names no valid audience.");

    public static readonly PortkeyJwtResult UnknownIssuer = F(PortkeyJwtError.UnknownIssuer, "The 'iss' claim names no trusted issuer.");
    public static readonly PortkeyJwtResult OrganisationNotAllowed = F(PortkeyJwtError.OrganisationNotAllowed, "The token's organisation is not one its issuer may assert.");
    public static readonly PortkeyJwtResult WorkspaceNotAllowed = F(PortkeyJwtError.WorkspaceNotAllowed, "The token's workspace is not one its issuer may assert.");
    public static readonly PortkeyJwtResult OrganisationClaimsDiffer = F(PortkeyJwtError.InvalidClaim, "The claims 'portkey_oid' and 'organisation_id' are both present and differ.");

    public static readonly PortkeyJwtResult CapturedClaimTooLarge = F(PortkeyJwtError.InvalidClaim, $"A captured claim's value is larger than {PortkeyJwtOptions.MaxCapturedClaimBytes} bytes.");
    public static readonly PortkeyJwtResult CapturedClaimTooDeep = F(PortkeyJwtError.InvalidClaim, $"A captured claim's value nests deeper than {PortkeyJwtOptions.MaxCapturedClaimDepth}.");
    public static readonly PortkeyJwtResult CapturedClaimsTooLarge = F(PortkeyJwtError.InvalidClaim, $"The captured claims total more than {PortkeyJwtOptions.MaxCapturedClaimsBytes} bytes.");

    /// <summary>A claim that is required and absent; the detail names the claim (or its aliases).</summary>
    public static PortkeyJwtResult Missing(Claim claim) => MissingByClaim[(int)claim];

    /// <summary>A claim that is present with the wrong type, empty or out of range.</summary>
    public static PortkeyJwtResult Invalid(Claim claim) => InvalidByClaim[(int)claim];

    /// <summary>The claims the validator reads, in the order their errors are reported.</summary>
    internal enum Claim
    {
        Exp,
        Nbf,
        Iat,
        Iss,
        Aud,
        Organisation,
        Workspace,
        Scope,
        Email,
        Sub,
        Uid,
        Jti,
    }

    private static readonly string[] ClaimNames =
    [
        "'exp'", "'nbf'", "'iat'", "'iss'", "'aud'", "'portkey_oid' (or 'organisation_id')", "'portkey_workspace' (or 'workspace_slug')",
        "'scope' (or 'scopes')", "'email_id'", "'sub'", "'uid'", "'jti'",
    ];

    private static readonly PortkeyJwtResult[] MissingByClaim =
        [.. ClaimNames.Select(n => F(PortkeyJwtError.MissingClaim, $"The required claim {n} is missing."))];

    private static readonly PortkeyJwtResult[] InvalidByClaim =
        [.. ClaimNames.Select(n => F(PortkeyJwtError.InvalidClaim, $"The claim {n} has the wrong type, is empty, out of range or holds characters it may not."))];

    /// <summary>A required claim known by a configured name (a trust anchor's scope claims); built once per anchor.</summary>
    public static PortkeyJwtResult MissingNamed(string names) => F(PortkeyJwtError.MissingClaim, $"The required claim {names} is missing.");

    /// <summary>A claim known by a configured name that is present with the wrong type or value; built once per anchor.</summary>
    public static PortkeyJwtResult InvalidNamed(string names) =>
        F(PortkeyJwtError.InvalidClaim, $"The claim {names} has the wrong type, is empty, out of range or holds characters it may not.");

    public static PortkeyJwtResult MissingScope(string scope) =>
        F(PortkeyJwtError.InsufficientScope, $"The token lacks the required scope '{scope}'.");

    private static PortkeyJwtResult F(PortkeyJwtError error, string detail) => PortkeyJwtResult.Failure(error, detail);
}
