using Microsoft.Extensions.Logging;
using PortkeyJwt.Internal;

namespace PortkeyJwt;

/// <summary>
/// The identity providers a multi-organisation gateway trusts, each a <see cref="TrustAnchor"/>, and the
/// <see cref="Validator"/> over them. Every token is routed by its <c>iss</c> to exactly one anchor before any key is
/// looked up; only that anchor's keys can verify it, and its organisation and workspace must be ones the anchor may assert.
/// Owns the anchors' key providers: dispose it when the gateway stops.
/// </summary>
/// <remarks>
/// Build it once at startup and share it; it is thread-safe. Anchors with <see cref="TrustAnchor.JwksUrls"/> or <see cref="TrustAnchor.Authority"/> fetch nothing
/// until the first token routed to them (concurrent first tokens share one fetch). Each anchor has its own key set,
/// validated-token cache and unknown-<c>kid</c> caches, so two anchors may publish the same <c>kid</c>.
/// </remarks>
public sealed class TrustAnchorSet : IDisposable
{
    private readonly TrustRouter _router;

    /// <summary>Checks the anchors and options and builds the validator; nothing is fetched yet.</summary>
    /// <param name="anchors">The trusted issuers; at least one, each <see cref="TrustAnchor.Issuer"/> once. Copied and checked now.</param>
    /// <param name="options">
    /// What every anchor's tokens must satisfy (an anchor's <see cref="TrustAnchor.Audiences"/> and
    /// <see cref="TrustAnchor.AllowedAlgorithms"/> replace the global ones; its <see cref="TrustAnchor.RequiredScopes"/> add to them);
    /// defaults when null. <see cref="PortkeyJwtOptions.ValidIssuers"/> must be empty: each anchor's issuer is its valid issuer.
    /// </param>
    /// <param name="fetchOptions">
    /// The fetch and refresh policy of every anchor's remote key provider; defaults when null. Its
    /// <see cref="JwksKeyProviderOptions.JwksUrls"/> must be empty: the URLs are per anchor.
    /// </param>
    /// <param name="httpClient">Shared by every anchor's provider (see <see cref="JwksKeyProvider"/>); when null, each provider creates and owns one.</param>
    /// <param name="timeProvider">The clock of the validator and of every provider; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="logger">Receives the providers' logs; never token content.</param>
    /// <exception cref="ArgumentException">
    /// An anchor or option is missing or out of range; the exception's parameter name says which, as <c>anchors[i].Option</c> for an anchor's.
    /// </exception>
    public TrustAnchorSet(
        IReadOnlyList<TrustAnchor> anchors,
        PortkeyJwtOptions? options = null,
        JwksKeyProviderOptions? fetchOptions = null,
        HttpClient? httpClient = null,
        TimeProvider? timeProvider = null,
        ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(anchors);
        if (anchors.Count == 0)
        {
            throw new ArgumentException("At least one trust anchor is required.", nameof(anchors));
        }

        options ??= new PortkeyJwtOptions();
        fetchOptions ??= new JwksKeyProviderOptions();
        if (options.ValidIssuers is { Count: > 0 })
        {
            throw new ArgumentException("ValidIssuers must be empty with trust anchors: each anchor's Issuer is its valid issuer.", nameof(PortkeyJwtOptions.ValidIssuers));
        }

        if (fetchOptions.JwksUrls is { Count: > 0 })
        {
            throw new ArgumentException("JwksUrls must be empty in the shared fetch options: each anchor has its own.", nameof(JwksKeyProviderOptions.JwksUrls));
        }

        var global = new ValidationSettings(options);
        TimeProvider time = timeProvider ?? TimeProvider.System;
        var slots = new List<TrustRouter.Slot>(anchors.Count);
        var issuers = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            for (int i = 0; i < anchors.Count; i++)
            {
                TrustAnchor anchor = anchors[i] ?? throw new ArgumentNullException($"{nameof(anchors)}[{i}]");
                string prefix = $"{nameof(anchors)}[{i}].";
                AnchorPolicy.CheckIdentifier(anchor.Issuer, prefix + nameof(TrustAnchor.Issuer));
                if (!issuers.Add(anchor.Issuer))
                {
                    throw new ArgumentException($"The issuer '{anchor.Issuer}' has more than one trust anchor.", prefix + nameof(TrustAnchor.Issuer));
                }

                ValidationSettings settings = Settings(anchor, options, prefix);
                TrustRouter.Slot slot = new(anchor.Issuer, KeySource(anchor, fetchOptions, httpClient, time, logger, prefix), settings, time);
                slots.Add(slot);
                if (anchor.Jwks is not null)
                {
                    _ = slot.Validator; // a fixed set is loaded (and checked) now
                }
            }
        }
        catch
        {
            slots.ForEach(s => s.Dispose());
            throw;
        }

