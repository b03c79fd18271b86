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
    private readonly PortkeyJwtOptions _options;
    private readonly JwksKeyProviderOptions _fetchOptions;
    private readonly HttpClient? _httpClient;
    private readonly TimeProvider _time;
    private readonly ILogger? _logger;
    private readonly ValidationCache? _cache;
    private readonly ClaimValues _values = new();
    private readonly FetchSlots _fetchSlots;
    private readonly Lock _replaceGate = new();
    private readonly List<TrustRouter.Slot> _retiring = [];

    /// <summary>Checks the anchors and options and builds the validator; nothing is fetched yet.</summary>
    /// <param name="anchors">The trusted issuers; at least one, each <see cref="TrustAnchor.Issuer"/> once. Copied and checked now.</param>
    /// <param name="options">
    /// What every anchor's tokens must satisfy (an anchor's <see cref="TrustAnchor.Audiences"/> and
    /// <see cref="TrustAnchor.AllowedAlgorithms"/> replace the global ones; its <see cref="TrustAnchor.RequiredScopes"/> add to them);
    /// defaults when null. <see cref="PortkeyJwtOptions.ValidIssuers"/> must be empty: each anchor's issuer is its valid issuer.
    /// One validated-token cache of <see cref="PortkeyJwtOptions.ValidationCacheSize"/> entries serves every anchor.
    /// </param>
    /// <param name="fetchOptions">
    /// The fetch and refresh policy of every anchor's remote key provider; defaults when null. Its
    /// <see cref="JwksKeyProviderOptions.JwksUrls"/> must be empty: the URLs are per anchor. Its
    /// <see cref="JwksKeyProviderOptions.MaxConcurrentFetches"/> bounds the fetches of all anchors together.
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
        var fetchSettings = new JwksSettings(fetchOptions); // the shared fetch settings are checked now, not at the first token
        _options = options;
        _fetchOptions = fetchOptions;
        _httpClient = httpClient;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger;
        _cache = global.ValidationCache ? new ValidationCache(global, _time) : null;
        _fetchSlots = new FetchSlots(fetchSettings.MaxConcurrentFetches);
        _router = new TrustRouter(Build(anchors, current: null), global.MaxTokenLength);
        Validator = PortkeyJwtValidator.ForRouter(_router, global, _time, _cache);
    }

    /// <summary>The validator over every anchor: route by <c>iss</c>, then that anchor's keys and rules. Shared and thread-safe.</summary>
    public PortkeyJwtValidator Validator { get; }

    /// <summary>The fetch slots every anchor's provider shares, for tests.</summary>
    internal FetchSlots FetchSlots => _fetchSlots;

    /// <summary>The router behind <see cref="Validator"/>, for tests.</summary>
    internal TrustRouter Router => _router;

    /// <summary>The anchor slot for <paramref name="issuer"/>, for tests.</summary>
    internal TrustRouter.Slot SlotOf(string issuer) => _router.Slots[issuer];

    /// <summary>
    /// The key provider of the anchor for <paramref name="issuer"/>: null for an issuer with no anchor, or whose anchor has had
    /// no token yet (remote keys are fetched lazily). For health checks and tests.
    /// </summary>
    internal JwksKeyProvider? KeysOf(string issuer) => _router.Slots.TryGetValue(issuer, out TrustRouter.Slot? slot) ? slot.Keys : null;

    /// <summary>
    /// Replaces the anchors at runtime, atomically: each validation routes by the old set or the new one, never a mix. An
    /// anchor whose definition is unchanged (every property equal, the <see cref="TrustAnchor.Jwks"/> text included) keeps
    /// its loaded keys and cached validations; a new or changed one starts empty and fetches at its first token, as at
    /// startup. Validations already routed to a removed or changed anchor finish with its keys: its provider is disposed
    /// after twice <see cref="JwksKeyProviderOptions.FetchTimeout"/>, and what it validated leaves the cache at once.
    /// The global options, fetch options, client and clock stay those the set was built with.
    /// </summary>
    /// <param name="anchors">The new anchors, checked as the constructor checks them.</param>
    /// <exception cref="ArgumentException">An anchor is missing or out of range, as for the constructor; the set is left unchanged.</exception>
    /// <exception cref="ObjectDisposedException">The set was disposed.</exception>
    public void Replace(IReadOnlyList<TrustAnchor> anchors)
    {
        ArgumentNullException.ThrowIfNull(anchors);
        lock (_replaceGate)
        {
            List<TrustRouter.Slot> slots = Build(anchors, _router.Slots);
            List<TrustRouter.Slot> removed;
            try
            {
                removed = _router.Replace(slots);
            }
            catch (ObjectDisposedException)
            {
                DisposeNew(slots, _router.Slots);
                throw;
            }

            if (removed.Count > 0)
            {
                // Later than any validation already routed to them can still be waiting for a fetch.
                _retiring.AddRange(removed);
                ITimer? timer = null;
                timer = _time.CreateTimer(
                    _ =>
                    {
                        lock (_replaceGate)
                        {
                            removed.ForEach(slot => _retiring.Remove(slot));
                        }

                        removed.ForEach(slot => slot.Dispose());
                        timer?.Dispose();
                    },
                    null,
                    2 * _fetchOptions.FetchTimeout,
                    Timeout.InfiniteTimeSpan);
            }
        }
    }

    /// <summary>Disposes every anchor's key provider; afterwards tokens are rejected with <see cref="PortkeyJwtError.KeysUnavailable"/>.</summary>
    public void Dispose()
    {
        _router.Dispose();
        TrustRouter.Slot[] retiring;
        lock (_replaceGate)
        {
            retiring = [.. _retiring];
            _retiring.Clear();
        }

        Array.ForEach(retiring, slot => slot.Dispose());
    }

    /// <summary>
    /// The slots of <paramref name="anchors"/>, checked; an anchor whose definition equals its slot in
    /// <paramref name="current"/> keeps that slot. On a bad anchor, disposes the new slots made so far and throws.
    /// </summary>
    private List<TrustRouter.Slot> Build(IReadOnlyList<TrustAnchor> anchors, IReadOnlyDictionary<string, TrustRouter.Slot>? current)
    {
        if (anchors.Count == 0)
        {
            throw new ArgumentException("At least one trust anchor is required.", nameof(anchors));
        }

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

                string definition = Definition(anchor);
                if (current is not null && current.TryGetValue(anchor.Issuer, out TrustRouter.Slot? kept) && kept.Definition == definition)
                {
                    slots.Add(kept);
                    continue;
                }

                ValidationSettings settings = Settings(anchor, _options, prefix);
                TrustRouter.Slot slot = new(anchor.Issuer, definition, KeySource(anchor, prefix), settings, _time, _cache, _values);
                slots.Add(slot);
                if (anchor.Jwks is not null)
                {
                    _ = slot.Validator; // a fixed set is loaded (and checked) now
                }
            }
        }
        catch
        {
            DisposeNew(slots, current);
            throw;
        }

        return slots;
    }

    /// <summary>Disposes the slots in <paramref name="slots"/> that are not kept from <paramref name="current"/>.</summary>
    private static void DisposeNew(List<TrustRouter.Slot> slots, IReadOnlyDictionary<string, TrustRouter.Slot>? current) =>
        slots.Where(s => current is null || !current.TryGetValue(s.Issuer, out TrustRouter.Slot? kept) || !ReferenceEquals(kept, s)).ToList().ForEach(s => s.Dispose());

    /// <summary>Every property of <paramref name="anchor"/> in one string, each value length-prefixed so no two anchors share one.</summary>
    private static string Definition(TrustAnchor anchor)
    {
        var text = new System.Text.StringBuilder();
        void Add(string? value) => text.Append(value is null ? "-1" : value.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(':').Append(value).Append(';');
        void AddList(IEnumerable<object?>? values)
        {
            if (values is null)
            {
                Add(null);
                return;
            }

            List<object?> items = [.. values];
            Add(items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            items.ForEach(v => Add(v?.ToString()));
        }

        Add(anchor.Issuer);
        AddList(anchor.JwksUrls?.Select(u => u?.OriginalString));
        Add(anchor.Authority?.OriginalString);
        Add(anchor.Jwks);
        AddList(anchor.Organisations);
        AddList(anchor.Workspaces);
        Add(anchor.DefaultOrganisation);
        Add(anchor.DefaultWorkspace);
        AddList(anchor.Audiences);
        AddList(anchor.AllowedAlgorithms);
        AddList(anchor.RequiredScopes);
        AddList(anchor.ScopeClaims);
        return text.ToString();
    }

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

    private Func<JwksKeyProvider> KeySource(TrustAnchor anchor, string prefix)
    {
        JwksKeyProviderOptions shared = _fetchOptions;
        ILogger? logger = _logger;
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
            MaxConcurrentFetches = shared.MaxConcurrentFetches,
            AnchorIdleTimeout = shared.AnchorIdleTimeout,
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

        string issuer = anchor.Issuer;
        return () => new JwksKeyProvider(options, authority, issuer, _httpClient, _time, logger, _fetchSlots, anchor: true);
    }
}
