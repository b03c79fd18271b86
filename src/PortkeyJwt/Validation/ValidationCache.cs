using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Internal;

namespace PortkeyJwt.Internal;

/// <summary>
/// Successful validations by exact token string (ordinal equality over the whole string, see <see cref="TokenKey"/>; the
/// hash only picks a bucket). A hit is reused only while the key that verified it is still served, and is re-checked
/// against the clock by the caller; the per-call scopes are checked after it. Bounded by
/// <see cref="MemoryCacheOptions.SizeLimit"/>.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "MemoryCache holds no timer or unmanaged resource; it lives exactly as long as its validator.")]
internal sealed class ValidationCache
{
    /// <summary>Longer tokens are not cached, so the cache's memory stays bounded by entries × this length.</summary>
    public const int MaxCachedTokenLength = 4096;

    /// <summary>The last millisecond <see cref="DateTimeOffset"/> can represent, as Unix time.</summary>
    private const long MaxUnixMilliseconds = 253_402_300_799_999;

    /// <summary>A reusable lookup key per thread, so a lookup allocates nothing; it never holds a token between lookups.</summary>
    [ThreadStatic]
    private static TokenKey? t_probe;

    /// <summary>The time the cache last read on this thread (Unix ms), or <see cref="long.MinValue"/> when it did not.</summary>
    [ThreadStatic]
    private static long t_lastNowMs;

    private readonly MemoryCache _cache;
    private readonly TimeProvider _time;
    private readonly TimeSpan _duration;
    private readonly long _skewMilliseconds;

    public ValidationCache(ValidationSettings settings, TimeProvider time)
    {
        _time = time;
        _duration = settings.ValidationCacheDuration;
        _skewMilliseconds = settings.ClockSkewMilliseconds;
        _cache = new MemoryCache(new MemoryCacheOptions
        {
            SizeLimit = settings.ValidationCacheSize,
            Clock = new TimeProviderClock(time),
            CompactionPercentage = 0.10,
        });
    }

    public int Count => _cache.Count;

    /// <summary>Whether a live (unexpired, unrevoked) entry exists for <paramref name="token"/>; for tests and diagnostics.</summary>
    public bool Contains(string token) => Lookup(token, out _);

    /// <summary>
    /// The cached validation of <paramref name="token"/>, if any and still verified by a key its provider serves now, and
    /// (with trust anchors) made under an anchor the set still holds. Otherwise the entry is dropped: validate afresh.
    /// </summary>
    /// <param name="token">The token.</param>
    /// <param name="nowMs">On a hit, the time (Unix ms) the cache checked the entry's expiry at: one clock read for both.</param>
    public Entry? TryGet(string token, out long nowMs)
    {
        nowMs = 0;
        if (token.Length > MaxCachedTokenLength)
        {
            return null;
        }

        t_lastNowMs = long.MinValue;
        if (!Lookup(token, out object? value))
        {
            Telemetry.CacheMisses.Add(1);
            return null;
        }

        nowMs = t_lastNowMs != long.MinValue ? t_lastNowMs : _time.GetUtcNow().ToUnixTimeMilliseconds();

        var entry = (Entry)value!;
        VerificationKey verifiedBy = entry.Result.Principal!.VerifiedBy;
        if (entry.Anchor is not { IsRetired: true }
            && entry.Keys.Current is { } keys && keys.TryGetKey(verifiedBy.KeyId, out VerificationKey served) && ReferenceEquals(served, verifiedBy))
        {
            Telemetry.CacheHits.Add(1);
            return entry;
        }

        _cache.Remove(new TokenKey(token)); // the key was rotated away, the set is unavailable, or the anchor was replaced
        Telemetry.CacheMisses.Add(1);
        return null;
    }