        _router = new TrustRouter(slots, global.MaxTokenLength);
        Validator = PortkeyJwtValidator.ForRouter(_router, global, time);
    }

    /// <summary>The validator over every anchor: route by <c>iss</c>, then that anchor's keys and rules. Shared and thread-safe.</summary>
    public PortkeyJwtValidator Validator { get; }

    /// <summary>The router behind <see cref="Validator"/>, for tests.</summary>
    internal TrustRouter Router => _router;

    /// <summary>The anchor slot for <paramref name="issuer"/>, for tests.</summary>
    internal TrustRouter.Slot SlotOf(string issuer) => _router.Slots[issuer];

    /// <summary>
    /// The key provider of the anchor for <paramref name="issuer"/>: null for an issuer with no anchor, or whose anchor has had
    /// no token yet (remote keys are fetched lazily). For health checks and tests.
    /// </summary>
    internal JwksKeyProvider? KeysOf(string issuer) => _router.Slots.TryGetValue(issuer, out TrustRouter.Slot? slot) ? slot.Keys : null;

    /// <summary>Disposes every anchor's key provider; afterwards tokens are rejected with <see cref="PortkeyJwtError.KeysUnavailable"/>.</summary>
    public void Dispose() => _router.Dispose();

    /// <summary>An exception's message without the " (Parameter '…')" suffix, to rethrow it under the anchor's option name.</summary>
    private static string Bare(ArgumentException e)
    {
        int suffix = e.Message.IndexOf(" (Parameter '", StringComparison.Ordinal);
        return suffix < 0 ? e.Message : e.Message[..suffix];
    }

    private static ValidationSettings Settings(TrustAnchor anchor, PortkeyJwtOptions global, string prefix)
    {
        var policy = new AnchorPolicy(anchor, prefix);
        if (anchor.Audiences is { } audiences && (audiences.Count == 0 || audiences.Any(string.IsNullOrEmpty)))
        {
            throw new ArgumentOutOfRangeException(prefix + nameof(TrustAnchor.Audiences), "Audiences must be null (the global ones) or non-empty strings.");
        }

        var merged = new PortkeyJwtOptions
        {
            ClockSkew = global.ClockSkew,
            AllowedAlgorithms = anchor.AllowedAlgorithms ?? global.AllowedAlgorithms,
            ValidIssuers = [anchor.Issuer],
            ValidAudiences = anchor.Audiences ?? global.ValidAudiences,
            RequiredType = global.RequiredType,
            MaxTokenLength = global.MaxTokenLength,
            RequiredScopes = [.. global.RequiredScopes ?? [], .. anchor.RequiredScopes ?? []],
            MinimumRsaKeySize = global.MinimumRsaKeySize,
            ValidationCache = global.ValidationCache,
            ValidationCacheDuration = global.ValidationCacheDuration,
            ValidationCacheSize = global.ValidationCacheSize,
        };
        try
        {
            return new ValidationSettings(merged, policy);
        }
        catch (ArgumentOutOfRangeException e) when (e.ParamName is nameof(PortkeyJwtOptions.AllowedAlgorithms) or nameof(PortkeyJwtOptions.RequiredScopes))
        {
            throw new ArgumentOutOfRangeException(prefix + e.ParamName, e.ActualValue, Bare(e));
        }
    }

    private static Func<JwksKeyProvider> KeySource(TrustAnchor anchor, JwksKeyProviderOptions shared, HttpClient? httpClient, TimeProvider time, ILogger? logger, string prefix)
    {
        bool remote = anchor.JwksUrls is { Count: > 0 };
        Uri? authority = anchor.Authority;
        if ((remote ? 1 : 0) + (authority is null ? 0 : 1) + (anchor.Jwks is null ? 0 : 1) != 1)
        {
            throw new ArgumentException("Exactly one key source is required: JwksUrls, Authority or Jwks.", prefix + nameof(TrustAnchor.JwksUrls));
        }

        if (anchor.Jwks is not null)
        {
            string json = anchor.Jwks!;
            JwksKeyProvider keys;
            try
            {
                keys = JwksKeyProvider.FromJson(json, logger);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException(Bare(e), prefix + nameof(TrustAnchor.Jwks), e);
            }

            return () => keys;
        }

        var options = new JwksKeyProviderOptions
        {
            JwksUrls = remote ? [.. anchor.JwksUrls] : [],
            RequireHttps = shared.RequireHttps,
            FetchTimeout = shared.FetchTimeout,
            MaxResponseBytes = shared.MaxResponseBytes,
            MaxKeys = shared.MaxKeys,
            RefreshInterval = shared.RefreshInterval,
            MinRefreshInterval = shared.MinRefreshInterval,
            MaxRefreshInterval = shared.MaxRefreshInterval,
            UnknownKeyCooldown = shared.UnknownKeyCooldown,
            RetryDelay = shared.RetryDelay,
            MaxStaleness = shared.MaxStaleness,
            UnknownKeyCacheSize = shared.UnknownKeyCacheSize,
            DiscoveryRefreshInterval = shared.DiscoveryRefreshInterval,
        };
        if (authority is not null)
        {
            if (DiscoveryDocument.AuthorityProblem(authority, options.RequireHttps) is { } problem)
            {
                throw new ArgumentOutOfRangeException(prefix + nameof(TrustAnchor.Authority), authority, problem);
            }
        }
        else
        {
            try
            {
                JwksKeyProvider.CheckUrls(options.JwksUrls, options.RequireHttps);
            }
            catch (ArgumentOutOfRangeException e)
            {
                throw new ArgumentOutOfRangeException(prefix + nameof(TrustAnchor.JwksUrls), Bare(e));
            }
        }

        _ = new JwksSettings(options); // the shared fetch settings are checked now, not at the first token
        string issuer = anchor.Issuer;
        return () => new JwksKeyProvider(options, authority, issuer, httpClient, time, logger);
    }
}
