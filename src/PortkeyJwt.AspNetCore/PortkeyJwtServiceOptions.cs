namespace PortkeyJwt.AspNetCore;

/// <summary>
/// Everything <c>AddPortkeyJwt</c> needs, in one flat class that binds from configuration (a <c>"PortkeyJwt"</c> section):
/// the JWKS source, how it is refreshed, and what tokens are accepted. Mapped onto the core's
/// <see cref="JwksKeyProviderOptions"/> and <see cref="PortkeyJwtOptions"/>; every value is checked when the host starts,
/// and a bad one fails the start with an <see cref="Microsoft.Extensions.Options.OptionsValidationException"/> naming it.
/// Defaults are the core's.
/// </summary>
/// <remarks>
/// List properties start empty, so that configuration binding (which appends to a list) never duplicates a default:
/// an empty <see cref="AllowedAlgorithms"/> means the core's default, <c>RS256</c> only.
/// </remarks>
public sealed class PortkeyJwtServiceOptions
{
    private static readonly JwksKeyProviderOptions ProviderDefaults = new();
    private static readonly PortkeyJwtOptions ValidatorDefaults = new();

    /// <summary>
    /// The identity providers of a multi-organisation gateway (configuration <c>PortkeyJwt:Issuers</c>), each with its own
    /// issuer, keys and organisations: every token is routed by its <c>iss</c> to one of them (see <see cref="TrustAnchorSet"/>).
    /// When set, <see cref="JwksUrls"/>, <see cref="JwksJson"/> and <see cref="ValidIssuers"/> must be empty; every other
    /// setting applies to all issuers (the fetch and refresh policy to each one's keys). Default empty: one key source.
    /// </summary>
    public IList<TrustAnchorOptions> Issuers { get; set; } = [];

    /// <summary>The JWKS URLs keys are fetched from (merged). Exactly one source is required: these, or <see cref="JwksJson"/> (or <see cref="Issuers"/>).</summary>
    public IList<Uri> JwksUrls { get; set; } = [];

    /// <summary>A fixed JWKS document (<c>{"keys":[…]}</c>, public keys) used instead of <see cref="JwksUrls"/>; nothing is fetched.</summary>
    public string? JwksJson { get; set; }

    /// <summary>Refuse <c>http://</c> JWKS URLs unless the host is loopback; default true. Set false only for a trusted private network.</summary>
    public bool RequireHttps { get; set; } = ProviderDefaults.RequireHttps;

    /// <summary>Longest a JWKS fetch may take, headers and body together; default 5 seconds, from 100 ms to 1 minute.</summary>
    public TimeSpan FetchTimeout { get; set; } = ProviderDefaults.FetchTimeout;

    /// <summary>Largest JWKS body read, in bytes; a bigger response fails the fetch. Default 1 MiB, from 1 KiB to 16 MiB.</summary>
    public int MaxResponseBytes { get; set; } = ProviderDefaults.MaxResponseBytes;

    /// <summary>Most keys one JWKS document may hold; a bigger set fails the fetch. Default 100, from 1 to 1,000.</summary>
    public int MaxKeys { get; set; } = ProviderDefaults.MaxKeys;

    /// <summary>Time between JWKS refreshes when the response has no <c>Cache-Control: max-age</c>; default 15 minutes, from 1 second to 7 days.</summary>
    public TimeSpan RefreshInterval { get; set; } = ProviderDefaults.RefreshInterval;

    /// <summary>Shortest refresh interval a <c>Cache-Control: max-age</c> can ask for; default 1 minute, from 1 second to 7 days.</summary>
    public TimeSpan MinRefreshInterval { get; set; } = ProviderDefaults.MinRefreshInterval;

    /// <summary>Longest refresh interval a <c>Cache-Control: max-age</c> can ask for; default 24 hours, from <see cref="MinRefreshInterval"/> to 7 days.</summary>
    public TimeSpan MaxRefreshInterval { get; set; } = ProviderDefaults.MaxRefreshInterval;

    /// <summary>Time after a fetch during which an unknown <c>kid</c> triggers no new fetch; default 30 seconds, from 1 second to 1 hour.</summary>
    public TimeSpan UnknownKeyCooldown { get; set; } = ProviderDefaults.UnknownKeyCooldown;