    /// <summary>Caches a successful validation, made with <paramref name="keys"/>' set (under <paramref name="anchor"/>, with trust anchors).</summary>
    public void Add(string token, PortkeyJwtResult valid, JwksKeyProvider keys, TrustRouter.Slot? anchor)
    {
        if (token.Length > MaxCachedTokenLength)
        {
            return;
        }

        PortkeyPrincipal principal = valid.Principal!;
        var entry = new Entry(
            valid,
            principal.ExpiresAt.ToUnixTimeMilliseconds(),
            principal.NotBefore?.ToUnixTimeMilliseconds() ?? -1,
            principal.IssuedAt?.ToUnixTimeMilliseconds() ?? -1,
            keys,
            anchor);
        // exp may be as late as 9999-12-31T23:59:59Z, where adding the skew would leave DateTimeOffset's range.
        DateTimeOffset until = DateTimeOffset.FromUnixTimeMilliseconds(Math.Min(entry.ExpiresMs + _skewMilliseconds, MaxUnixMilliseconds));
        DateTimeOffset cap = _time.GetUtcNow() + _duration;
        using ICacheEntry cacheEntry = _cache.CreateEntry(new TokenKey(token));
        cacheEntry.Value = entry;
        cacheEntry.Size = 1;
        cacheEntry.AbsoluteExpiration = until < cap ? until : cap;
        cacheEntry.ExpirationTokens.Add(principal.VerifiedBy.Revoked);
    }

    /// <summary>
    /// A successful validation, the times a hit must re-check, the provider whose key verified it and, with trust anchors,
    /// the anchor it was validated under: one cache serves a whole <see cref="TrustAnchorSet"/>, and a hit counts only while
    /// that anchor is still in the set (a token's <c>iss</c> routes it to one anchor, so its entry can serve no other).
    /// </summary>
    internal sealed record Entry(PortkeyJwtResult Result, long ExpiresMs, long NotBeforeMs, long IssuedAtMs, JwksKeyProvider Keys, TrustRouter.Slot? Anchor)
    {
        /// <summary>Null when the cached result still holds at <paramref name="nowMs"/>; otherwise the time rule it now breaks.</summary>
        public PortkeyJwtResult? Valid(long nowMs, long skewMs) =>
            nowMs >= ExpiresMs + skewMs ? Failures.Expired
            : NotBeforeMs > nowMs + skewMs ? Failures.NotBefore
            : IssuedAtMs > nowMs + skewMs ? Failures.IssuedInFuture
            : null;
    }

    private bool Lookup(string token, out object? value)
    {
        TokenKey probe = t_probe ??= new TokenKey(string.Empty);
        probe.Token = token;
        try
        {
            return _cache.TryGetValue(probe, out value);
        }
        finally
        {
            probe.Token = string.Empty; // never keep a token alive, or visible, after the lookup
        }
    }

    /// <summary>
    /// The exact token as a cache key. Equality is ordinal over the whole string, so only the very same token can hit; the
    /// hash reads only the token's tail (its signature: unpredictable, and only the identity provider can make valid ones)
    /// with the process's randomised string hash, instead of hashing up to 4,096 characters on every request.
    /// </summary>
    private sealed class TokenKey(string token) : IEquatable<TokenKey>
    {
        private const int HashedTail = 32;

        public string Token { get; set; } = token;

        public bool Equals(TokenKey? other) => other is not null && string.Equals(Token, other.Token, StringComparison.Ordinal);

        public override bool Equals(object? obj) => Equals(obj as TokenKey);

        public override int GetHashCode() => string.GetHashCode(Token.AsSpan(Math.Max(0, Token.Length - HashedTail)));
    }

    /// <summary>
    /// Lets <see cref="MemoryCache"/> expire entries on the validator's <see cref="TimeProvider"/>, and remembers the time
    /// it read so a hit's own time checks reuse it instead of reading the clock again.
    /// </summary>
    private sealed class TimeProviderClock(TimeProvider time) : ISystemClock
    {
        public DateTimeOffset UtcNow
        {
            get
            {
                DateTimeOffset now = time.GetUtcNow();
                t_lastNowMs = now.ToUnixTimeMilliseconds();
                return now;
            }
        }
    }
}
