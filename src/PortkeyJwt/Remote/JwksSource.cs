using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;

namespace PortkeyJwt.Internal;

/// <summary>
/// One JWKS URL (configured, or discovered: see <c>JwksSource.Discovery.cs</c>): its last good key set, conditional-request validators, single-flight fetch, cooldown, backoff and the
/// background refresh timer. The provider merges the sources' sets and publishes the result.
/// </summary>
internal sealed partial class JwksSource : IDisposable
{
    private readonly JwksSettings _settings;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action _published;
    private readonly FetchSlots _fetchSlots;
    private readonly Func<bool>? _isIdle;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ITimer _timer;
    private readonly bool _systemClock;
    private readonly Lock _gate = new();

    private Task<bool>? _inFlight;
    private const long NeverTicks = long.MinValue / 4; // far in the past, yet safe to subtract from

    private long _lastCompletedTicks = NeverTicks;
    private long _cooldownEndsTickCount = long.MinValue; // Environment.TickCount64 when the cooldown ends (system clock)
    private int _consecutiveFailures;
    private EntityTagHeaderValue? _etag;
    private DateTimeOffset? _lastModified;
    private volatile SourceState? _state;
    private volatile string? _lastError;
    private DateTimeOffset? _lastAttemptAt;
    private bool _disposed;
    private volatile bool _sleeping;

