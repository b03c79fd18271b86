using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Internal;

namespace PortkeyJwt.Internal;

/// <summary>
/// Successful validations by exact token string (ordinal equality, as the dictionary compares keys; the hash only picks
/// a bucket). A hit is reused only while the key that verified it is still served, and is re-checked against the clock by
/// the caller; the per-call scopes are checked after it. Bounded by <see cref="MemoryCacheOptions.SizeLimit"/>.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "MemoryCache holds no timer or unmanaged resource; it lives exactly as long as its validator.")]
internal sealed class ValidationCache
{
    /// <summary>Longer tokens are not cached, so the cache's memory stays bounded by entries × this length.</summary>
    public const int MaxCachedTokenLength = 4096;

    /// <summary>The last millisecond <see cref="DateTimeOffset"/> can represent, as Unix time.</summary>
    private const long MaxUnixMilliseconds = 253_402_300_799_999;

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
    public bool Contains(string token) => _cache.TryGetValue(token, out _);

    /// <summary>The cached validation of <paramref name="token"/>, if any and still verified by a served key.</summary>
    public Entry? TryGet(string token, KeySetSnapshot? keys)
    {
        if (token.Length > MaxCachedTokenLength)
        {
            return null;
        }

        if (!_cache.TryGetValue(token, out object? value))
        {
            Telemetry.CacheMisses.Add(1);
            return null;
        }

        var entry = (Entry)value!;
        VerificationKey verifiedBy = entry.Result.Principal!.VerifiedBy;
        if (keys is not null && keys.TryGetKey(verifiedBy.KeyId, out VerificationKey served) && ReferenceEquals(served, verifiedBy))
        {
            Telemetry.CacheHits.Add(1);
            return entry;
        }

        _cache.Remove(token); // the key was rotated away or the set is unavailable: validate afresh
        Telemetry.CacheMisses.Add(1);
        return null;
    }

    public void Add(string token, PortkeyJwtResult valid)
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
            principal.IssuedAt?.ToUnixTimeMilliseconds() ?? -1);
        // exp may be as late as 9999-12-31T23:59:59Z, where adding the skew would leave DateTimeOffset's range.
        DateTimeOffset until = DateTimeOffset.FromUnixTimeMilliseconds(Math.Min(entry.ExpiresMs + _skewMilliseconds, MaxUnixMilliseconds));
        DateTimeOffset cap = _time.GetUtcNow() + _duration;
        using ICacheEntry cacheEntry = _cache.CreateEntry(token);
        cacheEntry.Value = entry;
        cacheEntry.Size = 1;
        cacheEntry.AbsoluteExpiration = until < cap ? until : cap;
        cacheEntry.ExpirationTokens.Add(principal.VerifiedBy.Revoked);
    }

    /// <summary>A successful validation and the times a hit must re-check.</summary>
    internal sealed record Entry(PortkeyJwtResult Result, long ExpiresMs, long NotBeforeMs, long IssuedAtMs)
    {
        /// <summary>Null when the cached result still holds at <paramref name="nowMs"/>; otherwise the time rule it now breaks.</summary>
        public PortkeyJwtResult? Valid(long nowMs, long skewMs) =>
            nowMs >= ExpiresMs + skewMs ? Failures.Expired
            : NotBeforeMs > nowMs + skewMs ? Failures.NotBefore
            : IssuedAtMs > nowMs + skewMs ? Failures.IssuedInFuture
            : null;
    }

    /// <summary>Lets <see cref="MemoryCache"/> expire entries on the validator's <see cref="TimeProvider"/>.</summary>
    private sealed class TimeProviderClock(TimeProvider time) : ISystemClock
    {
        public DateTimeOffset UtcNow => time.GetUtcNow();
    }
}
