namespace PortkeyJwt;

/// <summary>
/// How a <see cref="JwksKeyProvider"/> fetches and refreshes remote key sets. Copied and checked when the provider is
/// built: a value out of range makes the constructor throw <see cref="ArgumentOutOfRangeException"/> naming the option.
/// </summary>
public sealed class JwksKeyProviderOptions
{
    /// <summary>The JWKS URLs; keys from all of them are merged. At least one is required.</summary>
    public IList<Uri> JwksUrls { get; set; } = [];

    /// <summary>Refuse <c>http://</c> URLs unless the host is loopback; default true. Set false only for a trusted private network.</summary>
    public bool RequireHttps { get; set; } = true;

    /// <summary>Longest a fetch may take, headers and body together; default 5 seconds, from 100 ms to 1 minute.</summary>
    public TimeSpan FetchTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest JWKS body read, in bytes; a bigger response fails the fetch. Default 1 MiB, from 1 KiB to 16 MiB.</summary>
    public int MaxResponseBytes { get; set; } = 1024 * 1024;

    /// <summary>Most keys one JWKS document may hold; a bigger set fails the fetch. Default 100, from 1 to 1000.</summary>
    public int MaxKeys { get; set; } = JwksKeyProvider.MaxKeys;

    /// <summary>Time between refreshes when the response has no <c>Cache-Control: max-age</c>; default 15 minutes.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Shortest refresh interval a <c>max-age</c> can ask for; default 1 minute, from 1 second.</summary>
    public TimeSpan MinRefreshInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Longest refresh interval a <c>max-age</c> can ask for; default 24 hours, at most 7 days.</summary>
    public TimeSpan MaxRefreshInterval { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Time after a fetch completes during which an unknown <c>kid</c> triggers no new fetch and fails fast with
    /// <see cref="PortkeyJwtError.UnknownKey"/>; default 30 seconds, from 1 second to 1 hour.
    /// </summary>
    public TimeSpan UnknownKeyCooldown { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>First retry delay after a failed fetch; doubles per failure up to the refresh interval. Default 1 second.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long the last good key set keeps being served after its last successful fetch while the identity provider
    /// fails; afterwards validations fail with <see cref="PortkeyJwtError.KeysUnavailable"/>. Default 24 hours, from 1 minute to 30 days.
    /// </summary>
    public TimeSpan MaxStaleness { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Most unknown <c>kid</c>s remembered during the cooldown; default 10,000, from 16 to 1,000,000.</summary>
    public int UnknownKeyCacheSize { get; set; } = 10_000;

    /// <summary>
    /// Most fetches in flight at once, over every source of the provider or, with a <see cref="TrustAnchorSet"/>, over every
    /// anchor of the set: a cold start of thousands of anchors opens at most this many connections, and the rest wait
    /// (within <see cref="FetchTimeout"/>). Default 8, from 1 to 256.
    /// </summary>
    public int MaxConcurrentFetches { get; set; } = 8;

    /// <summary>
    /// With a <see cref="TrustAnchorSet"/>: an anchor that has had no token for this long stops refreshing its keys in the
    /// background. It keeps serving its last good keys within <see cref="MaxStaleness"/>, and its next token starts a
    /// refresh. Default 1 hour, from 1 minute to 30 days; a single provider outside a set always refreshes.
    /// </summary>
    public TimeSpan AnchorIdleTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Age after which a trust anchor's OIDC discovery document (<see cref="TrustAnchor.Authority"/>) is fetched again, before
    /// the next JWKS fetch; default 24 hours, from 1 minute to 30 days.
    /// </summary>
    public TimeSpan DiscoveryRefreshInterval { get; set; } = TimeSpan.FromHours(24);
}
