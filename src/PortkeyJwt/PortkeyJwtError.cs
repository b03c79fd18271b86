namespace PortkeyJwt;

/// <summary>Why a token was rejected. A closed set: a gateway can switch over it exhaustively.</summary>
public enum PortkeyJwtError
{
    /// <summary>The token is valid.</summary>
    None = 0,

    /// <summary>Not three strict base64url segments, or a header or payload that is not a JSON object (or nests deeper than 64).</summary>
    Malformed,

    /// <summary>The token is longer than <see cref="PortkeyJwtOptions.MaxTokenLength"/>; nothing was decoded.</summary>
    TokenTooLarge,

    /// <summary>The header's <c>alg</c> is missing or not in <see cref="PortkeyJwtOptions.AllowedAlgorithms"/> (compared exactly; <c>none</c> and HMAC never pass).</summary>
    UnsupportedAlgorithm,

    /// <summary>The header's <c>typ</c> is missing or differs from <see cref="PortkeyJwtOptions.RequiredType"/>.</summary>
    InvalidType,

    /// <summary>The header carries <c>crit</c>: it names extensions this validator does not understand.</summary>
    UnsupportedHeader,

    /// <summary>The header has no <c>kid</c> string.</summary>
    MissingKeyId,

    /// <summary>No usable key in the key set has the token's <c>kid</c> (or the key does not fit the token's algorithm).</summary>
    UnknownKey,

    /// <summary>The signature does not verify with the named key.</summary>
    InvalidSignature,

    /// <summary><c>exp</c> is in the past by more than <see cref="PortkeyJwtOptions.ClockSkew"/>.</summary>
    Expired,

    /// <summary><c>nbf</c> or <c>iat</c> is in the future by more than <see cref="PortkeyJwtOptions.ClockSkew"/>.</summary>
    NotYetValid,

    /// <summary>A required claim (<c>exp</c>, organisation, workspace, scopes; <c>iss</c> with trust anchors) is absent, and no default stands in for it.</summary>
    MissingClaim,

    /// <summary>A claim has the wrong JSON type, is empty, out of range or contains characters it may not.</summary>
    InvalidClaim,

    /// <summary><c>iss</c> is missing or not one of <see cref="PortkeyJwtOptions.ValidIssuers"/>.</summary>
    InvalidIssuer,

    /// <summary><c>aud</c> is missing or names none of <see cref="PortkeyJwtOptions.ValidAudiences"/>.</summary>
    InvalidAudience,

    /// <summary>The token is valid but lacks a scope the gateway requires; answer 403, not 401.</summary>
    InsufficientScope,

    /// <summary>No key set is available: none was ever loaded, or the last good one is older than the provider's staleness limit.</summary>
    KeysUnavailable,

    /// <summary>
    /// The token's <c>iss</c> names no <see cref="TrustAnchor"/> of a validator built with
    /// <see cref="TrustAnchorSet"/>; it was rejected before any key lookup or fetch.
    /// </summary>
    UnknownIssuer,

    /// <summary>The token's organisation is not one of its trust anchor's <see cref="TrustAnchor.Organisations"/>.</summary>
    OrganisationNotAllowed,

    /// <summary>The token's workspace is not one of its trust anchor's <see cref="TrustAnchor.Workspaces"/>.</summary>
    WorkspaceNotAllowed,

    /// <summary>
    /// The token is revoked by <see cref="PortkeyJwtOptions.Revocations"/>: by its <c>jti</c>, or by a watermark of its
    /// organisation, workspace or user that is later than its <c>iat</c> (or applies to a token without <c>iat</c>).
    /// The detail names the kind of entry, never the token.
    /// </summary>
    Revoked,

    /// <summary>
    /// The <see cref="RevocationList"/> has not been synced within its <see cref="RevocationList.MaxStaleness"/> (or not
    /// yet), so no token can be shown not to be revoked; see <see cref="RevocationList.FailOpen"/>.
    /// </summary>
    RevocationUnavailable,
}