    /// <param name="url">The JWKS URL, or with <paramref name="discovery"/> the discovery document's.</param>
    /// <param name="settings">The checked fetch policy.</param>
    /// <param name="http">The client to fetch with.</param>
    /// <param name="time">The clock of timers, cooldowns and staleness.</param>
    /// <param name="logger">Fetch logs.</param>
    /// <param name="published">Called, under this source's lock, when a new set is loaded.</param>
    /// <param name="fetchSlots">Bounds the fetches in flight, shared with other sources (and anchors).</param>
    /// <param name="isIdle">
    /// When given and true as the refresh timer fires, the background refresh stops until <see cref="WakeIfSleeping"/>
    /// (a trust anchor no token has named for a while).
    /// </param>
    /// <param name="discovery">For a trust anchor's <see cref="TrustAnchor.Authority"/>: the document that names the JWKS URL.</param>
    public JwksSource(Uri url, JwksSettings settings, HttpClient http, TimeProvider time, ILogger logger, Action published, FetchSlots fetchSlots, Func<bool>? isIdle = null, DiscoveryDocument? discovery = null)
    {
        _fetchSlots = fetchSlots;
        _isIdle = isIdle;
        Url = url;
        _discovery = discovery;
        _settings = settings;
        _http = http;
        _time = time;
        _logger = logger;
        _published = published;
        _timer = time.CreateTimer(static s => ((JwksSource)s!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _systemClock = ReferenceEquals(time, TimeProvider.System);
    }

    /// <summary>The JWKS URL; for an authority, its discovery document's URL (the JWKS URL is what the document names).</summary>
    public Uri Url { get; }

    /// <summary>The last good set and when it was last confirmed; null until the first success.</summary>
    public SourceState? State => _state;

    public string? LastError => _lastError;

    public DateTimeOffset? LastAttemptAt => _lastAttemptAt;

    public int ConsecutiveFailures => Volatile.Read(ref _consecutiveFailures);

    /// <summary>Whether a fetch is in flight; for tests.</summary>
    public bool IsFetching => Volatile.Read(ref _inFlight) is not null;

    /// <summary>Whether the background refresh has stopped because the owner was idle.</summary>
    public bool IsSleeping => _sleeping;

    /// <summary>
    /// Whether an unknown-kid fetch may start (or join one) now: one is in flight, or the cooldown has passed. Allocation-free
    /// and cheap enough for a flood of unknown kids during the cooldown.
    /// </summary>
    public bool MayFetchForUnknownKey() => Volatile.Read(ref _inFlight) is not null || CooldownOver();

    /// <summary>Schedules the first fetch at once.</summary>
    public void Start() => _timer.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan);

    /// <summary>
    /// Starts a fetch or joins the one in flight (single flight). Unless <paramref name="force"/>, returns null during the
    /// cooldown after the last completed fetch. The task never faults; it yields whether the fetch succeeded.
    /// </summary>
    public Task<bool>? Fetch(bool force)
    {
        lock (_gate)
        {
            return StartOrJoin(force);
        }
    }

    /// <summary>
    /// Like <see cref="Fetch"/> with force, but only until a set has been loaded; then null. A set becomes visible only
    /// when its fetch completes (see <see cref="Complete"/>), so a caller never sees a loaded set while that fetch is
    /// still in flight.
    /// </summary>
    public Task<bool>? FetchUnlessLoaded()
    {
        lock (_gate)
        {
            return _state is null ? StartOrJoin(force: true) : null;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _timer.Dispose();
        _stopping.Cancel();
        _stopping.Dispose();
    }

    /// <summary>
    /// A token has come for a source whose background refresh stopped: refresh now, in the background (the last good set
    /// keeps serving meanwhile), and the schedule resumes from that fetch. One volatile read when awake.
    /// </summary>
    public void WakeIfSleeping()
    {
        if (!_sleeping)
        {
            return;
        }

        lock (_gate)
        {
            if (_sleeping)
            {
                _sleeping = false;
                _ = StartOrJoin(force: true);
            }
        }
    }

    private void OnTimer()
    {
        if (_isIdle?.Invoke() != true)
        {
            _ = Fetch(force: true);
            return;
        }

        // Idle: no refresh, and no timer until a token wakes the source. A token that came between the check and the flag
        // saw the source awake, so look once more.
        _sleeping = true;
        if (!_isIdle())
        {
            WakeIfSleeping();
        }
    }

    /// <summary>
    /// Whether the cooldown after the last completed fetch has passed: the one rule both the unknown-kid check and the
    /// fetch itself use. On the system clock it reads the monotonic <see cref="Environment.TickCount64"/> (a few
    /// nanoseconds, immune to wall-clock jumps); on any other <see cref="TimeProvider"/> (a test's fake clock) its time.
    /// Never a timer: a timer fires late on a starved thread pool, which would stretch the cooldown under load.
    /// </summary>
    private bool CooldownOver() => _systemClock
        ? Environment.TickCount64 >= Volatile.Read(ref _cooldownEndsTickCount)
        : _time.GetUtcNow().UtcTicks - Volatile.Read(ref _lastCompletedTicks) >= _settings.CooldownTicks;

    private Task<bool>? StartOrJoin(bool force)
    {
        if (_disposed)
        {
            return null;
        }

        if (_inFlight is not null)
        {
            return _inFlight;
        }

        if (!force && !CooldownOver())
        {
            return null;
        }

        _inFlight = _discovery is null ? RunFetchAsync() : DiscoverThenFetchAsync();
        return _inFlight;
    }

    private async Task<bool> RunFetchAsync()
    {
        await Task.Yield(); // let Fetch publish _inFlight before this can complete
        using Activity? activity = Telemetry.Source.StartActivity("PortkeyJwt.JwksFetch", ActivityKind.Client);
        activity?.SetTag("url.full", Url.ToString());
        long started = _time.GetTimestamp();
        FetchOutcome outcome;
        try
        {
            using var timeout = new CancellationTokenSource(_settings.FetchTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _stopping.Token);
            bool holdsSlot = false;
            try
            {
                // The wait for a fetch slot counts against the fetch's timeout, so a validation waiting for keys is bounded by it.
                await _fetchSlots.EnterAsync(linked.Token).ConfigureAwait(false);
                holdsSlot = true;
                outcome = await FetchOnceAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !_stopping.IsCancellationRequested)
            {
                outcome = holdsSlot
                    ? FetchOutcome.Fail("timeout", $"no complete response within {_settings.FetchTimeout.TotalSeconds:0.###} s")
                    : FetchOutcome.Fail("timeout", _fetchSlots.NoSlotWithin(_settings.FetchTimeout));
            }
            finally
            {
                if (holdsSlot)
                {
                    _fetchSlots.Exit();
                }
            }
        }
        catch (OperationCanceledException)
        {
            outcome = FetchOutcome.Fail("cancelled", "the provider was disposed");
        }
        catch (ObjectDisposedException)
        {
            outcome = FetchOutcome.Fail("cancelled", "the provider was disposed");
        }
        catch (HttpRequestException ex)
        {
            outcome = FetchOutcome.Fail("network", $"network error: {ex.Message}");
        }
        catch (IOException ex)
        {
            outcome = FetchOutcome.Fail("network", $"network error: {ex.Message}");
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A caller's HttpClient pipeline (resilience handlers, say) may throw anything; the fetch must still complete,
            // or it would stay "in flight" forever and every later fetch would join its faulted task.
            outcome = FetchOutcome.Fail("network", $"HTTP client error: {ex.GetType().Name}: {ex.Message}");
        }

        Complete(outcome, _time.GetElapsedTime(started));
        if (activity is not null)
        {
            activity.SetTag("portkeyjwt.outcome", outcome.Kind);
            if (!outcome.Succeeded)
            {
                activity.SetStatus(ActivityStatusCode.Error, outcome.Error);
            }
        }

        return outcome.Succeeded;
    }

    private void Complete(FetchOutcome outcome, TimeSpan elapsed)
    {
        DateTimeOffset now = _time.GetUtcNow();
        TimeSpan nextDelay;
        lock (_gate)
        {
            // The new set, the end of the fetch and the cooldown become visible together: nobody can see the set loaded
            // while its fetch still counts as in flight (and join it, or skip a fetch, because of that).
            if (outcome.State is not null)
            {
                _state = outcome.State;
                _published();
            }

            Volatile.Write(ref _lastCompletedTicks, now.UtcTicks);
            Volatile.Write(ref _cooldownEndsTickCount, Environment.TickCount64 + (long)Math.Ceiling(_settings.Cooldown.TotalMilliseconds));
            _lastAttemptAt = now;
            _inFlight = null;
            if (outcome.Succeeded)
            {
                _consecutiveFailures = 0;
                _lastError = null;
                nextDelay = Jitter(_state?.RefreshInterval ?? _settings.RefreshInterval);
            }
            else
            {
                _consecutiveFailures++;
                _lastError = outcome.Error;
                nextDelay = Jitter(Backoff(_consecutiveFailures));
            }

            if (!_disposed)
            {
                _timer.Change(nextDelay, Timeout.InfiniteTimeSpan);
            }
        }

        Telemetry.JwksFetches.Add(1, new KeyValuePair<string, object?>("outcome", outcome.Kind));
        Telemetry.JwksFetchDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("outcome", outcome.Kind));
        if (outcome.Succeeded)
        {
            LogFetched(_logger, Url, outcome.Kind, _state?.Keys.Count ?? 0, nextDelay);
        }
        else if (outcome.Kind != "cancelled")
        {
            LogFetchFailed(_logger, Url, outcome.Error!, _state is null ? "no key set loaded yet" : "serving the last good key set", nextDelay);
        }
    }

    private async Task<FetchOutcome> FetchOnceAsync(CancellationToken cancellationToken)
    {
        Uri url = JwksUrl();
        SourceState? current = _state;
        using HttpGetResult response = await HardenedGet.SendAsync(
            _http,
            url,
            HardenedGet.JwksMediaTypes,
            current is null ? null : _etag,
            current is null ? null : _lastModified,
            notModifiedAllowed: current is not null,
            _settings.MaxResponseBytes,
            "the final JWKS URL",
            cancellationToken).ConfigureAwait(false);
        if (!response.Answered)
        {
            return FetchOutcome.Fail(response.FailureKind!, response.Error!);
        }

        if (response.NotModified)
        {
            return FetchOutcome.Success("not_modified", Confirmed(current!.Keys, response, _time.GetUtcNow()));
        }

        DateTimeOffset now = _time.GetUtcNow();
        KeySetSnapshot? keys = JwksParser.Parse(response.Body, _settings.MaxKeys, JwksParser.MinimumRsaKeySize, now, _logger, out string? error, current?.Keys);
        return keys is null
            ? FetchOutcome.Fail("invalid", $"invalid JWKS: {error}")
            : FetchOutcome.Success("success", Confirmed(keys, response, now));
    }

    /// <summary>
    /// The state a confirmed set gives, published by <see cref="Complete"/>; a fetch is single-flight per source, so a late
    /// fetch cannot overwrite a newer one. Also keeps the response's validators for the next conditional request.
    /// </summary>
    private SourceState Confirmed(KeySetSnapshot keys, HttpGetResult response, DateTimeOffset now)
    {
        TimeSpan interval = response.MaxAge is { } maxAge
            ? TimeSpan.FromTicks(Math.Clamp(maxAge.Ticks, _settings.MinRefreshInterval.Ticks, _settings.MaxRefreshInterval.Ticks))
            : _settings.RefreshInterval;
        _etag = response.ETag ?? (response.NotModified ? _etag : null);
        _lastModified = response.LastModified ?? (response.NotModified ? _lastModified : null);
        return new SourceState(keys, now, interval);
    }

    private TimeSpan Backoff(int failures)
    {
        TimeSpan ceiling = _state?.RefreshInterval ?? _settings.RefreshInterval;
        double factor = Math.Pow(2, Math.Min(failures - 1, 30));
        return TimeSpan.FromTicks((long)Math.Min(_settings.RetryDelay.Ticks * factor, ceiling.Ticks));
    }

    /// <summary>±5 % so that many gateways started together do not refresh in lockstep.</summary>
    private static TimeSpan Jitter(TimeSpan delay) => delay * (0.95 + (Random.Shared.NextDouble() * 0.10));

    [LoggerMessage(10, LogLevel.Information, "JWKS {Url} fetched ({Outcome}): {KeyCount} keys; next refresh in {NextRefresh}")]
    private static partial void LogFetched(ILogger logger, Uri url, string outcome, int keyCount, TimeSpan nextRefresh);

    [LoggerMessage(11, LogLevel.Warning, "JWKS {Url} fetch failed: {Error}; {Serving}; retry in {Retry}")]
    private static partial void LogFetchFailed(ILogger logger, Uri url, string error, string serving, TimeSpan retry);

    private readonly record struct FetchOutcome(bool Succeeded, string Kind, string? Error, SourceState? State)
    {
        public static FetchOutcome Success(string kind, SourceState state) => new(true, kind, null, state);

        public static FetchOutcome Fail(string kind, string error) => new(false, kind, error, null);
    }
}

/// <summary>A source's last good set, when it was last confirmed, and how often to refresh it.</summary>
internal sealed record SourceState(KeySetSnapshot Keys, DateTimeOffset LastSuccessAt, TimeSpan RefreshInterval);

/// <summary>Checked, immutable copy of <see cref="JwksKeyProviderOptions"/>.</summary>
internal sealed class JwksSettings
{
    public JwksSettings(JwksKeyProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        FetchTimeout = Check(options.FetchTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(1), nameof(options.FetchTimeout));
        RefreshInterval = Check(options.RefreshInterval, TimeSpan.FromSeconds(1), TimeSpan.FromDays(7), nameof(options.RefreshInterval));
        MinRefreshInterval = Check(options.MinRefreshInterval, TimeSpan.FromSeconds(1), TimeSpan.FromDays(7), nameof(options.MinRefreshInterval));
        MaxRefreshInterval = Check(options.MaxRefreshInterval, MinRefreshInterval, TimeSpan.FromDays(7), nameof(options.MaxRefreshInterval));
        Cooldown = Check(options.UnknownKeyCooldown, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1), nameof(options.UnknownKeyCooldown));
        RetryDelay = Check(options.RetryDelay, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1), nameof(options.RetryDelay));
        MaxStaleness = Check(options.MaxStaleness, TimeSpan.FromMinutes(1), TimeSpan.FromDays(30), nameof(options.MaxStaleness));
        MaxResponseBytes = Check(options.MaxResponseBytes, 1024, 16 * 1024 * 1024, nameof(options.MaxResponseBytes));
        MaxKeys = Check(options.MaxKeys, 1, 1000, nameof(options.MaxKeys));
        UnknownKeyCacheSize = Check(options.UnknownKeyCacheSize, 16, 1_000_000, nameof(options.UnknownKeyCacheSize));
        MaxConcurrentFetches = Check(options.MaxConcurrentFetches, 1, 256, nameof(options.MaxConcurrentFetches));
        AnchorIdleTimeout = Check(options.AnchorIdleTimeout, TimeSpan.FromMinutes(1), TimeSpan.FromDays(30), nameof(options.AnchorIdleTimeout));
        DiscoveryRefreshInterval = Check(options.DiscoveryRefreshInterval, TimeSpan.FromMinutes(1), TimeSpan.FromDays(30), nameof(options.DiscoveryRefreshInterval));
        CooldownTicks = Cooldown.Ticks;
    }

    public TimeSpan FetchTimeout { get; }

    public TimeSpan RefreshInterval { get; }

    public TimeSpan MinRefreshInterval { get; }

    public TimeSpan MaxRefreshInterval { get; }

    public TimeSpan Cooldown { get; }

    public long CooldownTicks { get; }

    public TimeSpan RetryDelay { get; }

    public TimeSpan MaxStaleness { get; }

    public int MaxResponseBytes { get; }

    public int MaxKeys { get; }

    public int UnknownKeyCacheSize { get; }

    public int MaxConcurrentFetches { get; }

    public TimeSpan AnchorIdleTimeout { get; }

    public TimeSpan DiscoveryRefreshInterval { get; }

    private static T Check<T>(T value, T min, T max, string option)
        where T : IComparable<T> =>
        value.CompareTo(min) < 0 || value.CompareTo(max) > 0
            ? throw new ArgumentOutOfRangeException(option, value, $"{option} must be from {min} to {max}.")
            : value;
}
