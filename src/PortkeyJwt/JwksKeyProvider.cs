using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PortkeyJwt.Internal;

namespace PortkeyJwt;

/// <summary>
/// Supplies the public keys a <see cref="PortkeyJwtValidator"/> verifies signatures with, from a JSON Web Key Set:
/// fixed (<see cref="FromJson"/>) or fetched from one or more URLs and kept fresh in the background. Each loaded set is an
/// immutable snapshot looked up by <c>kid</c>; keys are imported once per set, never per validation. Thread-safe;
/// validations never lock.
/// </summary>
/// <remarks>
/// <para>
/// A key is loaded only if it can verify signatures safely: <c>kty</c> <c>RSA</c> (2048 to 8192 bits, odd exponent, no ROCA fingerprint) or
/// <c>EC</c> (P-256, P-384, P-521, point on the curve); <c>use</c> absent or <c>sig</c>; <c>key_ops</c> absent or containing
/// <c>verify</c>; <c>alg</c> absent or a supported algorithm of the key's type; a <c>kid</c>; and no private members
/// (<c>d</c>, <c>p</c>, <c>q</c>, …). Any other key is skipped with one warning; keys sharing a <c>kid</c> with different
/// material are all skipped as ambiguous.
/// </para>
/// <para>
/// Remote sets: refreshed every <c>Cache-Control: max-age</c> (clamped) or <see cref="JwksKeyProviderOptions.RefreshInterval"/>;
/// an unknown <c>kid</c> triggers one shared fetch unless a fetch completed within the cooldown; failures keep the last good
/// set, retried with exponential backoff, for up to <see cref="JwksKeyProviderOptions.MaxStaleness"/>.
/// </para>
/// </remarks>
public sealed class JwksKeyProvider : IDisposable, IAsyncDisposable
{
    /// <summary>The default most keys one JWKS document may hold.</summary>
    public const int MaxKeys = 100;

    private readonly JwksSource[] _sources;
    private readonly JwksSettings? _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HttpClient? _ownedHttpClient;
    private readonly UnknownKeyCache? _unknownKeys;
    private readonly ITimer? _staleTimer;
    private readonly Lock _publishGate = new();
    private volatile KeySetSnapshot? _current;
    private volatile bool _disposed;
    private readonly bool _systemClock;
    private readonly long _idleAfterMs; // 0: always refresh in the background
    private long _lastUseMs;

    /// <summary>A token was routed here since the idle check last looked (<see cref="NoteUse"/>, <see cref="IsIdle"/>).</summary>
    private volatile bool _usedSinceCheck;

    /// <summary>A provider that fetches the JWKS at <see cref="JwksKeyProviderOptions.JwksUrls"/> and keeps it fresh.</summary>
    /// <param name="options">Sources and refresh policy; copied and checked now.</param>
    /// <param name="httpClient">
    /// The client to fetch with (for example from <c>IHttpClientFactory</c>); its handler should not follow redirects
    /// (a followed redirect is detected and the fetch refused). When null, the provider creates and owns one.
    /// </param>
    /// <param name="timeProvider">Drives refresh timers, cooldowns and staleness; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="logger">Structured logs of fetches and skipped keys; never token content.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range, a URL is missing, not absolute, or plain HTTP to a non-loopback host while <see cref="JwksKeyProviderOptions.RequireHttps"/>.</exception>
    /// <remarks>The first fetch starts at once in the background; call <see cref="WarmUpAsync"/> to wait for it.</remarks>
    public JwksKeyProvider(JwksKeyProviderOptions options, HttpClient? httpClient = null, TimeProvider? timeProvider = null, ILogger? logger = null)
        : this(options, authority: null, issuer: null, httpClient, timeProvider, logger, fetchSlots: null, anchor: false)
    {
    }