    /// <summary>First retry delay after a failed JWKS fetch; doubles per failure up to the refresh interval. Default 1 second, from 100 ms to 1 hour.</summary>
    public TimeSpan RetryDelay { get; set; } = ProviderDefaults.RetryDelay;

    /// <summary>
    /// How long the last good key set keeps being served while the identity provider fails (the health check reports
    /// Degraded meanwhile, Unhealthy after); default 24 hours, from 1 minute to 30 days.
    /// </summary>
    public TimeSpan MaxStaleness { get; set; } = ProviderDefaults.MaxStaleness;

    /// <summary>Most unknown <c>kid</c>s remembered during the cooldown; default 10,000, from 16 to 1,000,000.</summary>
    public int UnknownKeyCacheSize { get; set; } = ProviderDefaults.UnknownKeyCacheSize;

    /// <summary>
    /// Age after which an issuer's OIDC discovery document (<see cref="TrustAnchorOptions.Authority"/>) is fetched again,
    /// before its next JWKS fetch; default 24 hours, from 1 minute to 30 days.
    /// </summary>
    public TimeSpan DiscoveryRefreshInterval { get; set; } = ProviderDefaults.DiscoveryRefreshInterval;

    /// <summary>
    /// Most key fetches in flight at once, over every issuer (<see cref="Issuers"/>) or every JWKS URL; default 8, from 1 to
    /// 256. The others wait, within <see cref="FetchTimeout"/>.
    /// </summary>
    public int MaxConcurrentFetches { get; set; } = ProviderDefaults.MaxConcurrentFetches;

    /// <summary>
    /// With <see cref="Issuers"/>: an issuer with no token for this long stops refreshing its keys in the background, keeps
    /// its last good keys within <see cref="MaxStaleness"/>, and its next token starts a refresh; default 1 hour, from 1 minute to 30 days.
    /// </summary>
    public TimeSpan AnchorIdleTimeout { get; set; } = ProviderDefaults.AnchorIdleTimeout;

    /// <summary>Tolerance for clock differences, applied to <c>exp</c>, <c>nbf</c> and <c>iat</c>; default 60 seconds, from zero to 5 minutes.</summary>
    public TimeSpan ClockSkew { get; set; } = ValidatorDefaults.ClockSkew;

    /// <summary>
    /// The JWS algorithms accepted (exactly as in the header's <c>alg</c>). Empty (the default) means the core's default,
    /// <c>RS256</c> only; a non-empty list replaces it. <c>none</c> and HMAC algorithms are a configuration error.
    /// </summary>
    public IList<string> AllowedAlgorithms { get; set; } = [];

    /// <summary>When not empty, <c>iss</c> must equal one of these (ordinal). Default empty: not checked.</summary>
    public IList<string> ValidIssuers { get; set; } = [];

    /// <summary>When not empty, <c>aud</c> must contain one of these (ordinal). Default empty: not checked.</summary>
    public IList<string> ValidAudiences { get; set; } = [];

    /// <summary>
    /// The header <c>typ</c> every token must carry (case-insensitive, optional <c>application/</c> prefix); default <c>JWT</c>.
    /// Null or empty: <c>typ</c> is not checked (configuration cannot express null, so an empty string turns the check off).
    /// </summary>
    public string? RequiredType { get; set; } = ValidatorDefaults.RequiredType;

    /// <summary>Longest token accepted, in characters; default 16 KiB, from 256 to 256 KiB.</summary>
    public int MaxTokenLength { get; set; } = ValidatorDefaults.MaxTokenLength;

    /// <summary>
    /// Scopes every token must grant; a token lacking one is answered 403 <c>insufficient_scope</c>. Default none: use
    /// <c>RequirePortkeyScope</c> on policies or endpoints for per-route scopes.
    /// </summary>
    public IList<string> RequiredScopes { get; set; } = [];

    /// <summary>Smallest RSA modulus, in bits, that may verify a token; default 2048, from 2048 to 8192.</summary>
    public int MinimumRsaKeySize { get; set; } = ValidatorDefaults.MinimumRsaKeySize;

