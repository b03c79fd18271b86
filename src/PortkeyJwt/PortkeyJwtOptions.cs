namespace PortkeyJwt;

/// <summary>
/// What a <see cref="PortkeyJwtValidator"/> accepts. The validator copies and checks these values when it is built;
/// changing the options afterwards does not affect it. A value out of range makes the validator's constructor throw
/// <see cref="ArgumentOutOfRangeException"/> naming the option.
/// </summary>
public sealed class PortkeyJwtOptions
{
    /// <summary>Largest JSON value of one captured claim, in UTF-8 bytes as the token carries it: 4 KiB. A larger one rejects the token.</summary>
    public const int MaxCapturedClaimBytes = 4 * 1024;

    /// <summary>Largest total of all captured claims' JSON values in one token, in UTF-8 bytes: 16 KiB. A larger total rejects the token.</summary>
    public const int MaxCapturedClaimsBytes = 16 * 1024;

    /// <summary>Deepest nesting of a captured claim's value: 8 (a string is depth 0, an array of strings 1). A deeper one rejects the token.</summary>
    public const int MaxCapturedClaimDepth = 8;

    /// <summary>The largest <see cref="ClockSkew"/> accepted.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Tolerance for clock differences between the issuer and this host, applied to <c>exp</c>, <c>nbf</c> and <c>iat</c>;
    /// default 60 seconds, from zero to 5 minutes.
    /// </summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The JWS algorithms accepted, compared exactly with the header's <c>alg</c>; default <c>RS256</c> only.
    /// <c>RS384</c>, <c>RS512</c>, <c>PS256</c>, <c>PS384</c>, <c>PS512</c>, <c>ES256</c>, <c>ES384</c> and <c>ES512</c> may be added.
    /// <c>none</c> and HMAC algorithms (<c>HS256</c>…) are never accepted: naming one is a configuration error.
    /// </summary>
    public IList<string> AllowedAlgorithms { get; set; } = ["RS256"];

    /// <summary>When not empty, <c>iss</c> must equal one of these (ordinal). Empty (the default): <c>iss</c> is not checked.</summary>
    public IList<string> ValidIssuers { get; set; } = [];

    /// <summary>When not empty, <c>aud</c> (a string or an array) must contain one of these (ordinal). Empty (the default): not checked.</summary>
    public IList<string> ValidAudiences { get; set; } = [];

    /// <summary>
    /// The header <c>typ</c> every token must carry; default <c>JWT</c>. Compared as RFC 7515 §4.1.9 says: ASCII
    /// case-insensitively, with an optional <c>application/</c> prefix. Null: <c>typ</c> is not checked.
    /// </summary>
    public string? RequiredType { get; set; } = "JWT";

    /// <summary>Longest token accepted, in characters; longer tokens are rejected before any decoding. Default 16 KiB, from 256 to 256 KiB.</summary>
    public int MaxTokenLength { get; set; } = 16 * 1024;

    /// <summary>Scopes every token must grant (all of them), in addition to those passed per call. Default none.</summary>
    public IList<string> RequiredScopes { get; set; } = [];

    /// <summary>
    /// Smallest RSA modulus, in bits, that may verify a token; default 2048, from 2048 to 8192. Keys below 2048 bits
    /// are never loaded from a JWKS at all.
    /// </summary>
    public int MinimumRsaKeySize { get; set; } = 2048;

    /// <summary>
    /// Reuse the result of a successful validation when the exact same token string comes again (default true).
    /// A reused result is still checked against the clock (<c>exp</c>, <c>nbf</c>, <c>iat</c>) and the call's required scopes,
    /// and is dropped as soon as the key that verified it is no longer served. Tokens over 4096 characters are not cached.
    /// </summary>
    public bool ValidationCache { get; set; } = true;

    /// <summary>Longest a successful validation is reused (never past <c>exp</c>); default 5 minutes, from 1 second to 1 hour.</summary>
    public TimeSpan ValidationCacheDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Most validations remembered; default 10,000, from 16 to 1,000,000.</summary>
    public int ValidationCacheSize { get; set; } = 10_000;

    /// <summary>
    /// Claims whose verified JSON values <see cref="PortkeyPrincipal.Claims"/> carries (case-sensitive names, such as
    /// <c>tier</c>, <c>team</c> or <c>roles</c>); default none, and then validation reads no claim it does not need.
    /// A captured value keeps its JSON type. A token whose captured claim is larger than <see cref="MaxCapturedClaimBytes"/>,
    /// nests deeper than <see cref="MaxCapturedClaimDepth"/>, or whose captured claims total more than
    /// <see cref="MaxCapturedClaimsBytes"/> is rejected with <see cref="PortkeyJwtError.InvalidClaim"/>, never truncated.
    /// At most 64 names.
    /// </summary>
    public IList<string> CapturedClaims { get; set; } = [];

    /// <summary>
    /// Capture every claim of the payload, under the same limits as <see cref="CapturedClaims"/> (default false). Meant for
    /// tools and debugging: a gateway should name the claims it reads.
    /// </summary>
    public bool CaptureAllClaims { get; set; }

    /// <summary>
    /// The claim that grants roles (<see cref="PortkeyPrincipal.Roles"/>, <see cref="System.Security.Claims.ClaimsPrincipal.IsInRole"/>),
    /// a string or an array of strings, such as <c>roles</c>; default null: no roles. Scopes never count as roles.
    /// </summary>
    public string? RoleClaim { get; set; }

    /// <summary>
    /// The revocations to enforce: every token that would otherwise be valid, including one answered from the
    /// validated-token cache, is checked against the list's current entries and rejected with
    /// <see cref="PortkeyJwtError.Revoked"/> when one applies. Default null: no revocation check. The list is shared, not
    /// copied: entries added later apply at once.
    /// </summary>
    public RevocationList? Revocations { get; set; }

    /// <summary>
    /// With a <see cref="TrustAnchorSet"/>, adds an <c>issuer</c> tag to the <c>portkeyjwt.validations</c> counter and the
    /// <c>portkeyjwt.validation.duration</c> histogram: the configured <see cref="TrustAnchor.Issuer"/> of the anchor the
    /// token was routed to. A token routed to no anchor (<see cref="PortkeyJwtError.UnknownIssuer"/>, or rejected before
    /// routing) gets no such tag, so no value a caller writes ever becomes a tag. Default false: the tag adds one time series
    /// per anchor and result. Organisations and users are never tags. A single-provider validator ignores it.
    /// </summary>
    public bool TagMetricsWithIssuer { get; set; }
}