    /// <summary>
    /// A remote provider. With <paramref name="anchor"/>, a trust anchor's: its fetches share the set's
    /// <paramref name="fetchSlots"/>, and its background refresh stops after <see cref="JwksKeyProviderOptions.AnchorIdleTimeout"/>
    /// without a token (see <see cref="NoteUse"/>). With <paramref name="authority"/>, the keys are those at the
    /// <c>jwks_uri</c> of its OIDC discovery document, whose <c>issuer</c> must be <paramref name="issuer"/>;
    /// <see cref="JwksKeyProviderOptions.JwksUrls"/> is then ignored, and the authority is checked by the caller.
    /// </summary>
    internal JwksKeyProvider(JwksKeyProviderOptions options, Uri? authority, string? issuer, HttpClient? httpClient, TimeProvider? timeProvider, ILogger? logger, FetchSlots? fetchSlots, bool anchor)
    {
        _settings = new JwksSettings(options);
        Uri[] urls = authority is null ? CheckUrls(options.JwksUrls, options.RequireHttps) : [DiscoveryDocument.DocumentUrlOf(authority)];
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        if (httpClient is null)
        {
            OwnedHandler = JwksHttp.CreateHandler();
            _ownedHttpClient = JwksHttp.CreateClient(OwnedHandler);
            httpClient = _ownedHttpClient;
        }

        _unknownKeys = new UnknownKeyCache(_settings.UnknownKeyCacheSize);
        _staleTimer = _time.CreateTimer(static s => ((JwksKeyProvider)s!).Republish(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _systemClock = ReferenceEquals(_time, TimeProvider.System);
        _idleAfterMs = anchor ? (long)_settings.AnchorIdleTimeout.TotalMilliseconds : 0;
        _lastUseMs = UseClockMs();
        fetchSlots ??= new FetchSlots(_settings.MaxConcurrentFetches);
        Func<bool>? isIdle = anchor ? IsIdle : null;
        _sources = [.. urls.Select(url => new JwksSource(
            url,
            _settings,
            httpClient,
            _time,
            _logger,
            Republish,
            fetchSlots,
            isIdle,
            authority is null ? null : new DiscoveryDocument(url, issuer!, _settings, options.RequireHttps, _time, _logger)))];
        PrimaryUrl = _sources[0].Url.ToString();
        Telemetry.Track(this);
        foreach (JwksSource source in _sources)
        {
            source.Start();
        }
    }

    private JwksKeyProvider(KeySetSnapshot? snapshot)
    {
        _sources = [];
        _time = TimeProvider.System;
        _logger = NullLogger.Instance;
        _current = snapshot;
    }

    /// <summary>A provider that never has keys: the placeholder of a validator that routes to trust anchors' own providers.</summary>
    internal static JwksKeyProvider None { get; } = new(snapshot: null);

    /// <summary>The handler of the client this provider made for itself when none was given; null otherwise.</summary>
    internal SocketsHttpHandler? OwnedHandler { get; }

    /// <summary>The number of usable keys currently served.</summary>
    public int KeyCount => Current?.Count ?? 0;

    /// <summary>The <c>kid</c>s of the usable keys currently served.</summary>
    public IReadOnlyCollection<string> KeyIds => Current?.Keys.Keys ?? (IReadOnlyCollection<string>)[];

    /// <summary>Availability, freshness and the last error: the basis of a health check.</summary>
    public JwksKeyProviderStatus Status
    {
        get
        {
            KeySetSnapshot? current = Current;
            if (_sources.Length == 0)
            {
                return new JwksKeyProviderStatus(current is not null, current?.Count ?? 0, current?.LoadedAt, current?.LoadedAt, null, TimeSpan.Zero, 0);
            }

            DateTimeOffset now = _time.GetUtcNow();
            DateTimeOffset? oldestSuccess = _sources.All(s => s.State is not null) ? _sources.Min(s => s.State!.LastSuccessAt) : null;
            return new JwksKeyProviderStatus(
                current is not null,
                current?.Count ?? 0,
                oldestSuccess,
                _sources.Max(s => s.LastAttemptAt),
                _sources.Select(s => s.LastError is null ? null : $"{s.Url}: {s.LastError}").FirstOrDefault(e => e is not null),
                oldestSuccess is { } t ? now - t : null,
                _sources.Max(s => s.ConsecutiveFailures));
        }
    }

    /// <summary>The first JWKS URL, naming this provider in metrics; null for a static set.</summary>
    internal string? PrimaryUrl { get; }

    /// <summary>
    /// The key set to validate with, or null when none is available (never loaded, too stale, or disposed). One volatile
    /// read: a timer republishes the set when its staleness deadline passes.
    /// </summary>
    internal KeySetSnapshot? Current => _current;

    /// <summary>
    /// A provider over a fixed key set (Portkey's "JWKS JSON" mode): <c>{"keys":[…]}</c> with public JWKs.
    /// </summary>
    /// <param name="jwksJson">The JWKS document.</param>
    /// <param name="logger">Receives one warning per skipped key; optional.</param>
    /// <exception cref="ArgumentException">The document is not a JWKS, holds more than <see cref="MaxKeys"/> keys, or no usable key.</exception>
    public static JwksKeyProvider FromJson(string jwksJson, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(jwksJson);
        KeySetSnapshot? snapshot = JwksParser.Parse(
            Encoding.UTF8.GetBytes(jwksJson),
            MaxKeys,
            JwksParser.MinimumRsaKeySize,
            TimeProvider.System.GetUtcNow(),
            logger ?? NullLogger.Instance,
            out string? error);
        return snapshot is null
            ? throw new ArgumentException($"The JWKS cannot be used: {error}.", nameof(jwksJson))
            : new JwksKeyProvider(snapshot);
    }

    /// <summary>Waits for the first fetch of every source (starting one if needed).</summary>
    /// <returns>True when a key set is available; otherwise <see cref="Status"/> says why not.</returns>
    public async Task<bool> WarmUpAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Task<bool>[] fetches = [.. _sources.Select(s => s.FetchUnlessLoaded()).OfType<Task<bool>>()];
        await Task.WhenAll(fetches).WaitAsync(cancellationToken).ConfigureAwait(false);
        return Current is not null;
    }

    /// <summary>Fetches every source now, ignoring the cooldown; joins a fetch already in flight (single flight).</summary>
    /// <returns>True when every source's fetch succeeded.</returns>
    public async Task<bool> RefreshAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Task<bool>[] fetches = [.. _sources.Select(s => s.Fetch(force: true)).OfType<Task<bool>>()];
        bool[] results = await Task.WhenAll(fetches).WaitAsync(cancellationToken).ConfigureAwait(false);
        return results.Length == _sources.Length && results.All(ok => ok);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Telemetry.Untrack(this);
        _staleTimer?.Dispose();
        foreach (JwksSource source in _sources)
        {
            source.Dispose();
        }

        _ownedHttpClient?.Dispose();
        Republish(); // under the gate: publishes nothing and revokes every key, so no racing Republish can publish afterwards
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Whether a validation that found no key for <paramref name="kid"/> (or no key set at all, when empty) should wait for
    /// a fetch: the provider is remote, the kid was not just proven unknown, and some source is fetching or out of cooldown.
    /// Allocation-free, so a flood of unknown kids during the cooldown costs almost nothing.
    /// </summary>
    internal bool ShouldFetchFor(ReadOnlySpan<char> kid)
    {
        if (_sources.Length == 0 || _disposed)
        {
            return false;
        }

        bool mayFetch = false;
        foreach (JwksSource source in _sources)
        {
            mayFetch |= source.MayFetchForUnknownKey();
        }

        // Only off cooldown is the wall clock read, to see whether this kid was just proven unknown.
        return mayFetch && (kid.IsEmpty || !_unknownKeys!.Contains(kid, _time.GetUtcNow().UtcTicks));
    }

    /// <summary>Starts or joins the fetches an unknown kid calls for and waits for them (each bounded by the fetch timeout).</summary>
    internal async Task FetchForUnknownKeyAsync(CancellationToken cancellationToken)
    {
        Task<bool>[] fetches = [.. _sources.Select(s => s.Fetch(force: false)).OfType<Task<bool>>()];
        if (fetches.Length > 0)
        {
            await Task.WhenAll(fetches).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A trust anchor's provider: a token was routed here. Raises a flag the idle check reads and lowers (one volatile read
    /// when it is already raised: no clock on the request path, where a clock read was ~8 of the 36 ns routing took),
    /// and, as the flag goes up, wakes a background refresh stopped for idleness. Nothing for other providers.
    /// </summary>
    internal void NoteUse()
    {
        if (_idleAfterMs == 0 || _usedSinceCheck)
        {
            return;
        }

        _usedSinceCheck = true;
        foreach (JwksSource source in _sources)
        {
            source.WakeIfSleeping();
        }
    }

    /// <summary>Whether some source's background refresh has stopped for idleness; for tests and status.</summary>
    internal bool IsSleeping => _sources.Any(s => s.IsSleeping);

    /// <summary>Whether some source is fetching now; for tests that move a fake clock and wait for the fetches it starts.</summary>
    internal bool IsFetching => _sources.Any(s => s.IsFetching);

    /// <summary>
    /// Whether no token came for <see cref="ValidationSettings"/>' idle timeout. A use seen since the last check counts as a
    /// use now (the check's time), so the provider may stay awake up to one refresh interval longer than the last token
    /// alone would keep it; never shorter. A token arriving as a source goes to sleep raises the flag and is seen by the
    /// source's second look (<see cref="JwksSource"/>), or wakes it.
    /// </summary>
    private bool IsIdle()
    {
        long now = UseClockMs();
        if (_usedSinceCheck)
        {
            _usedSinceCheck = false;
            Volatile.Write(ref _lastUseMs, now);
            return false;
        }

        return now - Volatile.Read(ref _lastUseMs) >= _idleAfterMs;
    }

    /// <summary>Milliseconds on the monotonic <see cref="Environment.TickCount64"/> (the system clock), else the given clock's time.</summary>
    private long UseClockMs() => _systemClock ? Environment.TickCount64 : _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Remembers a kid a fresh fetch did not contain, until the cooldown ends.</summary>
    internal void RememberUnknown(string kid)
    {
        if (_unknownKeys is not null && _settings is not null)
        {
            _unknownKeys.Add(kid, _time.GetUtcNow().UtcTicks + _settings.CooldownTicks);
        }
    }

    internal static Uri[] CheckUrls(IList<Uri>? urls, bool requireHttps)
    {
        const string option = nameof(JwksKeyProviderOptions.JwksUrls);
        if (urls is null || urls.Count == 0)
        {
            throw new ArgumentOutOfRangeException(option, "At least one JWKS URL is required.");
        }

        foreach (Uri url in urls)
        {
            if (!FetchUrl.IsAbsoluteHttp(url))
            {
                throw new ArgumentOutOfRangeException(option, url, "JWKS URLs must be absolute http(s) URLs.");
            }

            if (FetchUrl.IsRefusedPlainHttp(url, requireHttps))
            {
                throw new ArgumentOutOfRangeException(option, url, "JWKS URLs must use HTTPS (plain HTTP is allowed only to a loopback host, or with RequireHttps = false).");
            }
        }

        return [.. urls.Distinct()];
    }

    /// <summary>Merges the sources' live sets and publishes the result with one reference write.</summary>
    private void Republish()
    {
        lock (_publishGate)
        {
            KeySetSnapshot? previous = _current;
            DateTimeOffset now = _time.GetUtcNow();
            _current = _disposed ? null : Compose(now);
            if (_current is not null)
            {
                _unknownKeys!.Clear(); // a new set may hold kids proven unknown a moment ago
                if (!_disposed && _current.ServeUntil != DateTimeOffset.MaxValue)
                {
                    // Republish again when the oldest source turns too stale, so readers never need to look at the clock.
                    // ServeUntil is still served; the timer fires just after it (and always in the future, so it cannot spin).
                    _staleTimer?.Change(_current.ServeUntil - now + TimeSpan.FromMilliseconds(1), Timeout.InfiniteTimeSpan);
                }
            }

            // Keys no longer served are revoked now: from this swap no validated-token cache answers with anything they verified.
            foreach (VerificationKey key in previous?.Keys.Values ?? [])
            {
                if (_current is null || !_current.TryGetKey(key.KeyId, out VerificationKey kept) || !ReferenceEquals(kept, key))
                {
                    key.Revoke();
                }
            }
        }
    }

    /// <summary>The merged set of the sources whose last success is within <see cref="JwksKeyProviderOptions.MaxStaleness"/>.</summary>
    private KeySetSnapshot? Compose(DateTimeOffset now)
    {
        SourceState[] live = [.. _sources.Select(s => s.State).OfType<SourceState>().Where(s => now - s.LastSuccessAt <= _settings!.MaxStaleness)];
        if (live.Length == 0)
        {
            return null;
        }

        DateTimeOffset serveUntil = live.Min(s => s.LastSuccessAt) + _settings!.MaxStaleness;
        KeySetSnapshot merged = live.Length == 1 ? live[0].Keys : Merge(live, now);
        return merged.ServedUntil(serveUntil);
    }

    private KeySetSnapshot Merge(SourceState[] live, DateTimeOffset now)
    {
        var byKid = new Dictionary<string, VerificationKey>(StringComparer.Ordinal);
        var ambiguous = new HashSet<string>(StringComparer.Ordinal);
        foreach (VerificationKey key in live.SelectMany(s => s.Keys.Keys.Values))
        {
            if (ambiguous.Contains(key.KeyId))
            {
                continue;
            }

            if (byKid.TryGetValue(key.KeyId, out VerificationKey? other) && !other.Material.AsSpan().SequenceEqual(key.Material))
            {
                byKid.Remove(key.KeyId);
                ambiguous.Add(key.KeyId);
                Log.AmbiguousKeyId(_logger, key.KeyId);
                continue;
            }

            byKid.TryAdd(key.KeyId, key);
        }

        return new KeySetSnapshot(byKid.Values, now);
    }
}