    /// <summary>Reuse a successful validation when the same token comes again (still checked against the clock); default true.</summary>
    public bool ValidationCache { get; set; } = ValidatorDefaults.ValidationCache;

    /// <summary>Longest a successful validation is reused (never past <c>exp</c>); default 5 minutes, from 1 second to 1 hour.</summary>
    public TimeSpan ValidationCacheDuration { get; set; } = ValidatorDefaults.ValidationCacheDuration;

    /// <summary>Most validations remembered; default 10,000, from 16 to 1,000,000.</summary>
    public int ValidationCacheSize { get; set; } = ValidatorDefaults.ValidationCacheSize;

    /// <summary>With <see cref="Issuers"/>, tag validation metrics with the issuer whose anchor the token was routed to; default false (see <see cref="PortkeyJwtOptions.TagMetricsWithIssuer"/>).</summary>
    public bool TagMetricsWithIssuer { get; set; }

    /// <summary>Claims whose JSON values the principal carries (<see cref="PortkeyPrincipal.Claims"/>); default none (see <see cref="PortkeyJwtOptions.CapturedClaims"/>).</summary>
    public IList<string> CapturedClaims { get; set; } = [];

    /// <summary>Capture every claim, for tools and debugging; default false (see <see cref="PortkeyJwtOptions.CaptureAllClaims"/>).</summary>
    public bool CaptureAllClaims { get; set; }

    /// <summary>The claim that grants roles (<c>User.IsInRole</c>), such as <c>roles</c>; default none: no roles, and scopes never count as roles.</summary>
    public string? RoleClaim { get; set; }

    /// <summary>The trust anchors <see cref="Issuers"/> describe (new objects each call); JWKS files are read relative to <paramref name="contentRoot"/>.</summary>
    internal List<TrustAnchor> ToAnchors(string contentRoot) => [.. Issuers.Select(issuer => issuer.ToAnchor(contentRoot))];

    /// <summary>The provider options these settings describe (a new object each call).</summary>
    internal JwksKeyProviderOptions ToProviderOptions() => new()
    {
        JwksUrls = [.. JwksUrls],
        RequireHttps = RequireHttps,
        FetchTimeout = FetchTimeout,
        MaxResponseBytes = MaxResponseBytes,
        MaxKeys = MaxKeys,
        RefreshInterval = RefreshInterval,
        MinRefreshInterval = MinRefreshInterval,
        MaxRefreshInterval = MaxRefreshInterval,
        UnknownKeyCooldown = UnknownKeyCooldown,
        RetryDelay = RetryDelay,
        MaxStaleness = MaxStaleness,
        UnknownKeyCacheSize = UnknownKeyCacheSize,
        DiscoveryRefreshInterval = DiscoveryRefreshInterval,
        MaxConcurrentFetches = MaxConcurrentFetches,
        AnchorIdleTimeout = AnchorIdleTimeout,
    };

    /// <summary>
    /// The validator options these settings describe (a new object each call), enforcing <paramref name="revocations"/>
    /// (the <see cref="RevocationList"/> registered in the container, if any).
    /// </summary>
    internal PortkeyJwtOptions ToValidatorOptions(RevocationList? revocations = null)
    {
        var options = new PortkeyJwtOptions
        {
            Revocations = revocations,
            ClockSkew = ClockSkew,
            ValidIssuers = [.. ValidIssuers],
            ValidAudiences = [.. ValidAudiences],
            RequiredType = string.IsNullOrEmpty(RequiredType) ? null : RequiredType,
            MaxTokenLength = MaxTokenLength,
            RequiredScopes = [.. RequiredScopes],
            MinimumRsaKeySize = MinimumRsaKeySize,
            ValidationCache = ValidationCache,
            ValidationCacheDuration = ValidationCacheDuration,
            ValidationCacheSize = ValidationCacheSize,
            TagMetricsWithIssuer = TagMetricsWithIssuer,
            CapturedClaims = [.. CapturedClaims],
            CaptureAllClaims = CaptureAllClaims,
            RoleClaim = string.IsNullOrEmpty(RoleClaim) ? null : RoleClaim,
        };
        if (AllowedAlgorithms.Count > 0)
        {
            options.AllowedAlgorithms = [.. AllowedAlgorithms];
        }

        return options;
    }
}
